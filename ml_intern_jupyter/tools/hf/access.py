"""Where the Hub is and which token to use: :class:`HubAccess`.

The HF token is sent only to Hugging Face hosts: the configured endpoint (``HF_ENDPOINT``),
the configured dataset viewer, and ``https://huggingface.co`` / ``https://hf.co`` and their
subdomains. Tools never read ``os.environ``; they get an env mapping through
:meth:`HubAccess.from_env`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from huggingface_hub import HfApi

DEFAULT_ENDPOINT = "https://huggingface.co"
DEFAULT_DATASETS_SERVER = "https://datasets-server.huggingface.co"
HF_DOMAINS = ("huggingface.co", "hf.co")

MISSING_TOKEN_HELP = (
    "Set a Hugging Face token: `HF_TOKEN` in the environment, `hf auth login` in a terminal, "
    "or `%intern login` in a notebook (create one at https://huggingface.co/settings/tokens)."
)


def saved_hf_token() -> str | None:
    """The token saved by ``hf auth login`` (huggingface_hub's token file), if any."""
    from huggingface_hub import constants

    try:
        token = Path(constants.HF_TOKEN_PATH).read_text().strip()
    except OSError:
        return None
    return token or None


def _no_token() -> str | None:
    return None


def _origin(url: str) -> tuple[str, str] | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return parts.scheme.lower(), parts.netloc.lower()


@dataclass(frozen=True)
class HubAccess:
    """The Hub endpoint, the dataset viewer URL and a token source (called at each use)."""

    endpoint: str = DEFAULT_ENDPOINT
    datasets_server: str = DEFAULT_DATASETS_SERVER
    token: Callable[[], str | None] = field(default=_no_token, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "endpoint", self.endpoint.rstrip("/"))
        object.__setattr__(self, "datasets_server", self.datasets_server.rstrip("/"))

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str],
        *,
        datasets_server: str = DEFAULT_DATASETS_SERVER,
        use_saved_login: bool = True,
    ) -> HubAccess:
        """``HF_ENDPOINT`` (default https://huggingface.co) and ``HF_DATASETS_SERVER`` (the dataset
        viewer, default ``datasets_server``); the token is ``HF_TOKEN`` (or
        ``HUGGING_FACE_HUB_TOKEN``) from ``env``, then the saved ``hf auth login`` token."""

        def token() -> str | None:
            value = (env.get("HF_TOKEN") or env.get("HUGGING_FACE_HUB_TOKEN") or "").strip()
            if value:
                return value
            return saved_hf_token() if use_saved_login else None

        endpoint = (env.get("HF_ENDPOINT") or "").strip() or DEFAULT_ENDPOINT
        viewer = (env.get("HF_DATASETS_SERVER") or "").strip() or datasets_server
        return cls(endpoint=endpoint, datasets_server=viewer, token=token)

    def is_hf_host(self, url: str) -> bool:
        """Whether ``url`` may receive the HF token."""
        origin = _origin(url)
        if origin is None:
            return False
        if origin in (_origin(self.endpoint), _origin(self.datasets_server)):
            return True
        parts = urlsplit(url)
        try:
            port = parts.port
        except ValueError:  # not a valid port
            return False
        if parts.scheme != "https" or parts.username or parts.password or port not in (None, 443):
            return False
        host = (parts.hostname or "").lower()
        return any(host == domain or host.endswith("." + domain) for domain in HF_DOMAINS)

    def auth_headers(self, url: str) -> dict[str, str]:
        """``Authorization`` for ``url`` when it is a Hugging Face host and a token is set."""
        token = self.token()
        if token and self.is_hf_host(url):
            return {"Authorization": f"Bearer {token}"}
        return {}

    def api(self, token: str | None = None) -> HfApi:
        """An ``HfApi`` on this endpoint; without a token it sends none (never the process's)."""
        from huggingface_hub import HfApi

        return HfApi(endpoint=self.endpoint, token=token or self.token() or False)

    def repo_url(self, repo_id: str, repo_type: str = "model") -> str:
        """The web page of a repository."""
        prefix = "" if repo_type == "model" else f"{repo_type}s/"
        return f"{self.endpoint}/{prefix}{repo_id}"


def missing_token_message(action: str) -> str:
    """What to tell the model when ``action`` needs a token and none is set."""
    return f"{action} needs a Hugging Face token and none is set (no HF_TOKEN, no saved login). {MISSING_TOKEN_HELP}"

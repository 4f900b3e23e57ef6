"""Export session traces to a private Hugging Face dataset; optional automatic sharing.

Every blocking ``huggingface_hub`` call runs in a worker thread. The HF token is only sent
to the configured endpoint (``endpoint=`` argument, else ``HF_ENDPOINT``, else huggingface.co).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_TEMPLATE = "{hf_user}/ml-intern-sessions"
DEFAULT_ENDPOINT = "https://huggingface.co"
CARD_PATH = "README.md"
LOGIN_HINT = "Set HF_TOKEN or run `huggingface-cli login` (`hf auth login`) with a token that can write."
_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?"
_REPO_ID = re.compile(rf"{_NAME}/{_NAME}")
_SESSION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")

DATASET_CARD = """---
license: unknown
pretty_name: ML Intern sessions
tags:
- agent-traces
- ml-intern
configs:
- config_name: default
  data_files:
  - split: train
    path: sessions/**/*.jsonl
---

# ML Intern sessions

Agent sessions recorded by [ml-intern-jupyter](https://github.com/huggingface/ml-intern) in Jupyter
and uploaded with `%intern export` (or automatically with `share_traces: true`).

## Layout

One file per session: `sessions/YYYY-MM-DD/<session_id>.jsonl`.

## Format

The Claude Code JSONL trace format, one message per line:
`{"type": "user" | "assistant", "message": {...}, "uuid", "parentUuid", "sessionId", "timestamp"}`.
Assistant content is a list of `text` and `tool_use` blocks; tool results are `user` lines with
`tool_result` blocks; `parentUuid` chains the messages. The Hugging Face Agent Trace Viewer reads
these files as they are.

## Privacy

The dataset is created private. Secrets (tokens, API keys, values of secret-looking environment
variables) are redacted before upload. Review the traces before making the dataset public
(`%intern share-traces public`).
"""


class HubExportError(RuntimeError):
    """An export failed; the message says what to do. ``status`` is the HTTP status, if any."""

    def __init__(self, message: str, *, status: int | None = None, retryable: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable


@dataclass(frozen=True)
class ExportResult:
    repo_id: str
    path_in_repo: str
    url: str
    private: bool
    changed: bool


@dataclass(frozen=True)
class RepoStatus:
    repo_id: str
    url: str
    private: bool
    changed: bool


def trace_repo_id(template: str, hf_user: str) -> str:
    """The dataset id from ``personal_trace_repo_template`` (``{hf_user}`` is the only placeholder)."""
    try:
        repo_id = template.format(hf_user=hf_user)
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"Bad personal_trace_repo_template {template!r}: only {{hf_user}} may be used.") from exc
    if not _REPO_ID.fullmatch(repo_id) or "--" in repo_id or ".." in repo_id:
        raise ValueError(f"personal_trace_repo_template gives {repo_id!r}, which is not a valid 'owner/name' id.")
    return repo_id


def trace_path(session_id: str, day: date) -> str:
    """Where a session goes in the dataset: ``sessions/YYYY-MM-DD/<session_id>.jsonl``."""
    if not _SESSION_ID.fullmatch(session_id) or ".." in session_id:
        raise ValueError(f"Session id {session_id!r} cannot be used as a file name.")
    return f"sessions/{day:%Y-%m-%d}/{session_id}.jsonl"


def _same_content(remote: Any, data: bytes) -> bool:
    """Whether a remote ``RepoFile`` already holds ``data`` (git blob id, or LFS sha256)."""
    if remote is None or not hasattr(remote, "blob_id"):
        return False
    if remote.lfs is not None:
        return remote.lfs.sha256 == hashlib.sha256(data).hexdigest()
    return remote.blob_id == hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


_LATER = "The Hub had a problem: retry later (the session is saved locally)."
_HINTS = {
    401: f"The token was rejected. {LOGIN_HINT}",
    403: "The token may not write there: use a write token, or a template in your own namespace.",
    404: "Repository not found: check personal_trace_repo_template and the token's permissions.",
    429: "Rate limited by the Hub: wait a minute and retry.",
}


def _export_error(exc: Exception, endpoint: str) -> HubExportError | None:
    """Translate a huggingface_hub / network error into a HubExportError (None: not ours)."""
    import httpx
    from huggingface_hub.errors import HfHubHTTPError, LocalTokenNotFoundError, OfflineModeIsEnabled

    if isinstance(exc, LocalTokenNotFoundError):
        return HubExportError(f"No Hugging Face token found. {LOGIN_HINT}")
    if isinstance(exc, OfflineModeIsEnabled):
        return HubExportError("HF_HUB_OFFLINE is set, so nothing is uploaded. Unset it, or use `export --to PATH`.")
    if isinstance(exc, HfHubHTTPError):
        status = exc.response.status_code if exc.response is not None else None
        detail = f" ({exc.server_message.strip()})" if getattr(exc, "server_message", None) else ""
        retryable = status is None or status in (408, 409, 429) or status >= 500
        message = f"The Hub at {endpoint} answered HTTP {status}{detail}. {_HINTS.get(status, _LATER)}"
        return HubExportError(message, status=status, retryable=retryable)
    if isinstance(exc, httpx.HTTPError | OSError):
        message = f"Could not reach the Hub at {endpoint} ({type(exc).__name__}). Check the network or HF_ENDPOINT."
        return HubExportError(message, retryable=True)
    if isinstance(exc, ValueError):
        return HubExportError(str(exc))
    return None


class HubExporter:
    """Uploads session JSONL to ``{hf_user}/ml-intern-sessions`` (private when created)."""

    def __init__(self, *, token: str | None, endpoint: str | None = None, template: str = DEFAULT_TEMPLATE) -> None:
        self._token = token
        self.endpoint = (endpoint or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")
        self.template = template
        self._whoami: tuple[str, str] | None = None  # (token, user) of the last whoami

    def repo_url(self, repo_id: str) -> str:
        return f"{self.endpoint}/datasets/{repo_id}"

    async def _run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run a blocking call in a worker thread, translating Hub errors."""
        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        except HubExportError:
            raise
        except Exception as exc:
            error = _export_error(exc, self.endpoint)
            if error is None:
                raise
            raise error from exc

    def _api(self) -> Any:
        token = self._token or os.environ.get("HF_TOKEN")
        if not token:
            from huggingface_hub import get_token

            token = get_token()
        if not token:
            raise HubExportError(f"No Hugging Face token found. {LOGIN_HINT}")
        from huggingface_hub import HfApi

        return HfApi(endpoint=self.endpoint, token=token, library_name="ml-intern-jupyter")

    def _repo_id(self, api: Any) -> str:
        if "{hf_user}" not in self.template:
            return trace_repo_id(self.template, "")
        if self._whoami is None or self._whoami[0] != api.token:
            self._whoami = (api.token, api.whoami()["name"])
        return trace_repo_id(self.template, self._whoami[1])

    @staticmethod
    def _private_or_none(api: Any, repo_id: str) -> bool | None:
        from huggingface_hub.errors import RepositoryNotFoundError

        try:
            return bool(api.repo_info(repo_id, repo_type="dataset").private)
        except RepositoryNotFoundError:
            return None

    async def _connect(self) -> tuple[Any, str, bool | None]:
        api = await self._run(self._api)
        repo_id = await self._run(self._repo_id, api)
        return api, repo_id, await self._run(self._private_or_none, api, repo_id)

    async def repo_id(self) -> str:
        """The dataset this exporter writes to (asks the Hub who the token belongs to)."""
        api = await self._run(self._api)
        return await self._run(self._repo_id, api)

    async def export(
        self, jsonl: str, session_id: str, day: date, progress: Callable[[int, int], None] | None = None
    ) -> ExportResult:
        """Upload one session; identical content is not uploaded again (``changed=False``)."""
        try:
            path = trace_path(session_id, day)
        except ValueError as exc:
            raise HubExportError(str(exc)) from exc
        data = jsonl.encode("utf-8")
        if progress:
            progress(0, len(data))
        api, repo_id, private = await self._connect()
        if private is None:
            await self._run(api.create_repo, repo_id, repo_type="dataset", private=True, exist_ok=True)
            private = await self._run(self._private_or_none, api, repo_id)
        found = await self._run(api.get_paths_info, repo_id, [path, CARD_PATH], repo_type="dataset")
        remote = {entry.path: entry for entry in found}
        if CARD_PATH not in remote:
            card = DATASET_CARD.encode()
            kwargs = {"repo_id": repo_id, "repo_type": "dataset", "commit_message": "Add dataset card"}
            await self._run(api.upload_file, path_or_fileobj=card, path_in_repo=CARD_PATH, **kwargs)
        changed = not _same_content(remote.get(path), data)
        if changed:
            message = f"Export session {session_id}"
            kwargs = {"repo_id": repo_id, "repo_type": "dataset", "commit_message": message}
            await self._run(api.upload_file, path_or_fileobj=data, path_in_repo=path, **kwargs)
        if progress:
            progress(len(data), len(data))
        return ExportResult(repo_id, path, self.repo_url(repo_id), bool(private), changed)

    async def visibility(self) -> bool | None:
        """Whether the dataset is private; None when it does not exist yet."""
        return (await self._connect())[2]

    async def set_visibility(self, private: bool) -> RepoStatus:
        """Make the dataset private or public (creating it, empty, if needed)."""
        api, repo_id, current = await self._connect()
        if current is None:
            await self._run(api.create_repo, repo_id, repo_type="dataset", private=private, exist_ok=True)
        elif current != private:
            await self._run(api.update_repo_settings, repo_id, repo_type="dataset", private=private)
        now = await self._run(self._private_or_none, api, repo_id)
        return RepoStatus(repo_id, self.repo_url(repo_id), bool(now), now != current)

"""The CLI's one hidden prompt for a Hugging Face token, when a Hub write needs one and none is set.

The token is kept in the front end's in-memory secrets for this process only: it is not
saved, not put in ``os.environ``, and (like every token) redacted from the record.
"""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import Callable, Mapping, MutableMapping

from ..tools.hf import HubAccess

PROMPT = "  This call writes to the Hugging Face Hub and no HF token is set. Paste a token (hidden, Enter to skip): "


class HubTokenPrompt:
    """Asks at most once per process; ``read_secret`` reads without echo (``getpass`` by default)."""

    def __init__(
        self,
        secrets: MutableMapping[str, str],
        env: Mapping[str, str],
        read_secret: Callable[[str], str] = getpass.getpass,
    ) -> None:
        self._secrets, self._env, self._read = secrets, env, read_secret
        self.asked = False

    async def before_hub_write(self, tool_name: str) -> None:
        """Before an approved ``hf_*`` call runs: ask for a token if there is none."""
        if self.asked or not tool_name.startswith("hf_"):
            return
        if await asyncio.to_thread(HubAccess.from_env(self._env).token):  # HF_TOKEN or the saved login
            return
        self.asked = True
        try:
            token = (await asyncio.to_thread(self._read, PROMPT)).strip()
        except (EOFError, KeyboardInterrupt):
            token = ""
        if token:
            self._secrets["HF_TOKEN"] = token
            print("  Using that token for this run only (not saved; `hf auth login` saves one).")
        else:
            print("  No token: the call will say which token it needs.")

"""Fixtures for the Hub tool tests: a LocalHub, access with and without a token, a recording context."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ml_intern_jupyter.tools.hf import HubAccess
from ml_intern_jupyter.tools.spec import Display, ToolContext

from ...hub_server import TEST_TOKEN, LocalHub


class Calls:
    """A ToolContext whose log lines and displays are kept."""

    def __init__(self, workdir: Path) -> None:
        self.log_lines: list[str] = []
        self.displays: list[Display] = []
        self.ctx = ToolContext("call-1", "tool", workdir, on_log=self.log_lines.append, on_show=self.displays.append)


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalHub]:
    """A running LocalHub (user ``alice``, token ``TEST_TOKEN``) with huggingface_hub allowed online.

    Any token saved on this machine is hidden, so only the tokens a test passes are used.
    """
    from huggingface_hub import constants

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "no-hf-token"))
    monkeypatch.setattr(constants, "HF_STORED_TOKENS_PATH", str(tmp_path / "no-hf-stored-tokens"))
    with LocalHub() as server:
        yield server


@pytest.fixture
def access(hub: LocalHub) -> HubAccess:
    """The LocalHub with alice's token."""
    env = {"HF_ENDPOINT": hub.endpoint, "HF_TOKEN": TEST_TOKEN}
    return HubAccess.from_env(env, datasets_server=hub.datasets_server)


@pytest.fixture
def anonymous(hub: LocalHub) -> HubAccess:
    """The LocalHub without any token."""
    return HubAccess.from_env({"HF_ENDPOINT": hub.endpoint}, datasets_server=hub.datasets_server)


@pytest.fixture
def calls(tmp_path: Path) -> Calls:
    return Calls(tmp_path)

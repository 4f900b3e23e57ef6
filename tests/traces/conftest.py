"""Fixtures for trace tests: a local Hugging Face Hub-compatible server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ..hub_server import TEST_TOKEN, LocalHub

__all__ = ["TEST_TOKEN", "local_hub"]


@pytest.fixture
def local_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalHub]:
    """A running LocalHub with user ``alice`` (token ``TEST_TOKEN``); HF_ENDPOINT points at it.

    Allows huggingface_hub to make requests (the suite sets HF_HUB_OFFLINE=1) and hides any
    token saved on this machine, so only the tokens a test passes are ever used.
    """
    from huggingface_hub import constants

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "no-hf-token"))
    monkeypatch.setattr(constants, "HF_STORED_TOKENS_PATH", str(tmp_path / "no-hf-stored-tokens"))
    with LocalHub() as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.endpoint)
        yield hub

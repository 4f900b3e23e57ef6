"""Fixtures of the model-layer tests: no network, litellm loaded once."""

from __future__ import annotations

import socket

import pytest

from ml_intern_jupyter.agent.model.litellm_provider import LitellmLoader


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list:
    """Any outgoing connection attempt is recorded and fails."""
    attempts: list = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise OSError("network disabled in tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


@pytest.fixture(scope="session")
def loader() -> LitellmLoader:
    return LitellmLoader()


@pytest.fixture(scope="session")
def litellm(loader):
    return loader.get()

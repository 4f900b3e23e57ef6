"""``%intern login`` in a real kernel: huggingface_hub's device login against a local Hub, then a write with it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..hub_server import TEST_TOKEN, LocalHub
from .kernel_driver import KernelDriver, started_kernel


@pytest.fixture(scope="module")
def kernel(hub: LocalHub, kernel_home: Path) -> Iterator[KernelDriver]:
    with started_kernel(kernel_home, HF_ENDPOINT=hub.endpoint, HF_HOME=str(kernel_home / "hf")) as driver:
        yield driver


def test_login_saves_a_token_the_hub_tools_then_use(kernel: KernelDriver, hub: LocalHub, kernel_home: Path):
    run = kernel.start("%intern login")
    code = re.compile(r"\b(\d{4}-TEST)\b")
    kernel.pump(run, until=lambda r: code.search(r.html()) is not None, timeout=30)
    assert "open this URL and enter the code" in run.html()
    assert "2" in kernel.run("1 + 1", timeout=10).text()  # the login waits in the background: cells run
    assert not (kernel_home / "hf" / "token").exists()
    hub.authorize_device(code.search(run.html())[1])  # the user approves in their browser
    kernel.pump(run, until=lambda r: "Logged in." in r.text(), timeout=30)
    assert "Login successful" in run.html()
    assert (kernel_home / "hf" / "token").read_text().strip() == TEST_TOKEN
    assert "Already logged in" in kernel.run("%intern login").text()

    script = kernel_home / "write.json"
    create = {"name": "hf_repo_git", "arguments": {"operation": "create_repo", "repo_id": "alice/after-login"}}
    script.write_text(json.dumps({"turns": [{"tool_calls": [create]}, {"text": "Created it."}]}))
    out = kernel.run(f"%%intern --yolo --model scripted/{script}\nmake a repo", timeout=60).text()
    assert "Created it." in out
    assert hub.repo("alice/after-login", "model").private is True
    created = hub.requests_to("/api/repos/create", "POST")
    assert created and created[-1].headers.get("authorization") == f"Bearer {TEST_TOKEN}"


def test_login_rejects_unknown_arguments(kernel: KernelDriver):
    out = kernel.run("%intern login now").text()
    assert "%intern login --force" in out

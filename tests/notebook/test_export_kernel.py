"""Export from a real kernel: to a file, to a local Hub (command and footer button), visibility, auto-share."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..hub_server import TEST_TOKEN, LocalHub
from ..traces.secret_corpus import fake_secrets
from .kernel_driver import KernelDriver, started_kernel


@pytest.fixture(scope="module")
def kernel(hub: LocalHub, kernel_home: Path) -> Iterator[KernelDriver]:
    config = kernel_home / "config.json"
    config.write_text(json.dumps({"share_traces": True}))
    env = {"ML_INTERN_CONFIG": str(config), "HF_ENDPOINT": hub.endpoint, "HF_TOKEN": TEST_TOKEN}
    with started_kernel(kernel_home, **env) as driver:
        yield driver


def run_secret_session(kernel: KernelDriver, kernel_home: Path) -> str:
    secret = fake_secrets()[0][1]
    script = kernel_home / "secret.json"
    script.write_text(json.dumps({"turns": [{"text": f"I found the token {secret} in your env; never share it."}]}))
    out = kernel.run(f"%%intern --new --model scripted/{script}\nmy token is {secret}").text()
    assert "Export session to the Hub" in out  # the footer button
    return secret


def session_id(kernel: KernelDriver) -> str:
    return kernel.run("print(get_ipython().magics_manager.registry['InternMagics'].agent.session().id)").text().strip()


def test_export_to_a_file_writes_a_valid_redacted_trace(kernel: KernelDriver, kernel_home: Path):
    secret = run_secret_session(kernel, kernel_home)
    target = kernel_home / "out" / "trace.jsonl"
    out = kernel.run(f"%intern export --to {target}").text()
    assert str(target) in out
    text = target.read_text()
    assert secret not in text and "[REDACTED:" in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert [line["type"] for line in lines] == ["user", "assistant"]
    assert lines[0]["sessionId"] == session_id(kernel)


def test_export_command_uploads_privately_and_share_traces_flips_visibility(kernel: KernelDriver, kernel_home, hub):
    secret = run_secret_session(kernel, kernel_home)
    sid = session_id(kernel)
    out = kernel.run("%intern export", timeout=60).text()
    assert "alice/ml-intern-sessions" in out and "private" in out
    repo = hub.repo("alice/ml-intern-sessions")
    assert repo.private is True
    [path] = [p for p in repo.files if p.endswith(f"{sid}.jsonl")]
    assert path.startswith("sessions/") and "README.md" in repo.files
    commits = len(repo.commits)
    again = kernel.run("%intern export", timeout=60).text()
    assert "Already up to date" in again and len(repo.commits) == commits
    assert "public" in kernel.run("%intern share-traces public", timeout=60).text()
    assert hub.repo("alice/ml-intern-sessions").private is False
    assert "public" in kernel.run("%intern share-traces", timeout=60).text()
    kernel.run("%intern share-traces private", timeout=60)
    assert all(secret.encode() not in r.body for r in hub.requests)
    auth = [r.headers.get("authorization") for r in hub.requests]
    assert auth and all(a == f"Bearer {TEST_TOKEN}" for a in auth if a)


def test_footer_button_exports_with_one_click(kernel: KernelDriver, kernel_home: Path, hub):
    before = set(kernel.buttons("Export session to the Hub"))
    run_secret_session(kernel, kernel_home)
    sid = session_id(kernel)
    [button] = [b for b in kernel.buttons("Export session to the Hub") if b not in before]
    kernel.click(button)
    deadline = time.monotonic() + 30
    repo_files = lambda: hub.repo("alice/ml-intern-sessions").files  # noqa: E731
    while time.monotonic() < deadline and not any(p.endswith(f"{sid}.jsonl") for p in repo_files()):
        kernel.run("import asyncio; await asyncio.sleep(0.2)")
    assert any(p.endswith(f"{sid}.jsonl") for p in repo_files())


def test_share_traces_true_uploads_after_each_turn(kernel: KernelDriver, kernel_home: Path, hub):
    script = kernel_home / "auto.json"
    script.write_text(json.dumps({"turns": [{"text": "auto shared"}]}))
    kernel.run(f"%%intern --new --model scripted/{script}\nhello")
    sid = session_id(kernel)
    agent = "get_ipython().magics_manager.registry['InternMagics'].agent"
    kernel.run(f"s = {agent}.session(); await {agent}.exports.sharer(s).drain()", timeout=60)
    assert any(p.endswith(f"{sid}.jsonl") for p in hub.repo("alice/ml-intern-sessions").files)

"""MCP in a real kernel with the scripted model: a trusted tool runs at once, an untrusted one asks,
an image lands in the cell, a hung server never delays the turn, a project .mcp.json asks first."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..tools.mcp.conftest import SERVER_SCRIPT
from .kernel_driver import KernelDriver, started_kernel


def server(mode: str = "stdio", **extra) -> dict:
    return {"command": sys.executable, "args": [str(SERVER_SCRIPT), mode], **extra}


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("mcp-kernel")
    config = {
        "mcpServers": {
            "lab": server(auto_approve=["echo"]),
            "stuck": server("hang", connect_timeout=30),
        }
    }
    (home / "config.json").write_text(json.dumps(config))
    (home / ".mcp.json").write_text(json.dumps({"mcpServers": {"cloned": server()}}))
    return home


@pytest.fixture(scope="module")
def kernel(home: Path) -> Iterator[KernelDriver]:
    with started_kernel(home, ML_INTERN_CONFIG=str(home / "config.json"), SOME_API_KEY="sk-not-for-mcp") as driver:
        yield driver


def calls(*pairs: tuple[str, dict]) -> dict:
    return {"tool_calls": [{"name": name, "arguments": arguments} for name, arguments in pairs]}


def consent_cards(kernel: KernelDriver) -> list[str]:
    return [c for c in kernel.approval_cards() if "cloned" in kernel.comms[c].get("tool", "")]


def test_mcp_starts_concurrently_asks_for_project_servers_and_a_stuck_one_blocks_nothing(kernel: KernelDriver):
    started = time.monotonic()
    run = kernel.start("%intern mcp")
    kernel.pump(run, until=lambda _: bool(consent_cards(kernel)), timeout=60)  # the cloned repo's server asks
    kernel.decide(consent_cards(kernel)[0], "reject")
    kernel.pump(run, timeout=30)
    deadline = time.monotonic() + 30
    while "connected" not in (status := kernel.run("%intern mcp", timeout=30).text()):
        assert time.monotonic() < deadline, status
        time.sleep(0.3)
    assert time.monotonic() - started < 25  # the stuck server (30 s connect timeout) held nothing up
    assert "echo" in status and "declined" in status and "stuck" in status


def test_mcp_tools_through_the_agent_with_trust_and_approval(kernel: KernelDriver, home: Path):
    script = home / "mcp.json"
    turns = [calls(("mcp__lab__echo", {"text": "hello mcp"})), calls(("mcp__lab__image", {})), {"text": "Both ran."}]
    script.write_text(json.dumps({"turns": turns}))
    run = kernel.start(f"%%intern --model scripted/{script}\nuse the lab server")
    images = lambda: [c for c in kernel.approval_cards() if kernel.comms[c].get("tool") == "mcp__lab__image"]  # noqa: E731
    kernel.pump(run, until=lambda _: bool(images()), timeout=60)
    assert "hello mcp" in run.text()  # echo is auto-approved: it already ran
    card = kernel.comms[images()[0]]
    assert "lab" in json.dumps(card["details"])  # the card names the server
    kernel.decide(images()[0], "approve")
    kernel.pump(run, timeout=60)
    assert "Both ran." in run.text()
    shown = [sorted(m["content"].get("data", {})) for m in run.outputs("display_data", "update_display_data")]
    assert any("image/png" in keys for keys in shown), shown


def test_a_stdio_server_gets_no_secrets_from_the_kernel(kernel: KernelDriver, home: Path):
    script = home / "environ.json"
    script.write_text(json.dumps({"turns": [calls(("mcp__lab__environ", {})), {"text": "checked"}]}))
    run = kernel.start(f"%%intern --yolo --model scripted/{script}\nshow the env")
    kernel.pump(run, timeout=60)
    history = kernel.run(
        "import json; print(json.dumps(get_ipython().magics_manager.registry['InternMagics']"
        ".agent.session().history.messages()[-2]['content']))"
    ).text()
    environ = json.loads(history.strip().splitlines()[-1])
    assert "sk-not-for-mcp" not in environ and "SOME_API_KEY" not in environ and "PATH" in environ


def test_reconnect_and_bad_arguments_are_clear(kernel: KernelDriver):
    assert "connected" in kernel.run("%intern mcp reconnect lab", timeout=60).text()
    assert "no MCP server named `nope`" in kernel.run("%intern mcp reconnect nope", timeout=30).text()
    assert "%intern mcp reconnect NAME" in kernel.run("%intern mcp restart", timeout=30).text()

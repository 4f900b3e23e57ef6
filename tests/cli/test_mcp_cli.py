"""MCP in the terminal: a one-shot run uses a configured server's tools; /mcp lists them; a project
.mcp.json server starts only after a yes, and never in a one-shot run."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest

from ml_intern_jupyter import cli
from ml_intern_jupyter.cli.chat import run_chat
from ml_intern_jupyter.cli.mcp_consent import ProjectServerConsent
from ml_intern_jupyter.cli.render import TerminalRenderer

from ..tools.mcp.conftest import SERVER_SCRIPT
from .test_cli import FakeTerminal

LAB = {"command": sys.executable, "args": [str(SERVER_SCRIPT), "stdio"]}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "config.json").write_text(json.dumps({"mcpServers": {"lab": LAB}}))
    (tmp_path / ".mcp.json").write_text(json.dumps({"mcpServers": {"cloned": LAB}}))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_one_shot_run_calls_an_mcp_tool_and_leaves_project_servers_off(project: Path, write_script, capsys):
    echo = {"tool_calls": [{"name": "mcp__lab__echo", "arguments": {"text": "from the terminal"}}]}
    cloned = {"tool_calls": [{"name": "mcp__cloned__echo", "arguments": {"text": "should not run"}}]}
    model = write_script([echo, cloned, {"text": "done"}])
    code = cli.main(["--config", str(project / "config.json"), "--model", model, "use mcp"])
    captured = capsys.readouterr()
    assert code == 0
    assert "✓ from the terminal" in captured.out or "from the terminal" in captured.out.split("▶ mcp__lab__echo")[1]
    assert "unknown tool 'mcp__cloned__echo'" in captured.out  # the project's server never started
    assert "`cloned`" in captured.err and "was not started (not allowed)" in captured.err  # and told why


async def test_slash_mcp_lists_servers_and_a_yes_starts_a_project_server(project: Path, write_script, capsys):
    consent = ProjectServerConsent()
    args = cli.build_parser().parse_args(["--config", str(project / "config.json"), "--model", write_script([])])
    front = cli.FrontEnd.create({}, record=False)
    built = cli.make_session(args, front, TerminalRenderer(), consent)
    asked: list[str] = []
    consent.ask(built.mcp.project_servers(), ask=lambda q: asked.append(q) or "y")
    assert len(asked) == 1 and "`cloned`" in asked[0] and str(SERVER_SCRIPT) in asked[0]
    built.start_services()
    try:
        assert await built.mcp.wait_ready(30)
        code = await asyncio.wait_for(run_chat(built.session, ask=FakeTerminal(["/mcp", "/quit"]), mcp=built.mcp), 30)
    finally:
        await built.aclose()
        front.close()
    out = capsys.readouterr().out
    assert code == 0 and "lab" in out and "cloned" in out and out.count("connected") >= 2
    assert "`" not in out.split("MCP servers")[1]  # plain text in a terminal

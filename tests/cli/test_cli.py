"""The ``ml-intern`` command: headless runs, exit codes, the console script, and the chat loop."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ml_intern_jupyter import cli
from ml_intern_jupyter.agent.model import KNOWN_MODELS
from ml_intern_jupyter.cli.chat import run_chat
from ml_intern_jupyter.cli.render import TerminalRenderer

from ..conftest import RiskyTool, echo_tool


def call(name: str, **arguments) -> dict:
    return {"name": name, "arguments": arguments}


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env, tool files land in tmp


TOOL_SCRIPT = [
    {"text": "Computing the answer now.", "tool_calls": [call("python", code="print(6 * 7)")]},
    {"text": "The answer is 42, all done."},
]


# ----------------------------------------------------------------- headless


def test_headless_run_streams_text_and_tool_output(write_script, capsys) -> None:
    code = cli.main(["--model", write_script(TOOL_SCRIPT), "compute six times seven"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Computing the answer now." in out
    assert "▶ python" in out and "print(6 * 7)" in out
    assert "✓ 42" in out
    assert "The answer is 42, all done." in out
    assert "done in 2 iteration(s)" in err


def test_no_stream_prints_whole_messages(write_script, capsys, monkeypatch) -> None:
    seen: list[str] = []

    class RecordingRenderer(TerminalRenderer):
        def __call__(self, event) -> None:
            seen.append(event.type)
            super().__call__(event)

    monkeypatch.setattr(cli, "TerminalRenderer", RecordingRenderer)
    code = cli.main(["--no-stream", "--model", write_script(TOOL_SCRIPT), "compute"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "assistant_chunk" not in seen and "assistant_stream_end" not in seen
    assert seen.count("assistant_message") == 2
    assert out.count("The answer is 42, all done.") == 1 and "✓ 42" in out


def test_error_turn_exits_1_with_a_fix_on_stderr(write_script, capsys) -> None:
    code = cli.main(["--model", write_script([{"error": "auth"}]), "hello"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "✗ Error:" in err and "Fix:" in err and "API key" in err and "`/model`" in err
    assert "Fix:" not in out


def test_max_iterations_zero_is_a_usage_error(write_script, capsys) -> None:
    code = cli.main(["--max-iterations", "0", "--model", write_script([{"text": "x"}]), "hi"])
    _, err = capsys.readouterr()
    assert code == 2 and "--max-iterations must be at least 1" in err


def test_max_iterations_cap_is_honoured(write_script, capsys) -> None:
    turns = [{"tool_calls": [call("plan", todos=[{"content": f"s{i}", "status": "pending"}])]} for i in range(3)]
    code = cli.main(["--max-iterations", "1", "--model", write_script(turns), "plan"])
    _, err = capsys.readouterr()
    assert code == 0 and "stopped at max_iterations" in err and "done in 1 iteration(s)" in err


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{ not json", "invalid JSON"),
        ('{"modle_name": "x"}', "unknown key"),
        ('{"max_iterations": -1}', "max_iterations"),
    ],
)
def test_broken_config_exits_2_naming_the_file(tmp_path, write_script, capsys, content, needle) -> None:
    config = tmp_path / "broken-config.json"
    config.write_text(content)
    code = cli.main(["--config", str(config), "--model", write_script([{"text": "x"}]), "hi"])
    out, err = capsys.readouterr()
    assert code == 2
    assert str(config) in err and needle in err and "Fix:" in err
    assert out == ""


def test_console_script_entry_point_runs_headless(tmp_path, write_script) -> None:
    script = shutil.which("ml-intern", path=str(Path(sys.executable).parent)) or str(
        Path(sys.executable).parent / "ml-intern"
    )
    assert Path(script).is_file()
    proc = subprocess.run(
        [script, "--model", write_script(TOOL_SCRIPT), "compute six times seven"],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        cwd=tmp_path,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "The answer is 42, all done." in proc.stdout and "✓ 42" in proc.stdout


# ----------------------------------------------------------------- interactive chat


class FakeTerminal:
    """An ``ask`` that answers from a list of lines and records the prompts."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = list(lines)
        self.prompts: list[str] = []

    async def __call__(self, prompt: str) -> str:
        self.prompts.append(prompt)
        if not self.lines:
            raise EOFError
        return self.lines.pop(0)


async def run(session, lines: list[str]) -> tuple[int, FakeTerminal]:
    terminal = FakeTerminal(lines)
    code = await asyncio.wait_for(run_chat(session, ask=terminal), 30)
    return code, terminal


async def test_chat_rejection_with_feedback_reaches_the_history(make_session, capsys) -> None:
    risky = RiskyTool()
    session, rec = make_session(
        [{"tool_calls": [call("risky", code="rm -rf /")]}, {"text": "Understood, nothing deleted."}],
        tools=[risky.spec()],
    )
    code, terminal = await run(session, ["clean up", "n", "please never delete files", "/quit"])
    assert code == 0 and terminal.lines == []
    assert risky.calls == []
    tool_result = next(m for m in session.history.messages() if m["role"] == "tool")
    assert "rejected" in tool_result["content"] and "please never delete files" in tool_result["content"]
    assert rec.of("turn_complete")[0].final_text == "Understood, nothing deleted."
    out = capsys.readouterr().out
    assert "? risky wants to run (runs code)" in out and "rm -rf /" in out
    assert any("approve?" in p for p in terminal.prompts)


async def test_chat_approve_runs_the_tool(make_session) -> None:
    risky = RiskyTool()
    session, _ = make_session([{"tool_calls": [call("risky", code="ok()")]}, {"text": "ran"}], tools=[risky.spec()])
    code, _ = await run(session, ["go", "y"])  # then end of input
    assert code == 0 and risky.calls == [{"code": "ok()"}]
    assert session.status().yolo is False


async def test_chat_approve_all_switches_yolo_on(make_session) -> None:
    risky = RiskyTool()
    session, _ = make_session(
        [{"tool_calls": [call("risky", code="a")]}, {"tool_calls": [call("risky", code="b")]}, {"text": "ok"}],
        tools=[risky.spec()],
    )
    code, terminal = await run(session, ["go", "a", "/quit"])
    assert code == 0 and [c["code"] for c in risky.calls] == ["a", "b"]
    assert session.status().yolo is True
    assert sum("approve?" in p for p in terminal.prompts) == 1  # the second call was not asked


async def test_chat_yolo_on_skips_approvals(make_session, capsys) -> None:
    risky = RiskyTool()
    session, rec = make_session([{"tool_calls": [call("risky", code="x")]}, {"text": "ok"}], tools=[risky.spec()])
    code, terminal = await run(session, ["/yolo on", "go", "/quit"])
    assert code == 0 and session.status().yolo is True
    assert risky.calls == [{"code": "x"}] and rec.of("approval_required") == []
    assert terminal.prompts == ["> ", "> ", "> "]
    assert "yolo on" in capsys.readouterr().out


async def test_chat_yolo_usage_and_off(make_session, capsys) -> None:
    session, _ = make_session([], yolo=True)
    await run(session, ["/yolo maybe", "/yolo off"])
    assert session.status().yolo is False
    out = capsys.readouterr().out
    assert "Say /yolo on or /yolo off." in out and "Usage: /yolo on|off" in out


async def test_chat_model_lists_examples_and_switches(make_session, capsys) -> None:
    session, _ = make_session([])
    current = session.model_id
    await run(session, ["/model", "/model ollama/llama3.1:8b", "/model nonexistent/xyz"])
    out = capsys.readouterr().out
    assert f"Model: {current}" in out
    assert all(model in out for model in KNOWN_MODELS)
    assert session.model_id == "ollama/llama3.1:8b" and session.provider().kind == "local_server"
    assert "Model set to ollama/llama3.1:8b." in out
    assert "Unknown model 'nonexistent/xyz'" in out  # refused, and not kept


async def test_chat_undo_drops_the_last_turn(make_session) -> None:
    session, rec = make_session([{"text": "first"}, {"text": "second"}], tools=[echo_tool()])
    code, _ = await run(session, ["one", "two", "/undo", "/quit"])
    assert code == 0
    assert [m["role"] for m in session.history.messages()] == ["system", "user", "assistant"]
    assert session.history.messages()[1]["content"] == "one"
    assert rec.of("undo_complete")[0].user_message == "two"


async def test_chat_quit_stops_reading(make_session, capsys) -> None:
    session, rec = make_session([{"text": "never used"}])
    code, terminal = await run(session, ["", "/help", "/nonsense", "/quit", "ignored"])
    assert code == 0 and terminal.lines == ["ignored"]
    assert rec.of("processing") == []
    out = capsys.readouterr().out
    assert "Unknown command /nonsense" in out and "`" not in out and "**" not in out  # plain text in a terminal
    help_row = next(line for line in out.splitlines() if line.startswith("/yolo on|off"))
    assert help_row.split("  ", 1)[1].strip().startswith("Auto-approve")  # an aligned two-column table


async def test_chat_end_of_input_exits_cleanly(make_session) -> None:
    session, _ = make_session([])
    code, terminal = await run(session, [])
    assert code == 0 and terminal.prompts == ["> "]

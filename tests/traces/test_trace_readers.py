"""Exported traces read by a real third-party Claude Code transcript reader (claude-code-log).

The reader builds its conversation tree from ``uuid``/``parentUuid`` and groups assistant
lines by ``message.id``; a trace that lacks what Claude Code's own transcripts carry loses
every assistant text and tool call there, with "orphan" and "unexpected root" warnings.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ml_intern_jupyter.commands import TraceExports
from ml_intern_jupyter.protocol import SetModel
from ml_intern_jupyter.traces.claude_code import dumps_jsonl

from ..conftest import need_local_extra, say
from .test_claude_code import conversation, lines_of

READER = [sys.executable, "-c", "from claude_code_log.cli import main; main()", "convert"]


def render(path: Path) -> tuple[str, str]:
    """claude-code-log's Markdown of the trace at ``path``, and what it logged on stderr."""
    need_local_extra("claude_code_log", extra="test")
    out = path.with_suffix(".md")
    done = subprocess.run([*READER, str(path), "-o", str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return out.read_text(encoding="utf-8"), done.stderr


def test_every_user_text_assistant_text_tool_call_and_result_is_rendered(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl"
    path.write_text(dumps_jsonl(lines_of(start_time=1767225600.0)), encoding="utf-8")
    markdown, log = render(path)
    assert "WARNING" not in log and "orphan" not in log.lower(), log
    for message in conversation()[1:]:
        if message["role"] in ("user", "assistant") and message.get("content"):
            assert message["content"] in markdown, message["content"]
        if message["role"] == "tool":
            assert message["content"] in markdown, message["content"]
        for item in message.get("tool_calls", []):
            assert f"#### {item['function']['name']}" in markdown
    assert "`df.describe()`" in markdown and "`nvidia-smi`" in markdown  # the calls' arguments


async def test_a_real_session_that_reused_tool_ids_renders_whole(make_session, write_script, tmp_path: Path) -> None:
    first = [{"text": "Looking.", "tool_calls": [{"name": "echo", "arguments": {"text": "one"}}]}, {"text": "First."}]
    session, _ = make_session(first)
    await say(session, "first question")
    second = [{"text": "Again.", "tool_calls": [{"name": "echo", "arguments": {"text": "two"}}]}, {"text": "Second."}]
    await session.submit(SetModel(write_script(second)))  # a new scripted file numbers its calls from 0 again
    await say(session, "second question")
    ids = [m["tool_call_id"] for m in session.history.messages() if m["role"] == "tool"]
    assert len(ids) == 2 and len(set(ids)) == 1  # the provider really reused the id

    path = tmp_path / "real.jsonl"
    path.write_text(TraceExports(env={}).jsonl(session), encoding="utf-8")
    markdown, log = render(path)
    assert "WARNING" not in log, log
    for text in ("first question", "Looking.", "echo: one", "First.", "second question", "Again.", "echo: two"):
        assert text in markdown, text
    assert markdown.count("#### echo") == 2 and "Second." in markdown

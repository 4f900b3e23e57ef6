"""A session's history as a redacted Claude Code JSONL trace (what export and sharing send)."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence
from pathlib import Path

from .claude_code import TraceEntry, dumps_jsonl, to_trace_lines, validate_trace
from .redact import Redactor


def session_trace_jsonl(
    entries: Sequence[TraceEntry],
    *,
    session_id: str,
    model: str,
    cwd: str,
    started: float,
    redactor: Redactor,
) -> str:
    """Redact the messages, convert them, check the result, and serialise it (raises ``ValueError``)."""
    redacted = [dataclasses.replace(entry, message=redactor.value(entry.message)) for entry in entries]
    lines = to_trace_lines(redacted, session_id=session_id, model=model, cwd=cwd, start_time=started)
    problems = validate_trace(lines)
    if problems:
        raise ValueError("the trace does not validate: " + "; ".join(problems[:5]))
    return dumps_jsonl(lines)


def trace_day(started: float) -> datetime.date:
    """The UTC day a session started on (the folder it is exported under)."""
    return datetime.datetime.fromtimestamp(started, datetime.UTC).date()


def write_trace_file(path: Path, jsonl: str) -> Path:
    """Write a trace locally (blocking: call it in a worker thread)."""
    path = path.expanduser()
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a directory; give a file name such as {path / 'session.jsonl'}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(jsonl, encoding="utf-8")
    return path

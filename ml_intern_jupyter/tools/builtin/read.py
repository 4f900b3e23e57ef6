"""The ``read`` tool: a text file's lines, numbered like ``cat -n``."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

from ..spec import ToolContext, ToolResult, ToolSpec
from ._paths import resolve_path

DEFAULT_LIMIT = 2_000
"""Lines returned when ``limit`` is not given."""

MAX_LINE_CHARS = 2_000
"""Longer lines are cut to this many characters."""

MAX_READ_CHARS = 100_000
"""Stop adding lines once the result is this long (the model continues with ``offset``)."""

_SNIFF_BYTES = 8_192

DESCRIPTION = f"""\
Read a text file from the local filesystem. Lines come back numbered like `cat -n` \
(line number, tab, content; numbers start at 1).

- `file_path` may be absolute or relative to the working directory.
- By default up to {DEFAULT_LIMIT} lines from the start are returned; for long files pass \
`offset` (1-based first line) and `limit` (number of lines) to read a slice.
- Lines longer than {MAX_LINE_CHARS} characters are truncated.
- Binary files and directories are refused; use `bash` (e.g. `ls`, `file`, `head -c`) \
for those. Read a file before editing it."""

PARAMETERS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "file_path": {"type": "string", "description": "Path of the file to read."},
        "offset": {
            "type": "integer",
            "minimum": 0,
            "description": "1-based line number to start at (default 1).",
        },
        "limit": {
            "type": "integer",
            "minimum": 1,
            "description": f"Number of lines to read (default {DEFAULT_LIMIT}).",
        },
    },
    "required": ["file_path"],
    "additionalProperties": False,
}


class ReadError(Exception):
    """A file cannot be read as text; the message is for the model."""


def make_read_tool() -> ToolSpec:
    """The ``read`` tool spec (never asks for approval)."""
    return ToolSpec(
        name="read",
        description=DESCRIPTION,
        parameters=PARAMETERS,
        handler=run_read,
        needs_approval=False,
        read_only=True,
    )


async def run_read(arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
    """Handler of the ``read`` tool."""
    path = resolve_path(arguments["file_path"], ctx.workdir)
    offset = max(1, int(arguments.get("offset") or 1))
    limit = int(arguments.get("limit") or DEFAULT_LIMIT)
    try:
        text = await asyncio.to_thread(read_numbered, path, offset, limit)
    except ReadError as exc:
        return ToolResult(str(exc), ok=False)
    return ToolResult(text)


def read_numbered(path: Path, offset: int = 1, limit: int = DEFAULT_LIMIT) -> str:
    """Lines ``offset .. offset+limit-1`` of ``path`` in ``cat -n`` format (blocking)."""
    try:
        with path.open("rb") as raw:
            if b"\0" in raw.read(_SNIFF_BYTES):
                size = path.stat().st_size
                raise ReadError(f"{path} is a binary file ({size} bytes); read only handles text files.")
            raw.seek(0)
            stream = io.TextIOWrapper(raw, encoding="utf-8", errors="replace")
            return _number_lines(stream, offset, limit)
    except FileNotFoundError:
        raise ReadError(f"File not found: {path}") from None
    except IsADirectoryError:
        raise ReadError(f"{path} is a directory, not a file; use bash `ls` to list it.") from None
    except PermissionError:
        raise ReadError(f"Permission denied: {path}") from None
    except OSError as exc:
        raise ReadError(f"Cannot read {path}: {exc}") from None


def _number_lines(stream: io.TextIOBase, offset: int, limit: int) -> str:
    out: list[str] = []
    size = 0
    count = 0
    for count, line in enumerate(stream, start=1):
        if count < offset:
            continue
        if count >= offset + limit:
            out.append(f"[... more lines follow; continue with offset={count}]")
            break
        if size >= MAX_READ_CHARS:
            out.append(f"[... output limit reached; continue with offset={count}]")
            break
        text = line.rstrip("\r\n")
        if len(text) > MAX_LINE_CHARS:
            text = text[:MAX_LINE_CHARS] + f"… [line truncated, {len(text)} chars]"
        entry = f"{count:>6}\t{text}"
        out.append(entry)
        size += len(entry) + 1
    if out:
        return "\n".join(out)
    if count == 0:
        return "(the file is empty)"
    raise ReadError(f"offset {offset} is past the end of the file ({count} lines).")

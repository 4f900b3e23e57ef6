"""The ``write`` tool: create or overwrite a text file."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from ..spec import ToolContext, ToolResult, ToolSpec
from ._paths import outside_scratch, resolve_path

DESCRIPTION = """\
Write a text file, creating missing parent directories and replacing the file if it exists.

- `file_path` may be absolute or relative to the working directory.
- `content` is written exactly as given (UTF-8).
- To change part of an existing file prefer `edit`; read a file before overwriting it.
- Writes inside the session's scratch directory run without asking; anywhere else the \
user is asked to approve first."""

PARAMETERS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "file_path": {"type": "string", "description": "Path of the file to write."},
        "content": {"type": "string", "description": "The full text to write."},
    },
    "required": ["file_path", "content"],
    "additionalProperties": False,
}


def make_write_tool(scratch: Path) -> ToolSpec:
    """The ``write`` tool spec; asks for approval outside ``scratch``."""
    return ToolSpec(
        name="write",
        description=DESCRIPTION,
        parameters=PARAMETERS,
        handler=run_write,
        needs_approval=outside_scratch(scratch),
        approval_reason="writes a file outside the scratch directory",
    )


async def run_write(arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
    """Handler of the ``write`` tool."""
    path = resolve_path(arguments["file_path"], ctx.workdir)
    try:
        existed = await asyncio.to_thread(write_text, path, arguments["content"])
    except IsADirectoryError:
        return ToolResult(f"{path} is a directory; give a file path.", ok=False)
    except OSError as exc:
        return ToolResult(f"Cannot write {path}: {exc}", ok=False)
    content = arguments["content"]
    lines = content.count("\n") + (1 if content and not content.endswith("\n") else 0)
    verb = "Overwrote" if existed else "Created"
    return ToolResult(f"{verb} {path} ({lines} lines, {len(content.encode())} bytes).")


def write_text(path: Path, content: str) -> bool:
    """Write ``content`` to ``path`` (blocking); return whether the file existed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    existed = path.exists()
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(content)
    return existed

"""The ``edit`` tool: exact string replacement in a text file."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from ..spec import ToolContext, ToolResult, ToolSpec
from ._paths import outside_scratch, resolve_path

DESCRIPTION = """\
Replace an exact string in a text file.

- `old_string` must match the file exactly, including indentation and line breaks; copy \
it from `read` output without the line-number prefix.
- The edit fails if `old_string` is not found, or if it occurs more than once and \
`replace_all` is not true: then include more surrounding lines to make it unique, or set \
`replace_all` to change every occurrence (e.g. to rename a variable).
- Use `write` to create new files. Edits inside the session's scratch directory run \
without asking; anywhere else the user is asked to approve first."""

PARAMETERS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "file_path": {"type": "string", "description": "Path of the file to edit."},
        "old_string": {"type": "string", "description": "The exact text to replace."},
        "new_string": {
            "type": "string",
            "description": "The text to put in its place (must differ from old_string).",
        },
        "replace_all": {
            "type": "boolean",
            "description": "Replace every occurrence instead of requiring a unique match (default false).",
        },
    },
    "required": ["file_path", "old_string", "new_string"],
    "additionalProperties": False,
}


class EditError(Exception):
    """The edit cannot be applied; the message is for the model."""


def make_edit_tool(scratch: Path) -> ToolSpec:
    """The ``edit`` tool spec; asks for approval outside ``scratch``."""
    return ToolSpec(
        name="edit",
        description=DESCRIPTION,
        parameters=PARAMETERS,
        handler=run_edit,
        needs_approval=outside_scratch(scratch),
        approval_reason="edits a file outside the scratch directory",
    )


async def run_edit(arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
    """Handler of the ``edit`` tool."""
    path = resolve_path(arguments["file_path"], ctx.workdir)
    old, new = arguments["old_string"], arguments["new_string"]
    replace_all = bool(arguments.get("replace_all", False))
    try:
        count, line = await asyncio.to_thread(edit_file, path, old, new, replace_all)
    except EditError as exc:
        return ToolResult(str(exc), ok=False)
    noun = "occurrence" if count == 1 else "occurrences"
    return ToolResult(f"Edited {path}: replaced {count} {noun} (first at line {line}).")


def edit_file(path: Path, old: str, new: str, replace_all: bool = False) -> tuple[int, int]:
    """Apply the replacement (blocking); return (occurrences replaced, first line number)."""
    if not old:
        raise EditError("old_string is empty; use `write` to create or overwrite a file.")
    if old == new:
        raise EditError("old_string and new_string are identical; nothing to change.")
    text = _read(path)
    if old not in text and "\r\n" in text:  # the model usually sends \n for CRLF files
        old, new = _crlf(old), _crlf(new)
    count = text.count(old)
    if count == 0:
        raise EditError(f"old_string was not found in {path}. Read the file and copy the text exactly.")
    if count > 1 and not replace_all:
        raise EditError(
            f"old_string occurs {count} times in {path}. Include more surrounding context to make "
            "it unique, or set replace_all to true to replace every occurrence."
        )
    line = text.count("\n", 0, text.index(old)) + 1
    updated = text.replace(old, new) if replace_all else text.replace(old, new, 1)
    try:
        with path.open("w", encoding="utf-8", newline="") as fh:
            fh.write(updated)
    except OSError as exc:
        raise EditError(f"Cannot write {path}: {exc}") from None
    return count, line


def _read(path: Path) -> str:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            return fh.read()
    except FileNotFoundError:
        raise EditError(f"File not found: {path}. Use `write` to create it.") from None
    except IsADirectoryError:
        raise EditError(f"{path} is a directory, not a file.") from None
    except UnicodeDecodeError:
        raise EditError(f"{path} is not UTF-8 text; edit it with bash instead.") from None
    except OSError as exc:
        raise EditError(f"Cannot read {path}: {exc}") from None


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")

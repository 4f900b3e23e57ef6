"""Tools that see and edit the notebook: ``notebook_read``, ``notebook_edit``, ``notebook_run``.

They ask the JupyterLab panel extension over the ``ml_intern`` comm (the panel answers with
the live notebook model). Without it, ``notebook_read`` reads the saved ``.ipynb`` (the
kernel's ``JPY_SESSION_NAME``), an ``insert`` falls back to proposing the cell below the
current one, and the tool says so.
"""

from __future__ import annotations

import asyncio
import difflib
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..tools.spec import CallPreview, ToolContext, ToolResult, ToolSpec
from .chat_bridge import ChatBridge, NoPanel

CELL_CHARS = 2000
NO_PANEL = (
    "The ML Intern JupyterLab extension is not attached to this kernel (open its panel: command `ml-intern:open-chat`)"
)


def _cell_text(cell: Mapping[str, Any]) -> str:
    head = f"[{cell.get('index')}] {cell.get('cell_type', 'code')}"
    if cell.get("execution_count") is not None:
        head += f" (ran as [{cell['execution_count']}])"
    parts = [head, str(cell.get("source", ""))]
    outputs = [str(o.get("text", "")) for o in cell.get("outputs", []) if o.get("text")]
    if outputs:
        parts.append("-- output --\n" + "\n".join(outputs))
    if cell.get("error"):
        parts.append(f"-- error --\n{cell['error']}")
    text = "\n".join(parts)
    return text if len(text) <= CELL_CHARS else text[:CELL_CHARS] + "\n… (cut)"


def format_notebook(result: Mapping[str, Any], note: str = "") -> str:
    """The cells as text for the model."""
    cells = result.get("cells", [])
    header = f"Notebook {result.get('path', '')}: {len(cells)} cell(s) shown{note}".rstrip()
    return "\n\n".join([header, *(_cell_text(cell) for cell in cells)])


def _output_text(output: Mapping[str, Any]) -> str:
    if output.get("output_type") == "stream":
        text = output.get("text", "")
        return "".join(text) if isinstance(text, list) else str(text)
    if output.get("output_type") == "error":
        return f"{output.get('ename')}: {output.get('evalue')}"
    data = output.get("data", {})
    plain = data.get("text/plain", "")
    return "".join(plain) if isinstance(plain, list) else str(plain)


def read_saved_notebook(path: Path, wanted: list[int] | None) -> dict[str, Any]:
    """The saved ``.ipynb`` in the panel's ``read`` shape (outputs summarised to text)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    cells = []
    for index, cell in enumerate(data.get("cells", [])):
        if wanted is not None and index not in wanted:
            continue
        source = cell.get("source", "")
        outputs = [{"output_type": o.get("output_type"), "text": _output_text(o)} for o in cell.get("outputs", [])]
        cells.append(
            {
                "index": index,
                "cell_type": cell.get("cell_type", "code"),
                "source": "".join(source) if isinstance(source, list) else source,
                "execution_count": cell.get("execution_count"),
                "outputs": outputs,
            }
        )
    return {"path": str(path), "cells": cells}


def saved_notebook_path(env: Mapping[str, str], root: Path) -> Path | None:
    """The kernel's notebook file (Jupyter Server sets ``JPY_SESSION_NAME``), if it exists."""
    name = env.get("JPY_SESSION_NAME")
    if not name:
        return None
    path = Path(name)
    path = path if path.is_absolute() else root / path
    return path if path.suffix == ".ipynb" and path.is_file() else None


class NotebookTools:
    """The three notebook tools of one kernel; ``bridge`` None means no comm target (not in a kernel).

    ``in_cell()`` says a turn runs inside a ``%%intern`` cell: the kernel is busy with that cell,
    so a cell the agent asks to run would wait behind it forever; ``notebook_run`` refuses then.
    """

    def __init__(
        self,
        bridge: ChatBridge | None,
        propose_cell: Callable[[str], str],
        in_cell: Callable[[], bool] = lambda: False,
        env: Mapping[str, str] | None = None,
        root: Path | None = None,
    ) -> None:
        self.bridge, self._propose, self._in_cell = bridge, propose_cell, in_cell
        self._env = os.environ if env is None else env
        self._root = root or Path.cwd()

    def _panel(self) -> ChatBridge | None:
        return self.bridge if self.bridge is not None and self.bridge.attached else None

    async def read(self, arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        wanted = arguments.get("cells")
        panel = self._panel()
        if panel is not None:
            try:
                return ToolResult(format_notebook(await panel.request("read", {"cells": wanted} if wanted else {})))
            except (NoPanel, ValueError) as exc:
                ctx.log(f"the panel could not read the notebook ({exc}); reading the saved file")
        path = saved_notebook_path(self._env, self._root)
        if path is None:
            return ToolResult(f"{NO_PANEL}, and the notebook's file is unknown (no JPY_SESSION_NAME).", ok=False)
        result = await asyncio.to_thread(read_saved_notebook, path, wanted)
        return ToolResult(format_notebook(result, " (from the saved file: unsaved changes are not included)"))

    async def edit(self, arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        panel = self._panel()
        if panel is None:
            if arguments.get("operation") == "insert" and arguments.get("source"):
                note = self._propose(arguments["source"])
                return ToolResult(f"{NO_PANEL}, so the cell was proposed below the current one instead: {note}")
            return ToolResult(f"{NO_PANEL}: it is needed to replace or delete cells.", ok=False)
        try:
            result = await panel.request("edit", arguments)
        except (NoPanel, ValueError) as exc:
            return ToolResult(f"The notebook edit failed: {exc}", ok=False)
        return ToolResult(
            f"Done: {arguments['operation']} at cell {arguments['index']}; {result.get('cells')} cells now."
        )

    async def run(self, arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        if self._in_cell():
            return ToolResult(
                "notebook_run cannot run a cell while the agent works inside a %%intern cell (the kernel runs "
                "one cell at a time). Run the code with `python`, or ask from the chat panel or a --background run.",
                ok=False,
            )
        panel = self._panel()
        if panel is None:
            return ToolResult(f"{NO_PANEL}: it is needed to run a cell. Use `python` to run code instead.", ok=False)
        try:
            result = await panel.request("run", {"index": arguments["index"]}, timeout=24 * 3600)
        except (NoPanel, ValueError) as exc:
            return ToolResult(f"Running cell {arguments['index']} failed: {exc}", ok=False)
        outputs = "\n".join(str(o.get("text", "")) for o in result.get("outputs", []) if o.get("text"))
        error = f"\n-- error --\n{result['error']}" if result.get("error") else ""
        count = result.get("execution_count")
        return ToolResult(f"Cell {arguments['index']} ran as [{count}].\n{outputs}{error}".rstrip(), ok=not error)

    async def edit_preview(self, arguments: dict[str, Any]) -> CallPreview:
        """The approval card's diff against the cell as it is now."""
        operation, index = arguments.get("operation"), arguments.get("index")
        before = ""
        panel = self._panel()
        if panel is not None and operation in ("replace", "delete"):
            try:
                cells = (await panel.request("read", {"cells": [index]}, timeout=5)).get("cells", [])
                before = str(cells[0].get("source", "")) if cells else ""
            except (NoPanel, ValueError):
                before = ""
        after = "" if operation == "delete" else str(arguments.get("source", ""))
        diff = "\n".join(
            difflib.unified_diff(before.splitlines(), after.splitlines(), f"cell {index}", f"cell {index}", lineterm="")
        )
        return CallPreview(details={"change": f"{operation} at cell {index}", "diff": diff or "(no change)"})

    def specs(self) -> list[ToolSpec]:
        """``notebook_read``, ``notebook_edit`` and ``notebook_run``."""
        read = ToolSpec(
            name="notebook_read",
            description="Read the user's notebook: each cell's index, type, source, execution count, "
            "outputs (as text) and errors. Pass `cells` for specific indexes.",
            parameters={
                "type": "object",
                "properties": {"cells": {"type": "array", "items": {"type": "integer", "minimum": 0}}},
                "additionalProperties": False,
            },
            handler=self.read,
            read_only=True,
        )
        edit = ToolSpec(
            name="notebook_edit",
            description="Insert, replace or delete a cell of the user's notebook (the user approves a diff).",
            parameters={
                "type": "object",
                "properties": {
                    "operation": {"type": "string", "enum": ["insert", "replace", "delete"]},
                    "index": {"type": "integer", "minimum": 0, "description": "insert: the new cell's index"},
                    "source": {"type": "string"},
                    "cell_type": {"type": "string", "enum": ["code", "markdown"]},
                },
                "required": ["operation", "index"],
                "additionalProperties": False,
            },
            handler=self.edit,
            needs_approval=True,
            approval_reason="changes your notebook",
            preview=self.edit_preview,
        )
        run = ToolSpec(
            name="notebook_run",
            description="Run one cell of the user's notebook the way the user would; its output stays in the notebook.",
            parameters={
                "type": "object",
                "properties": {"index": {"type": "integer", "minimum": 0}},
                "required": ["index"],
                "additionalProperties": False,
            },
            handler=self.run,
            needs_approval=True,
            approval_reason="runs a cell of your notebook",
            exclusive=True,
        )
        return [read, edit, run]

"""Tools bound to the live kernel: ``python`` (see :mod:`.python_tool`), ``notebook_variables``, ``insert_cell``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from IPython.core.interactiveshell import InteractiveShell

from ..tools.spec import ToolContext, ToolSpec
from ..traces.redact import Redactor
from .output_router import OutputRouter
from .python_tool import make_kernel_python_tool
from .tool_capture import OutputLimits
from .variables import describe_variables


def make_variables_tool(ip: InteractiveShell, hidden: set[str]) -> ToolSpec:
    """``notebook_variables{names?}``: names, types, shapes of the user's variables (secrets hidden)."""
    redactor = Redactor()

    async def run(arguments: dict[str, Any], ctx: ToolContext) -> str:
        return describe_variables(ip.user_ns, arguments.get("names"), hidden=hidden, redactor=redactor)

    return ToolSpec(
        name="notebook_variables",
        description=(
            "List the variables defined in the user's notebook: name, type, shape/dtype, a short value, "
            "and the columns and head of DataFrames. Pass `names` for specific variables."
        ),
        parameters={
            "type": "object",
            "properties": {"names": {"type": "array", "items": {"type": "string"}}},
            "additionalProperties": False,
        },
        handler=run,
    )


def make_insert_cell_tool(ip: InteractiveShell) -> ToolSpec:
    """``insert_cell{code}``: propose code as a new cell below, for the user to keep."""

    async def run(arguments: dict[str, Any], ctx: ToolContext) -> str:
        payload = {"source": "set_next_input", "text": arguments["code"], "replace": False}
        manager = getattr(ip, "payload_manager", None)
        if manager is None:
            return "This front end cannot insert cells; the code is shown in the tool card instead."
        manager.write_payload(payload, single=False)
        return "The code was proposed as a new cell below the current one (it has not been run)."

    return ToolSpec(
        name="insert_cell",
        description="Propose code as a new notebook cell below the current one, without running it.",
        parameters={
            "type": "object",
            "properties": {"code": {"type": "string", "description": "the cell's code"}},
            "required": ["code"],
            "additionalProperties": False,
        },
        handler=run,
    )


def kernel_tools(
    ip: InteractiveShell, hidden: set[str], router: OutputRouter, outputs: Callable[[], Path], limits: OutputLimits
) -> list[ToolSpec]:
    """The three kernel-bound tools."""
    python = make_kernel_python_tool(ip, router, outputs, limits)
    return [python, make_variables_tool(ip, hidden), make_insert_cell_tool(ip)]

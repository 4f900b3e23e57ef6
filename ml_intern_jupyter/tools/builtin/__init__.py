"""Built-in tools: ``bash``, ``read``, ``write``, ``edit``, ``plan`` and a plain ``python``."""

from __future__ import annotations

from pathlib import Path

from ..spec import ToolSpec
from .bash import make_bash_tool
from .edit import make_edit_tool
from .files import default_scratch_dir, make_file_tools
from .plan import make_plan_tool, render_plan
from .python_exec import PythonNamespace, make_python_tool
from .read import make_read_tool
from .write import make_write_tool

__all__ = [
    "PythonNamespace",
    "builtin_tools",
    "default_scratch_dir",
    "make_bash_tool",
    "make_edit_tool",
    "make_file_tools",
    "make_plan_tool",
    "make_python_tool",
    "make_read_tool",
    "make_write_tool",
    "render_plan",
]


def builtin_tools(*, scratch: Path, python_namespace: PythonNamespace | None = None) -> list[ToolSpec]:
    """``bash``, ``read``, ``write``, ``edit``, ``plan`` and ``python``, in that order.

    Writes and edits inside ``scratch`` run without approval. The notebook layer
    replaces ``python`` with its kernel-bound tool (register one of the same name).
    """
    return [
        make_bash_tool(),
        *make_file_tools(scratch),
        make_plan_tool(),
        make_python_tool(python_namespace),
    ]

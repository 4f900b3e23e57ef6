"""The tool set a plain (non-notebook) session starts with."""

from __future__ import annotations

from ..tools.builtin import builtin_tools
from ..tools.spec import ToolRouter
from .config import AgentConfig, resolve_data_dir


def default_router(config: AgentConfig) -> ToolRouter:
    """bash, read, write, edit, plan and a plain-Python ``python`` tool.

    Writes inside ``<data dir>/scratch`` need no approval.
    """
    scratch = resolve_data_dir(config) / "scratch"
    return ToolRouter(builtin_tools(scratch=scratch))

"""The file tools as one set: ``read``, ``write`` and ``edit``."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..spec import ToolSpec
from .edit import make_edit_tool
from .read import make_read_tool
from .write import make_write_tool


def default_scratch_dir() -> Path:
    """A suggested scratch directory (not created): ``<tmp>/ml-intern-scratch``."""
    return Path(tempfile.gettempdir()) / "ml-intern-scratch"


def make_file_tools(scratch: Path) -> list[ToolSpec]:
    """``read``, ``write`` and ``edit``; writes and edits inside ``scratch`` need no approval."""
    return [make_read_tool(), make_write_tool(scratch), make_edit_tool(scratch)]

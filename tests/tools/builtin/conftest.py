"""Shared helpers for the built-in tool tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from ml_intern_jupyter.protocol import Event, ToolLog
from ml_intern_jupyter.tools.spec import ToolContext


class Recorder:
    """A ToolContext whose emitted events are kept."""

    def __init__(self, workdir: Path, name: str = "tool") -> None:
        self.events: list[Event] = []
        self.ctx = ToolContext(tool_call_id="call-1", name=name, emit=self.events.append, workdir=workdir)

    @property
    def log_lines(self) -> list[str]:
        return [e.line for e in self.events if isinstance(e, ToolLog)]


@pytest.fixture
def recorder(tmp_path: Path) -> Recorder:
    return Recorder(tmp_path)

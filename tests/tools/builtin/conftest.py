"""Shared helpers for the built-in tool tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from ml_intern_jupyter.tools.spec import Display, ToolContext


class Recorder:
    """A ToolContext whose log lines and displays are kept."""

    def __init__(self, workdir: Path, name: str = "tool") -> None:
        self.log_lines: list[str] = []
        self.displays: list[Display] = []
        self.ctx = ToolContext(
            tool_call_id="call-1",
            name=name,
            workdir=workdir,
            on_log=self.log_lines.append,
            on_show=self.displays.append,
        )


@pytest.fixture
def recorder(tmp_path: Path) -> Recorder:
    return Recorder(tmp_path)

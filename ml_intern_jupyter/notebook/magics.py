"""The ``%%intern`` cell magic and the ``%intern`` line magic."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from IPython.core.magic import Magics, cell_magic, line_magic, magics_class

from .commands import Commands
from .kernel_agent import KernelAgent


@magics_class
class InternMagics(Magics):
    """Both magics return a coroutine; the input transformer makes the cell await it."""

    def __init__(self, shell: Any) -> None:
        super().__init__(shell)
        self.agent = KernelAgent(shell)
        self.commands = Commands(self.agent)

    @cell_magic("intern")
    def intern_cell(self, line: str, cell: str) -> Coroutine[Any, Any, None]:
        """%%intern [--model M] [--max-iterations N] [--yolo] [--no-stream] [--new] [--session NAME]
        [--background]

        The cell body is your message to the agent. The conversation continues across cells.
        """
        return self.agent.run_cell(line, cell)

    @line_magic("intern")
    def intern_line(self, line: str) -> Coroutine[Any, Any, None]:
        """%intern COMMAND: model, yolo, undo, compact, new, history, status, tools, fix, stop, help ..."""
        return self.commands.run(line)

"""One command registry for every front end: ``%intern <command>`` and the CLI's ``/<command>``.

A :class:`Command` has a name, a usage line, a help line and an async handler that gets a
:class:`CommandContext` and the arguments, and returns a :class:`Reply` (Markdown, whose
plain-text form keeps its line breaks). Each front end words commands in its own syntax
through :class:`Front` (``%intern undo`` or ``/undo``).
"""

from __future__ import annotations

import shlex
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Reply:
    """What a command shows: Markdown (tables and lists allowed) at a level (info, warning, error)."""

    markdown: str
    level: str = "info"


def table_cell(text: str) -> str:
    """Text for a Markdown table cell: a ``|`` (even inside backticks) would end the cell."""
    return text.replace("|", "\\|").replace("\n", " ")


class CommandError(ValueError):
    """Bad arguments; the message says what to type instead."""


@dataclass(frozen=True)
class Front:
    """How one front end spells commands: ``%intern `` in a notebook, ``/`` in the terminal."""

    name: str
    prefix: str

    def command(self, name: str, args: str = "") -> str:
        """A command as the user types it, in backticks."""
        return f"`{self.prefix}{name}{' ' + args if args else ''}`"

    def remedies(self, names: Iterable[str]) -> str:
        """``Try `%intern undo` or `%intern new`.`` for an error's remedies ('' when none)."""
        spelled = [self.command(n) for n in names]
        if not spelled:
            return ""
        listed = spelled[0] if len(spelled) == 1 else ", ".join(spelled[:-1]) + " or " + spelled[-1]
        return f"Try {listed}."


NOTEBOOK = Front("notebook", "%intern ")
CLI = Front("cli", "/")


@dataclass
class CommandContext:
    """What a handler may use: the front, the active session, and a way to show progress.

    ``extra`` carries front-specific objects (the notebook's ``KernelAgent``) for the commands
    that front registers itself.
    """

    front: Front
    session: Any
    show: Callable[[Reply], None]
    extra: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[CommandContext, list[str]], Awaitable["Reply | None"]]


@dataclass(frozen=True)
class Command:
    """One command: ``usage`` is what follows the name, ``fronts`` where it exists."""

    name: str
    usage: str
    help: str
    handler: Handler
    fronts: frozenset[str] = frozenset({"notebook", "cli"})


class Registry:
    """The commands of one front end."""

    def __init__(self, front: Front, commands: Iterable[Command] = ()) -> None:
        self.front = front
        self._commands: dict[str, Command] = {}
        for command in commands:
            self.add(command)

    def add(self, command: Command) -> None:
        """Register a command (only if it exists on this front)."""
        if self.front.name in command.fronts:
            self._commands[command.name] = command

    def names(self) -> list[str]:
        """The command names, in registration order."""
        return list(self._commands)

    def get(self, name: str) -> Command | None:
        """The command called ``name``."""
        return self._commands.get(name)

    def help(self) -> Reply:
        """Every command with its usage and help, as a Markdown table."""
        rows = [
            f"| {table_cell(self.front.command(c.name, c.usage))} | {table_cell(c.help)} |"
            for c in self._commands.values()
        ]
        return Reply("**Commands**\n\n| command | what it does |\n| --- | --- |\n" + "\n".join(rows))

    async def run(self, line: str, context: CommandContext) -> Reply | None:
        """Run one command line (without the prefix); bad input becomes an error reply."""
        try:
            words = shlex.split(line)
        except ValueError as exc:
            return Reply(f"Cannot parse {self.front.command(line)}: {exc}. Check the quotes.", "error")
        name, args = (words[0], words[1:]) if words else ("help", [])
        command = self._commands.get(name)
        if command is None:
            return Reply(f"Unknown command {self.front.command(name)}.\n\n{self.help().markdown}", "error")
        try:
            return await command.handler(context, args)
        except CommandError as exc:
            return Reply(f"{exc}\n\nUsage: {self.front.command(command.name, command.usage)}", "error")

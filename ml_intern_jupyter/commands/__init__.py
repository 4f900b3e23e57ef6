"""Commands shared by the front ends (``%intern <command>``, the CLI's ``/<command>``)."""

from __future__ import annotations

from .exports import TraceExports
from .mcp_commands import MCP_COMMANDS
from .registry import CLI, NOTEBOOK, Command, CommandContext, CommandError, Front, Registry, Reply
from .session_commands import SESSION_COMMANDS, submit_and_collect
from .trace_commands import TRACE_COMMANDS

__all__ = [
    "CLI",
    "NOTEBOOK",
    "Command",
    "CommandContext",
    "CommandError",
    "Front",
    "Registry",
    "Reply",
    "TraceExports",
    "default_registry",
    "submit_and_collect",
]


def default_registry(front: Front) -> Registry:
    """The shared commands plus ``help``; front ends add their own (``fix``, ``stop``, ``quit``...)."""
    registry = Registry(front, [*SESSION_COMMANDS, *TRACE_COMMANDS, *MCP_COMMANDS])

    async def help_command(ctx: CommandContext, args: list[str]):
        """This list."""
        return registry.help()

    registry.add(Command("help", "", "This list.", help_command))
    return registry

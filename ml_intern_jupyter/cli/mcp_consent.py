"""Which project ``.mcp.json`` servers the terminal user allowed, asked once before anything starts."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..tools.mcp import McpServerConfig


class ProjectServerConsent:
    """The consent hook of a CLI session: only servers the user said yes to start (headless: none)."""

    def __init__(self) -> None:
        self.allowed: set[str] = set()

    async def __call__(self, server: McpServerConfig) -> bool:
        return server.name in self.allowed

    def ask(self, servers: Iterable[McpServerConfig], ask: Callable[[str], str] = input) -> None:
        """One y/N question per project server (Enter or end of input: no)."""
        for server in servers:
            what = "run" if server.transport == "stdio" else "connect to"
            question = (
                f"The project's {server.origin} wants to {what} MCP server `{server.name}`: {server.target}\n"
                "  start it? [y/N] "
            )
            try:
                answer = ask(question)
            except EOFError:
                answer = ""
            if answer.strip().lower().startswith("y"):
                self.allowed.add(server.name)

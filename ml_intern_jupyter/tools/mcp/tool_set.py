"""The tools one server has registered in the router, kept in step with its ``tools/list``."""

from __future__ import annotations

import mcp_types as types

from ..spec import ToolRouter
from .config import McpServerConfig
from .naming import assign_names
from .specs import Caller, make_tool_spec


class ServerTools:
    """Registers, updates and removes one server's tools in a :class:`ToolRouter`."""

    def __init__(self, config: McpServerConfig, router: ToolRouter, call: Caller) -> None:
        self._config = config
        self._router = router
        self._call = call
        self._listed: dict[str, types.Tool] = {}  # exposed name -> definition
        self._notes: dict[str, list[str]] = {}

    @property
    def names(self) -> tuple[str, ...]:
        """The exposed names currently registered."""
        return tuple(self._listed)

    @property
    def notes(self) -> tuple[str, ...]:
        """Repairs made to the tools' schemas."""
        return tuple(note for notes in self._notes.values() for note in notes)

    def update(self, tools: list[types.Tool]) -> tuple[list[str], list[str]]:
        """Make the router hold exactly ``tools``; returns (added, removed) tool names."""
        exposed = assign_names(self._config.name, [t.name for t in tools])
        wanted = {exposed[t.name]: t for t in tools}
        removed = [self._listed[name].name for name in self._listed if name not in wanted]
        for name in [n for n in self._listed if n not in wanted]:
            self._router.unregister(name)
            del self._listed[name]
            self._notes.pop(name, None)
        added = []
        for name, tool in wanted.items():
            if self._listed.get(name) == tool and name in self._router:
                continue
            if name not in self._listed:
                added.append(tool.name)
            spec, notes = make_tool_spec(self._config, tool, name, self._call)
            self._router.register(spec)
            self._listed[name] = tool
            self._notes[name] = notes
        return added, removed

    def clear(self) -> None:
        """Remove every tool of this server from the router."""
        for name in self._listed:
            self._router.unregister(name)
        self._listed.clear()
        self._notes.clear()

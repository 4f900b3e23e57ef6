"""The names the model sees: ``mcp__<server>__<tool>``, made safe for every provider.

Providers accept tool names matching ``^[A-Za-z0-9_-]{1,64}$``. Other characters become
``_``; a run of underscores in the server part becomes one ``_`` so that the first ``__``
after ``mcp__`` always separates server from tool. A name longer than 64 characters keeps
its start and ends with a short hash of the full name, so distinct tools stay distinct.
"""

from __future__ import annotations

import hashlib
import re

PREFIX = "mcp__"
SEPARATOR = "__"
MAX_NAME_LENGTH = 64
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_UNDERSCORES = re.compile(r"_{2,}")


def server_segment(server: str) -> str:
    """The server part of a tool name."""
    return _UNDERSCORES.sub("_", _UNSAFE.sub("_", server)) or "server"


def exposed_tool_name(server: str, tool: str) -> str:
    """``mcp__<server>__<tool>``, at most 64 safe characters."""
    name = f"{PREFIX}{server_segment(server)}{SEPARATOR}{_UNSAFE.sub('_', tool) or 'tool'}"
    if len(name) <= MAX_NAME_LENGTH:
        return name
    digest = hashlib.sha256(f"{server}\0{tool}".encode()).hexdigest()[:8]
    return f"{name[: MAX_NAME_LENGTH - len(digest) - 1]}_{digest}"


def tool_prefix(server: str) -> str:
    """What every exposed name of ``server``'s tools starts with."""
    return f"{PREFIX}{server_segment(server)}{SEPARATOR}"


def assign_names(server: str, tools: list[str]) -> dict[str, str]:
    """``{tool: exposed name}`` for one server's tools; two tools never share a name."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for tool in tools:
        name = exposed_tool_name(server, tool)
        if name in taken:
            digest = hashlib.sha256(f"{server}\0{tool}".encode()).hexdigest()[:8]
            name = f"{name[: MAX_NAME_LENGTH - len(digest) - 1]}_{digest}"
        taken.add(name)
        names[tool] = name
    return names

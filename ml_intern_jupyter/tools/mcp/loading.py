"""Where MCP servers are configured, and which definition wins.

Three sources, highest precedence first (a name defined twice keeps the first, whole entry,
no key-by-key merge; the loser is named in the winner's ``notes``):

1. the agent config's ``mcpServers`` (already substituted and type-checked by its loader);
2. ``${XDG_CONFIG_HOME:-~/.config}/ml-intern/mcp.json`` (the user's own servers);
3. ``.mcp.json`` in the project directory (beside the notebook), the file Claude Code and
   other clients share.

A project file adds servers; it never replaces one the user defined, and it cannot mark its
own servers ``trusted`` or ``auto_approve`` them (a cloned repository must not approve itself).
Both files use ``{"mcpServers": {name: entry}}`` (``"servers"`` as in VS Code is accepted too).
These functions read files synchronously: call them from a thread in async code.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ...substitute import substitute
from .config import McpConfigError, McpServerConfig, Scope, parse_entry
from .naming import server_segment

PROJECT_FILE = ".mcp.json"
USER_FILE = Path("ml-intern") / "mcp.json"


def user_mcp_file(env: Mapping[str, str], home: Path) -> Path:
    """``${XDG_CONFIG_HOME:-<home>/.config}/ml-intern/mcp.json``."""
    base = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else home / ".config"
    return base / USER_FILE


def _file_error(path: Path, problem: str, fix: str) -> McpConfigError:
    return McpConfigError(f"{path}: {problem}. Fix: {fix}", source=str(path))


def read_servers_file(path: Path, env: Mapping[str, str]) -> dict[str, Any]:
    """The ``mcpServers`` object of one file, ``${VAR}``-substituted ({} when the file is absent)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise _file_error(path, f"cannot be read ({exc})", "make it a readable UTF-8 JSON file") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        problem = f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        raise _file_error(
            path, problem, "fix the syntax: double-quoted strings, no comments or trailing commas"
        ) from None
    if not isinstance(data, dict):
        raise _file_error(path, "is not a JSON object", 'write `{"mcpServers": {"name": {...}}}`')
    servers = data.get("mcpServers", data.get("servers", {}))
    if not isinstance(servers, dict):
        raise _file_error(path, "`mcpServers` is not an object", 'write `"mcpServers": {"name": {...}}`')

    def missing(dotted: str, variable: str) -> McpConfigError:
        server = dotted.split(".", 1)[0].split("[", 1)[0]
        where = f"mcpServers.{dotted}" if dotted else "mcpServers"
        fix = f"set {variable} in the environment, or write ${{{variable}:-default}}"
        return McpConfigError(f"{path}: `{where}` uses ${{{variable}}} but {variable} is not set. Fix: {fix}",
                              server=server, source=str(path))  # fmt: skip

    return substitute(servers, env, missing)


def _parse_all(servers: Mapping[str, Any], source: str, scope: Scope) -> list[McpServerConfig]:
    parsed = (parse_entry(name, entry, source=source, scope=scope) for name, entry in servers.items())
    return [config for config in parsed if config is not None]


def _merge(layers: list[list[McpServerConfig]]) -> list[McpServerConfig]:
    """The first definition of each name wins; later ones become a note on it."""
    chosen: dict[str, McpServerConfig] = {}
    for layer in layers:
        for config in layer:
            winner = chosen.get(config.name)
            if winner is None:
                chosen[config.name] = config
            else:
                note = f"also defined in {config.origin} (ignored: {winner.origin} wins)"
                chosen[config.name] = dataclasses.replace(winner, notes=(*winner.notes, note))
    return list(chosen.values())


def _check_distinct_prefixes(servers: list[McpServerConfig]) -> None:
    """Two servers whose names give the same ``mcp__<server>__`` prefix would shadow each other's tools."""
    seen: dict[str, McpServerConfig] = {}
    for config in servers:
        other = seen.setdefault(server_segment(config.name), config)
        if other is not config:
            prefix = f"mcp__{server_segment(config.name)}__"
            problem = f"gives the same tool names ({prefix}…) as `{other.name}` ({other.origin})"
            fix = "rename one of them (letters, digits, `-` and single `_` keep names distinct)"
            raise McpConfigError(f"{config.origin}: `mcpServers.{config.name}` {problem}. Fix: {fix}",
                                 server=config.name, source=config.origin)  # fmt: skip


def load_mcp_servers(
    config_servers: Mapping[str, dict],
    *,
    config_origin: str,
    env: Mapping[str, str],
    project_dir: Path,
    home: Path,
) -> list[McpServerConfig]:
    """Every configured server: the agent config's, the user file's, then the project file's.

    ``config_origin`` names where the agent config's entries came from (shown in the status).
    Raises :class:`McpConfigError` naming the server, the file and the fix.
    """
    user_file = user_mcp_file(env, home)
    project_file = project_dir / PROJECT_FILE
    layers = [_parse_all(config_servers, config_origin, "config")]
    layers.append(_parse_all(read_servers_file(user_file, env), str(user_file), "user"))
    if project_file.resolve() != user_file.resolve():
        layers.append(_parse_all(read_servers_file(project_file, env), str(project_file), "project"))
    servers = _merge(layers)
    _check_distinct_prefixes(servers)
    return servers

"""One MCP server's configuration: the frozen :class:`McpServerConfig` and the parsing of one entry.

An entry is the JSON object under ``mcpServers.<name>`` in the agent config, a project
``.mcp.json`` or ``~/.config/ml-intern/mcp.json``. Both spellings of the transport are
accepted (``transport`` as in the seeds, ``type`` as in Claude Code's ``.mcp.json``).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Transport = Literal["stdio", "http", "sse"]
Scope = Literal["config", "user", "project"]

TRANSPORTS: tuple[str, ...] = ("stdio", "http", "sse")
_TRANSPORT_ALIASES = {"streamable-http": "http", "streamable_http": "http", "streamableHttp": "http"}
PROTOCOL_MODES: tuple[str, ...] = ("auto", "legacy", "2026-07-28")
DEFAULT_CONNECT_TIMEOUT = 15.0

PRESETS: Mapping[str, Mapping[str, Any]] = {
    "hf": {"transport": "http", "url": "https://huggingface.co/mcp"},
}
"""Opt-in servers by name: ``"hf": {"preset": "hf"}`` (or the empty entry ``"hf": {}``)."""

_KNOWN_KEYS = frozenset(
    {
        "transport",
        "type",
        "command",
        "args",
        "env",
        "cwd",
        "url",
        "headers",
        "trusted",
        "auto_approve",
        "inherit_env",
        "timeout",
        "connect_timeout",
        "preset",
        "protocol",
        "disabled",
    }
)


class McpConfigError(ValueError):
    """A bad MCP server entry; the message names the server, the file and the fix."""

    def __init__(self, message: str, *, server: str | None = None, source: str | None = None) -> None:
        super().__init__(message)
        self.server = server
        self.source = source


def config_error(source: str, server: str, key: str | None, problem: str, fix: str) -> McpConfigError:
    """``<file>: mcpServers.<name>[.key]: <problem>. Fix: <fix>``."""
    where = f"mcpServers.{server}" + (f".{key}" if key else "")
    return McpConfigError(f"{source}: `{where}` {problem}. Fix: {fix}", server=server, source=source)


@dataclass(frozen=True)
class McpServerConfig:
    """One MCP server as configured (values already ``${VAR}``-substituted).

    ``origin`` is the file the entry came from (or ``"config"``); ``scope`` says which kind of
    source that was. ``timeout`` limits each tool call (None: no limit); ``connect_timeout``
    limits the start-up handshake. ``protocol`` picks the MCP era: ``auto`` (probe, fall back to
    the handshake), ``legacy`` (the 2025 handshake) or ``2026-07-28``. ``notes`` are remarks
    made while loading (ignored keys, shadowed definitions) shown in the status listing.
    """

    name: str
    transport: Transport
    command: str | None = None
    args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict, hash=False)
    cwd: str | None = None
    url: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict, hash=False)
    trusted: bool = False
    auto_approve: bool | tuple[str, ...] = False
    inherit_env: bool = False
    timeout: float | None = None
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    origin: str = "config"
    scope: Scope = "config"
    preset: str | None = None
    protocol: str = "auto"
    notes: tuple[str, ...] = ()

    @property
    def target(self) -> str:
        """What it connects to: the command line or the URL."""
        if self.transport == "stdio":
            return " ".join([self.command or "", *self.args]).strip()
        return self.url or ""

    def approves(self, tool_name: str) -> bool:
        """Whether calls to ``tool_name`` (the server's own name for it) skip the approval card."""
        if self.trusted or self.auto_approve is True:
            return True
        if not self.auto_approve:
            return False
        return any(fnmatch.fnmatchcase(tool_name, pattern) for pattern in self.auto_approve)


# ---------------------------------------------------------------- parsing one entry


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_types(entry: Mapping[str, Any], source: str, name: str) -> None:
    strings = ("command", "cwd", "url", "preset", "protocol", "transport", "type")
    for key in strings:
        if key in entry and not isinstance(entry[key], str):
            raise config_error(source, name, key, "is not a string", f'write `"{key}": "..."`')
    if "args" in entry and not (isinstance(entry["args"], list) and all(isinstance(a, str) for a in entry["args"])):
        raise config_error(source, name, "args", "is not a list of strings", 'write `"args": ["--flag", "value"]`')
    for key in ("env", "headers"):
        value = entry.get(key, {})
        if not (isinstance(value, dict) and all(isinstance(v, str) for v in value.values())):
            raise config_error(
                source, name, key, "is not an object of strings", f'write `"{key}": {{"NAME": "value"}}`'
            )
    for key in ("trusted", "inherit_env", "disabled"):
        if key in entry and not isinstance(entry[key], bool):
            raise config_error(source, name, key, "is not true or false", f'write `"{key}": true` or false')
    approve = entry.get("auto_approve", False)
    if not (isinstance(approve, bool) or (isinstance(approve, list) and all(isinstance(p, str) for p in approve))):
        raise config_error(source, name, "auto_approve", "is not true, false or a list", 'write `["search_*"]`')
    timeout = entry.get("timeout")
    if timeout is not None and not (_is_number(timeout) and timeout > 0):
        raise config_error(source, name, "timeout", "is not a positive number of seconds", "write e.g. 600, or null")
    if "connect_timeout" in entry and not (_is_number(entry["connect_timeout"]) and entry["connect_timeout"] > 0):
        raise config_error(source, name, "connect_timeout", "is not a positive number of seconds", "write e.g. 30")


def _with_preset(name: str, entry: Mapping[str, Any], source: str) -> tuple[dict[str, Any], str | None]:
    """The entry over its preset's defaults (``{"preset": "hf"}``, or ``{}`` under a preset's name)."""
    preset = entry.get("preset")
    if preset is None and not entry and name in PRESETS:
        preset = name
    if preset is None:
        return dict(entry), None
    if preset not in PRESETS:
        raise config_error(
            source, name, "preset", f"names an unknown preset {preset!r}", f"use one of {sorted(PRESETS)}"
        )
    merged = {**PRESETS[preset], **{k: v for k, v in entry.items() if k != "preset"}}
    if "type" in entry:
        merged.pop("transport", None)
    return merged, preset


def _transport(entry: Mapping[str, Any], source: str, name: str) -> Transport:
    kinds = {entry[k] for k in ("transport", "type") if k in entry}
    if len(kinds) > 1:
        raise config_error(source, name, None, "has different `type` and `transport`", "keep only one of them")
    if not kinds:
        if "command" in entry and "url" in entry:
            raise config_error(source, name, None, "has both `command` and `url`", 'set "type": "stdio" or "http"')
        return "http" if "url" in entry else "stdio"
    kind = _TRANSPORT_ALIASES.get(next(iter(kinds)), next(iter(kinds)))
    if kind not in TRANSPORTS:
        problem = f"has an unknown transport {next(iter(kinds))!r}"
        raise config_error(source, name, "transport", problem, 'use "stdio", "http" (streamable HTTP) or "sse"')
    return kind  # type: ignore[return-value]


def _check_target(entry: Mapping[str, Any], transport: str, source: str, name: str) -> None:
    if transport == "stdio":
        if not entry.get("command"):
            fix = 'add `"command": "npx", "args": ["-y", "package"]`, or a "url" for an HTTP server'
            raise config_error(source, name, None, "is a stdio server without a `command`", fix)
        return
    url = entry.get("url") or ""
    if not url:
        raise config_error(source, name, None, f'is a "{transport}" server without a `url`', 'add `"url": "https://…"`')
    if not url.startswith(("http://", "https://")):
        raise config_error(
            source, name, "url", f"is not an http(s) URL ({url!r})", "write a URL starting with https://"
        )


def parse_entry(name: str, raw: Any, *, source: str, scope: Scope) -> McpServerConfig | None:
    """One entry as a config (None when it says ``"disabled": true``); raises :class:`McpConfigError`."""
    if not isinstance(raw, dict):
        raise config_error(source, name, None, "is not a JSON object", 'write `{"command": "..."}` or `{"url": "..."}`')
    _check_types(raw, source, name)
    if raw.get("disabled"):
        return None
    entry, preset = _with_preset(name, raw, source)
    transport = _transport(entry, source, name)
    _check_target(entry, transport, source, name)
    protocol = entry.get("protocol", "auto")
    if protocol not in PROTOCOL_MODES:
        raise config_error(source, name, "protocol", f"is {protocol!r}", f"use one of {', '.join(PROTOCOL_MODES)}")
    notes = [f"ignored unknown key `{k}`" for k in entry if k not in _KNOWN_KEYS]
    trusted, approve = bool(entry.get("trusted", False)), entry.get("auto_approve", False)
    if scope == "project" and (trusted or approve):
        notes.append("`trusted`/`auto_approve` ignored: a project .mcp.json cannot approve its own tools")
        trusted, approve = False, False
    return McpServerConfig(
        name=name,
        transport=transport,
        command=entry.get("command"),
        args=tuple(entry.get("args", ())),
        env=dict(entry.get("env", {})),
        cwd=entry.get("cwd"),
        url=entry.get("url"),
        headers=dict(entry.get("headers", {})),
        trusted=trusted,
        auto_approve=tuple(approve) if isinstance(approve, list) else bool(approve),
        inherit_env=bool(entry.get("inherit_env", False)),
        timeout=float(entry["timeout"]) if entry.get("timeout") is not None else None,
        connect_timeout=float(entry.get("connect_timeout", DEFAULT_CONNECT_TIMEOUT)),
        origin=source,
        scope=scope,
        preset=preset,
        protocol=protocol,
        notes=tuple(notes),
    )

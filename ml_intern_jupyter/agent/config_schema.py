"""The config file's schema and its checks; every problem is a :class:`ConfigError`."""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ..common import ConfigError, config_error
from ..substitute import join_key

TRANSPORTS = ("stdio", "http", "sse")


def type_error(source: str, key: str, value: Any, expected: str) -> ConfigError:
    return config_error(source, key, f"is {_describe(value)}, expected {expected}", f"set `{key}` to {expected}")


@dataclass(frozen=True)
class _Rule:
    check: Callable[[Any], bool]
    expected: str


@dataclass(frozen=True)
class _Entries:
    """A JSON object whose values are objects following ``schema``."""

    schema: Mapping[str, Any]


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_str_list(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


_BOOL = _Rule(lambda v: isinstance(v, bool), "true or false")
_STR = _Rule(lambda v: isinstance(v, str), "a string")
_OPT_STR = _Rule(lambda v: v is None or isinstance(v, str), "a string or null")
_POS_INT = _Rule(lambda v: _is_int(v) and v > 0, "a positive integer")
_NONNEG_INT = _Rule(lambda v: _is_int(v) and v >= 0, "a non-negative integer")
_NONNEG_NUM = _Rule(lambda v: (_is_int(v) or isinstance(v, float)) and v >= 0, "a non-negative number")
_STR_LIST = _Rule(_is_str_list, "a list of strings")
_STR_MAP = _Rule(
    lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in v.values()),
    "an object with string values",
)
_TRANSPORT = _Rule(lambda v: v in TRANSPORTS, 'one of "stdio", "http", "sse"')
_POS_NUM = _Rule(lambda v: (_is_int(v) or isinstance(v, float)) and v > 0, "a positive number of seconds")
_OPT_POS_NUM = _Rule(
    lambda v: v is None or ((_is_int(v) or isinstance(v, float)) and v > 0), "a positive number or null"
)
_AUTO_APPROVE = _Rule(lambda v: isinstance(v, bool) or _is_str_list(v), "true, false or a list of tool globs")

_MCP_SERVER = MappingProxyType(
    {
        "transport": _TRANSPORT,
        "type": _TRANSPORT,  # the .mcp.json spelling of "transport"
        "command": _STR,
        "args": _STR_LIST,
        "env": _STR_MAP,
        "cwd": _STR,
        "url": _STR,
        "headers": _STR_MAP,
        "trusted": _BOOL,
        "auto_approve": _AUTO_APPROVE,
        "inherit_env": _BOOL,
        "timeout": _OPT_POS_NUM,
        "connect_timeout": _POS_NUM,
        "preset": _STR,  # "hf": the Hugging Face MCP server (tools/mcp/config.py PRESETS)
        "protocol": _STR,  # "auto", "legacy" or a protocol version
        "disabled": _BOOL,
    }
)
_DESTINATION = MappingProxyType(
    {
        "provider": _STR,
        "token": _STR,
        "channel": _STR,
        "allow_agent_tool": _BOOL,
        "allow_auto_events": _BOOL,
        "base_url": _STR,
    }
)
SCHEMA: Mapping[str, Any] = MappingProxyType(
    {
        "model_name": _OPT_STR,
        "mcpServers": _Entries(_MCP_SERVER),
        "max_iterations": _POS_INT,
        "compaction_threshold": _POS_INT,
        "compaction_keep_recent": _NONNEG_INT,
        "stream": _BOOL,
        "yolo": _BOOL,
        "approval_policy": MappingProxyType({"auto_approve": _STR_LIST, "always_ask": _STR_LIST}),
        "max_tool_output_chars": _POS_INT,
        "cell_output_max_lines": _POS_INT,
        "cell_output_max_bytes": _POS_INT,
        "retry": MappingProxyType({"max_retries": _NONNEG_INT, "base_delay": _NONNEG_NUM, "max_delay": _NONNEG_NUM}),
        "share_traces": _BOOL,
        "personal_trace_repo_template": _STR,
        "data_dir": _OPT_STR,
        "yolo_budget_usd": _NONNEG_NUM,
        "redact_local_model_context": _BOOL,
        "web_search_url": _OPT_STR,
        "messaging": MappingProxyType(
            {"enabled": _BOOL, "auto_event_types": _STR_LIST, "destinations": _Entries(_DESTINATION)}
        ),
    }
)


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool | int | float):
        return f"{json.dumps(value)} ({type(value).__name__})"
    return {str: "a string", list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


def validate(data: Any, schema: Mapping[str, Any], source: str, path: str = "") -> None:
    """Check keys and types of the keys present in ``data`` (one layer, possibly partial)."""
    if not isinstance(data, dict):
        if not path:
            problem = f"the top level is {_describe(data)}, expected a JSON object"
            raise config_error(source, None, problem, 'write the settings as one object: {"model_name": ...}')
        raise type_error(source, path, data, "a JSON object {...}")
    for key, value in data.items():
        if key not in schema:
            raise _unknown_key(source, path, key, schema)
        rule, dotted = schema[key], join_key(path, key)
        if isinstance(rule, _Rule):
            if not rule.check(value):
                raise type_error(source, dotted, value, rule.expected)
        elif isinstance(rule, _Entries):
            if not isinstance(value, dict):
                raise type_error(source, dotted, value, 'an object {"name": {...}}')
            for name, entry in value.items():
                validate(entry, rule.schema, source, join_key(dotted, name))
        else:
            validate(value, rule, source, dotted)


def _unknown_key(source: str, path: str, key: str, schema: Mapping[str, Any]) -> ConfigError:
    squash = {k.lower().replace("_", ""): k for k in schema}  # so "mcp_servers" finds "mcpServers"
    close = difflib.get_close_matches(str(key).lower().replace("_", ""), list(squash), n=1)
    fix = (f'did you mean "{squash[close[0]]}"? Rename' if close else "Rename") + " or remove it"
    return config_error(source, join_key(path, key), "unknown key", f"{fix}. Valid keys: {', '.join(schema)}")


def resolve_transport(server: dict, source: str, key: str) -> None:
    """Fill in the default transport and check the command/url it needs (``type`` is an alias).

    A preset entry (``{"preset": "hf"}``, or ``"hf": {}``) and a disabled one are left to the MCP
    loader, which fills in the preset and checks the result.
    """
    if "preset" in server or not server or server.get("disabled") is True:
        return
    if "type" in server:
        kind = server.pop("type")
        if server.setdefault("transport", kind) != kind:
            raise config_error(source, key, "has different `type` and `transport`", "keep only one of them")
    if "transport" not in server:
        if "command" in server and "url" in server:
            raise config_error(source, key, "has both `command` and `url`", 'set "transport": "stdio", "http" or "sse"')
        server["transport"] = "http" if "url" in server else "stdio"
    needed = "command" if server["transport"] == "stdio" else "url"
    if needed not in server:
        example = '"command": "npx", "args": [...]' if needed == "command" else '"url": "https://host/mcp"'
        raise config_error(source, key, f'transport "{server["transport"]}" needs `{needed}`', f"add {example}")
    if needed == "url" and not server["url"].startswith(("http://", "https://")):
        raise config_error(source, f"{key}.url", "is not an http(s) URL", "write a URL starting with https://")

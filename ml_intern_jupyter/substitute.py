"""``${VAR}`` and ``${VAR:-default}`` substitution in every string of a JSON value.

A bottom module (no package imports): the config loader and the MCP server files use it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")

Missing = Callable[[str, str], Exception]
"""``missing(dotted_path, variable_name)``: the exception to raise for an unset variable."""


def join_key(path: str, key: str) -> str:
    """``a.b`` + ``c`` -> ``a.b.c`` (the dotted path error messages name)."""
    return f"{path}.{key}" if path else key


def substitute(value: Any, env: Mapping[str, str], missing: Missing, path: str = "") -> Any:
    """A copy of ``value`` with variables replaced from ``env``.

    An empty variable counts as set only when no default is given (``${X:-d}`` gives ``d``
    for an unset or empty ``X``); an unset variable without a default raises ``missing``.
    """
    if isinstance(value, dict):
        return {k: substitute(v, env, missing, join_key(path, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, env, missing, f"{path}[{i}]") for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value

    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if env.get(name):
            return env[name]
        if default is not None:
            return default
        if name in env:
            return ""
        raise missing(path, name)

    return VARIABLE.sub(replace, value)

"""A bounded description of the user's variables (``notebook_variables`` tool).

A variable whose name looks secret (``api_key``, ``HF_TOKEN``...) or whose text holds a token
is shown with its type and ``[REDACTED]``, never its value: the model provider is a third party.
"""

from __future__ import annotations

import reprlib
import types
from collections.abc import Iterable, Mapping
from typing import Any

from ..traces.redact import Redactor, name_looks_secret

REDACTED = "[REDACTED]"

HIDDEN = frozenset({"In", "Out", "exit", "quit", "get_ipython", "open"})
_SAFE_REPR = (int, float, complex, bool, str, bytes, list, tuple, dict, set, frozenset, type(None))


def _short_repr(value: Any, limit: int, redactor: Redactor) -> str:
    if isinstance(value, _SAFE_REPR):
        r = reprlib.Repr()
        r.maxstring = r.maxother = limit
        r.maxlist = r.maxtuple = r.maxdict = r.maxset = 8
        text = r.repr(value)
        if isinstance(value, str | bytes) and redactor.text(str(value)) != str(value):
            return REDACTED
        return redactor.text(text)
    module = type(value).__module__.split(".")[0]
    if module in ("numpy", "pandas", "torch"):  # these truncate their own repr
        text = repr(value)
        return text if len(text) <= limit else text[:limit] + "…"
    return f"<{type(value).__name__} object>"


def _shape(value: Any) -> str:
    parts = []
    shape = getattr(value, "shape", None)
    if isinstance(shape, tuple) or type(shape).__name__ in ("Size", "TensorShape"):
        parts.append(f"shape={tuple(shape)}")
    dtype = getattr(value, "dtype", None)
    if dtype is not None and not callable(dtype):
        parts.append(f"dtype={dtype}")
    elif isinstance(value, (list, tuple, dict, set, str, bytes)):
        parts.append(f"len={len(value)}")
    return " ".join(parts)


def _dataframe_details(value: Any, limit: int) -> str:
    try:
        columns = ", ".join(f"{name}: {dtype}" for name, dtype in list(value.dtypes.items())[:30])
        head = value.head(5).to_string(max_cols=12, max_colwidth=30)
    except Exception:
        return ""
    text = f"  columns: {columns}\n  head:\n" + "\n".join("    " + line for line in head.splitlines())
    return text if len(text) <= limit else text[:limit] + "…"


def user_variables(namespace: Mapping[str, Any], hidden: Iterable[str] = ()) -> dict[str, Any]:
    """The user's own variables: no private names, modules or IPython internals."""
    skip = HIDDEN | set(hidden)
    return {
        name: value
        for name, value in namespace.items()
        if not name.startswith("_") and name not in skip and not isinstance(value, types.ModuleType)
    }


def describe_variables(
    namespace: Mapping[str, Any],
    names: list[str] | None = None,
    *,
    hidden: Iterable[str] = (),
    budget: int = 6000,
    max_items: int = 60,
    redactor: Redactor | None = None,
) -> str:
    """One line per variable (type, shape/dtype, short value), DataFrame heads, capped at ``budget``."""
    redactor = redactor or Redactor()
    variables = user_variables(namespace, hidden)
    if names:
        missing = [n for n in names if n not in namespace]
        variables = {n: namespace[n] for n in names if n in namespace}
        if missing:
            return _render(variables, budget, max_items, redactor) + f"\nnot defined: {', '.join(missing)}"
    if not variables:
        return "No user variables are defined yet."
    return _render(variables, budget, max_items, redactor)


def _render(variables: Mapping[str, Any], budget: int, max_items: int, redactor: Redactor) -> str:
    lines: list[str] = []
    used = 0
    for count, (name, value) in enumerate(sorted(variables.items())):
        if count >= max_items or used >= budget:
            lines.append(f"… and {len(variables) - count} more (ask for specific names)")
            break
        kind = type(value).__name__
        if isinstance(value, (types.FunctionType, type)):
            line = f"{name}: {kind}"
        elif name_looks_secret(name) and isinstance(value, str | bytes):
            line = f"{name}: {kind} = {REDACTED}"
        elif kind == "DataFrame":  # its columns and head, once (its repr is the head again)
            line = f"{name}: {kind} {_shape(value)}\n" + _dataframe_details(value, 1500)
        else:
            line = f"{name}: {kind} {_shape(value)} = {_short_repr(value, 120, redactor)}".replace("  ", " ")
        lines.append(line)
        used += len(line)
    return "\n".join(lines)

"""Arguments grounded in the request: values taken from it, choices it offers, checks against it.

- A path argument is the file the request names (one: taken as is; several: the model picks one
  of them under a grammar). A ``bash`` command the request gives in backticks is run as written.
  An ``edit`` the request spells out ("replace 42 with 43") is taken as is.
- Checks: ``write`` content must contain the text the request quotes (else it is replaced by that
  text); Python code and shell commands must use the data the request names (its quoted strings,
  lists, files and larger numbers) instead of made-up data, and a command must not write to a
  file the request does not name.

Only the first attempt at a request is grounded this way; after a failed call the model writes
the arguments itself (the request's values may be what failed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .dialect import Field
from .literals import Literals

PATH_NAMES = frozenset({"file_path", "path", "filename", "file", "notebook_path"})


@dataclass(frozen=True)
class Grounding:
    """Per argument: a value taken from the request, or the values it may take."""

    literals: Literals
    fixed: dict[str, Any] = field(default_factory=dict)
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)


def is_path(f: Field) -> bool:
    """A one-line argument that names a file."""
    return f.kind == "line" and (f.name in PATH_NAMES or f.name.endswith("_path"))


def ground(tool: str, fields: list[Field], lit: Literals, state: str) -> Grounding:
    """What the request decides about ``tool``'s arguments (nothing after a failed call)."""
    fixed: dict[str, Any] = {}
    choices: dict[str, tuple[str, ...]] = {}
    if state == "error":
        return Grounding(lit)
    names = {f.name for f in fields}
    for f in fields:
        if is_path(f) and lit.files:
            choices[f.name] = lit.files
        elif f.kind == "block" and f.language == "bash" and lit.commands:
            choices[f.name] = lit.commands
    if tool == "edit" and lit.replacement and {"old_string", "new_string"} <= names:
        fixed["old_string"], fixed["new_string"] = lit.replacement
    for name, values in list(choices.items()):
        if len(values) == 1:
            fixed[name] = values[0]
            del choices[name]
    return Grounding(lit, fixed, choices)


def problem(tool: str, f: Field, value: Any, lit: Literals) -> tuple[str, int] | None:
    """What in ``value`` (argument ``f`` of ``tool``) contradicts the request: (text, severity)."""
    if not isinstance(value, str):
        return None
    if f.kind == "block" and f.name == "content" and lit.texts():
        lowered = value.lower()
        if not any(t.lower() in lowered for t in lit.texts()):
            return f"the content must contain the text the request gives: {lit.texts()[0]!r}", 2
    if f.language == "python":
        missing = unused_data(value, lit)
        if missing:
            return f"the code does not use {missing[0]} from the request; use the request's data", 1
    if f.language == "bash":
        missing = [p for p in lit.files if p not in value]
        if lit.files and len(missing) == len(lit.files):
            return f"the command does not use {lit.files[0]} from the request", 1
        targets = [t for t in re.findall(r">>?\s*([^\s|;&]+)", value) if t not in lit.files and t != "/dev/null"]
        if targets:
            return f"the command writes to {targets[0]}, which the request does not ask for", 1
    return None


def repair(tool: str, f: Field, value: Any, lit: Literals) -> Any:
    """A value that fixes what :func:`problem` found, where one follows from the request."""
    if f.kind == "block" and f.name == "content" and lit.texts():
        return max(lit.texts(), key=len)
    return value


def unused_data(code: str, lit: Literals) -> list[str]:
    """Data the request names that the code never mentions (as text or as a number)."""
    missing = [repr(t) for t in lit.quoted if len(t) > 1 and t not in code and t not in lit.commands]
    missing += [p for p in lit.files if p not in code]
    for items in lit.lists:
        if _squash(items) not in _squash(code) and not all(_has_value(code, v) for v in _items(items)):
            missing.append(items)
    missing += [n for n in lit.numbers if len(n.lstrip("-")) > 1 and not _has_number(code, n)]
    return missing


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).replace('"', "'")


def _items(list_literal: str) -> list[str]:
    return [i.strip().strip("'\"") for i in list_literal.strip("[]").split(",") if i.strip()]


def _has_value(code: str, value: str) -> bool:
    return _has_number(code, value) if re.fullmatch(r"-?\d+(\.\d+)?", value) else value in code


def _has_number(code: str, number: str) -> bool:
    """``number`` (or one off it: ``range(1, 101)`` for "1 to 100") stands alone in the code."""
    try:
        value = float(number)
    except ValueError:
        return number in code
    forms = {number}
    if value.is_integer():
        forms |= {str(int(value) - 1), str(int(value) + 1)}
    return any(re.search(rf"(?<![\w]){re.escape(f)}(?![\w])", code) for f in forms)

"""Which of the user's variables a piece of code would overwrite or delete (shown before approving)."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from typing import Any

_SCOPES = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Lambda,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)


def _targets(node: ast.AST) -> Iterable[str]:
    """Names bound by an assignment target (tuples and starred unpacking included)."""
    if isinstance(node, ast.Name):
        yield node.id
    elif isinstance(node, ast.Tuple | ast.List):
        for element in node.elts:
            yield from _targets(element)
    elif isinstance(node, ast.Starred):
        yield from _targets(node.value)


def _bound(node: ast.AST) -> tuple[set[str], set[str]]:
    assigned: set[str] = set()
    deleted: set[str] = set()
    match node:
        case ast.Assign(targets=targets):
            for target in targets:
                assigned.update(_targets(target))
        case ast.AugAssign(target=target) | ast.AnnAssign(target=target) | ast.For(target=target):
            assigned.update(_targets(target))
        case ast.AsyncFor(target=target):
            assigned.update(_targets(target))
        case ast.With(items=items) | ast.AsyncWith(items=items):
            for item in items:
                if item.optional_vars is not None:
                    assigned.update(_targets(item.optional_vars))
        case ast.Import(names=names) | ast.ImportFrom(names=names):
            assigned.update((a.asname or a.name).split(".")[0] for a in names if a.name != "*")
        case ast.FunctionDef(name=name) | ast.AsyncFunctionDef(name=name) | ast.ClassDef(name=name):
            assigned.add(name)
        case ast.NamedExpr(target=target):
            assigned.update(_targets(target))
        case ast.Delete(targets=targets):
            for target in targets:
                deleted.update(_targets(target))
    return assigned, deleted


def affected_names(code: str) -> tuple[set[str], set[str]]:
    """(names the code assigns, names it deletes) at the notebook's top level; empty if it does not parse."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return set(), set()
    assigned: set[str] = set()
    deleted: set[str] = set()
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        new, gone = _bound(node)
        assigned |= new
        deleted |= gone
        if not isinstance(node, _SCOPES):  # function and class bodies have their own scope
            pending.extend(ast.iter_child_nodes(node))
    return assigned, deleted


def overwrite_warning(code: str, namespace: Mapping[str, Any], hidden: Iterable[str] = ()) -> str:
    """``replaces `df`, `model`; deletes `tmp``` for the user's existing variables; '' when none."""
    assigned, deleted = affected_names(code)
    skip = set(hidden)
    existing = {n for n in namespace if not n.startswith("_") and n not in skip}
    replaced = sorted((assigned - deleted) & existing)
    removed = sorted(deleted & existing)
    parts = []
    if replaced:
        parts.append("replaces " + ", ".join(f"`{name}`" for name in replaced))
    if removed:
        parts.append("deletes " + ", ".join(f"`{name}`" for name in removed))
    return "; ".join(parts)

"""Checks and fixes for Python code written by small models (no execution)."""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Iterable

STDLIB_MODULES = frozenset(
    {
        "collections", "csv", "datetime", "functools", "glob", "itertools", "json", "math", "os",
        "pathlib", "platform", "random", "re", "shutil", "statistics", "string", "subprocess", "sys",
        "time",
    }
)  # fmt: skip
"""Modules whose missing ``import`` is added when the code uses ``module.attr``."""

_PROMPT = re.compile(r"^(>>>|\.\.\.) ?", re.MULTILINE)
_MAGIC = re.compile(r"^(\s*)[%!].*$", re.MULTILINE)
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")


def _parse(code: str) -> ast.Module:
    """Parse like a notebook cell: ``%magic``/``!shell`` lines and top-level await allowed."""
    source = _MAGIC.sub(lambda m: m.group(1) + "pass", code)
    return compile(source, "<code>", "exec", flags=ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)


def syntax_error(code: str) -> str | None:
    """A one-line description of the first syntax error, or None."""
    try:
        _parse(code)
    except SyntaxError as exc:
        return f"SyntaxError in the code, line {exc.lineno}: {exc.msg}"
    except ValueError as exc:
        return f"invalid code: {exc}"
    return None


def _bound_and_used(tree: ast.AST) -> tuple[set[str], set[str], set[str]]:
    """Names bound anywhere, names read, and base names of ``x.attr`` reads."""
    bound: set[str] = set()
    used: set[str] = set()
    attr_bases: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.Name):
            (used if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            bound.update(node.names)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            attr_bases.add(node.value.id)
    return bound, used, attr_bases


class _Scopes(ast.NodeVisitor):
    """Finds names read where no enclosing scope (module, function, comprehension) binds them."""

    def __init__(self) -> None:
        self.stack: list[set[str]] = []
        self.missing: list[tuple[str, tuple[set[str], ...]]] = []

    def run(self, tree: ast.AST) -> set[str]:
        self.stack = [_bound_here(tree)]
        self.generic_visit(tree)
        return {name for name, scopes in self.missing if not any(name in s for s in scopes)}

    def _scoped(self, node: ast.AST, bound: set[str]) -> None:
        self.stack.append(bound | _bound_here(node))
        self.generic_visit(node)
        self.stack.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        args = node.args
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
        self._scoped(node, {a.arg for a in params if a is not None})

    visit_AsyncFunctionDef = visit_Lambda = visit_FunctionDef

    def visit_ListComp(self, node: ast.AST) -> None:
        self._scoped(node, set())

    visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_ListComp

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self.missing.append((node.id, tuple(self.stack)))


def _bound_here(node: ast.AST) -> set[str]:
    """Names bound directly in ``node``'s scope (not inside nested functions/comprehensions)."""
    bound: set[str] = set()
    todo = list(ast.iter_child_nodes(node))
    while todo:
        child = todo.pop()
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(child.name)
            todo.extend(child.decorator_list)
            continue
        if isinstance(child, ast.Lambda | ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
            continue  # their own scope
        if isinstance(child, ast.comprehension) and child in getattr(node, "generators", ()):
            bound.update(n.id for n in ast.walk(child.target) if isinstance(n, ast.Name))
        if isinstance(child, ast.Import | ast.ImportFrom):
            bound.update((a.asname or a.name).split(".")[0] for a in child.names)
        elif isinstance(child, ast.Name) and not isinstance(child.ctx, ast.Load):
            bound.add(child.id)
        elif isinstance(child, ast.ExceptHandler) and child.name:
            bound.add(child.name)
        elif isinstance(child, ast.Global | ast.Nonlocal):
            bound.update(child.names)
        todo.extend(ast.iter_child_nodes(child))
    return bound


def undefined_names(code: str, known: Iterable[str] = ()) -> list[str]:
    """Names the code reads where they are never bound (builtins and ``known`` names excepted)."""
    try:
        tree = _parse(code)
    except (SyntaxError, ValueError):
        return []
    missing = _Scopes().run(tree)
    return sorted(missing - set(dir(builtins)) - set(known) - {"__name__", "__file__", "display", "get_ipython"})


_DEF = re.compile(r"\bdef ([A-Za-z_][^\s(:]*)\(")


def does_nothing(code: str) -> bool:
    """True when the code only defines functions, classes and imports (nothing runs or prints)."""
    try:
        tree = _parse(code)
    except (SyntaxError, ValueError):
        return False
    inert = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Import | ast.ImportFrom | ast.Pass
    return bool(tree.body) and all(isinstance(node, inert) for node in tree.body)


def repair(code: str, strings: Iterable[str] = ()) -> str:
    """Fix common slips: REPL prompts, ``def f_17*23():`` names, missing stdlib imports, and bare
    names that stand for one of ``strings`` (quoted text from the request: ``len(notebook)``)."""
    if code.lstrip().startswith(">>>"):
        code = _PROMPT.sub("", code)
    for name in {m.group(1) for m in _DEF.finditer(code)}:
        if not name.isidentifier():
            code = code.replace(name, re.sub(r"\W", "_", name))
    try:
        tree = _parse(code)
    except (SyntaxError, ValueError):
        return code
    bound, used, attr_bases = _bound_and_used(tree)
    for name in sorted(used - bound - set(dir(builtins))):
        text = next((t for t in strings if re.sub(r"\W+", "_", t.strip()).lower() == name.lower()), None)
        if text is not None:
            code = re.sub(rf"(?<![\w.'\"]){re.escape(name)}(?![\w'\"])", lambda _m, t=text: repr(t), code)
    missing = sorted((attr_bases & STDLIB_MODULES) - bound)
    return "".join(f"import {name}\n" for name in missing) + code


def quoted(text: str) -> list[str]:
    """Text inside quotes in ``text`` (``'machine learning'`` → ``machine learning``)."""
    return [m[1:-1] for m in _QUOTED.findall(text) if m[1:-1].strip()]


def identifiers(texts: Iterable[str], *, skip_quoted: bool = False) -> set[str]:
    """Identifiers in ``texts`` (earlier code, the user's words): names that may exist at run time.

    With ``skip_quoted``, words inside quotes are left out: in a request they are strings.
    """
    found: set[str] = set()
    for text in texts:
        found.update(_IDENT.findall(_QUOTED.sub(" ", text) if skip_quoted else text))
    return found

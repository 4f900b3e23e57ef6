"""Path helpers for the file tools: resolving against the workdir, the scratch rule."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any


def resolve_path(file_path: str, workdir: Path) -> Path:
    """``file_path`` made absolute (``~`` expanded, relative to ``workdir``)."""
    path = Path(file_path).expanduser()
    return path if path.is_absolute() else Path(workdir) / path


def is_within(path: Path, directory: Path) -> bool:
    """Whether ``path`` is ``directory`` or below it, after resolving symlinks and ``..``."""
    real = Path(os.path.realpath(path))
    return real.is_relative_to(Path(os.path.realpath(directory)))


def outside_scratch(scratch: Path) -> Callable[[dict[str, Any]], bool]:
    """Approval predicate: ask unless ``file_path`` is an absolute path inside ``scratch``.

    Relative paths always ask: the predicate sees only the arguments, not the
    call's working directory, so it cannot tell where they land.
    """

    def needs_approval(arguments: dict[str, Any]) -> bool:
        raw = arguments.get("file_path")
        if not isinstance(raw, str) or not raw:
            return True
        path = Path(raw).expanduser()
        return not (path.is_absolute() and is_within(path, scratch))

    return needs_approval

"""Which files of a repository are examples, and how well a path matches a keyword."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

EXAMPLE_DIRS = (
    "examples",
    "example",
    "scripts",
    "notebooks",
    "notebook",
    "tutorials",
    "tutorial",
    "quickstart",
    "cookbook",
    "cookbooks",
    "recipes",
    "recipe",
    "demos",
    "demo",
    "samples",
    "sample",
    "guides",
    "guide",
    "getting-started",
    "getting_started",
    "use-cases",
    "use_cases",
)
"""Folder names that hold examples, best first."""

CODE_SUFFIXES = (".py", ".ipynb", ".sh", ".md", ".yaml", ".yml", ".toml", ".json")
_WORD = re.compile(r"[a-z0-9]+")


def example_priority(path: str) -> int | None:
    """The index of the best example folder in ``path`` (lower is better), or ``None``."""
    parts = [part.lower() for part in PurePosixPath(path).parts[:-1]]
    found = [EXAMPLE_DIRS.index(part) for part in parts if part in EXAMPLE_DIRS]
    return min(found) if found else None


def is_example(path: str) -> bool:
    """A code or doc file under an example folder."""
    return path.lower().endswith(CODE_SUFFIXES) and example_priority(path) is not None


def keyword_score(path: str, keyword: str) -> int:
    """How well ``path`` matches ``keyword``: 3 per word in the file name, 1 per word elsewhere, 5 for an exact stem."""
    words = _WORD.findall(keyword.lower())
    name = PurePosixPath(path.lower())
    stem_words = set(_WORD.findall(name.stem))
    score = 5 if name.stem in (keyword.lower(), keyword.lower().replace("-", "_")) else 0
    for word in words:
        if word in stem_words or word in name.stem:
            score += 3
        elif word in path.lower():
            score += 1
    return score


def rank_examples(paths: list[str], keyword: str = "") -> list[str]:
    """Example files, best first: keyword matches (when given), then folder priority, depth and name."""

    def order(path: str) -> tuple[int, int, int, str]:
        score = keyword_score(path, keyword) if keyword else 0
        return (-score, example_priority(path) or 0, path.count("/"), path)

    examples = [path for path in paths if is_example(path)]
    if keyword:
        examples = [path for path in examples if keyword_score(path, keyword) > 0]
    return sorted(examples, key=order)

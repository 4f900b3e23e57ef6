"""Which tools the decision step offers a small model for one request (a deterministic ranking).

A 135M model picks worse among twenty tools than among six. The general-purpose tools are always
offered; a specialised one (the Hub, GitHub, web, MCP tools) only when the request names it or
shares enough distinctive words with its name and the first line of its description. Every
registered tool stays callable: a request that names one offers it, and a forced ``tool_choice``
may name any.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from .dialect import tool_name

GENERAL = ("python", "bash", "read", "write", "edit", "plan", "notebook_variables")
"""Offered whenever they are registered."""

MAX_EXTRA = 3
"""At most this many specialised tools are added for one request."""

MIN_SCORE = 1.5
"""Summed IDF of the words shared with a tool needed to offer it."""

_WORD = re.compile(r"[a-z][a-z0-9]+")
_STOP_WORDS = """the a an and or of to in on for with from by is are be it this that these those what which
how use using can you me my i we our your its into at as do does did get show tell"""
_STOP = frozenset(_STOP_WORDS.split())


def words(text: str) -> set[str]:
    """Lower-case content words (``hf_hub_search`` → hub, search; plurals folded)."""
    found = set()
    for word in _WORD.findall(text.lower().replace("_", " ")):
        if word in _STOP:
            continue
        found.add(word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word)
    return found


def _first_line(tool: dict[str, Any]) -> str:
    function = tool.get("function") or tool
    lines = str(function.get("description") or "").strip().splitlines()
    return lines[0] if lines else ""


def offered(tools: Sequence[dict[str, Any]], request: str) -> list[str]:
    """The names to decide among for ``request``, in registration order."""
    names = [tool_name(t) for t in tools]
    lowered = request.lower()
    chosen = {n for n in names if n in GENERAL or _named(n, lowered)}
    vocab = {tool_name(t): words(f"{tool_name(t)} {_first_line(t)}") for t in tools}
    covered = set().union(*(vocab[n] for n in chosen)) if chosen else set()
    asked = words(request) - covered  # words the general tools answer to point at none of the others
    counts = {w: sum(w in v for v in vocab.values()) for w in asked}
    idf = {w: math.log(1 + len(tools) / n) for w, n in counts.items() if n}
    ranked = sorted(
        ((sum(idf.get(w, 0.0) for w in asked & vocab[n]), -i, n) for i, n in enumerate(names) if n not in chosen),
        reverse=True,
    )
    chosen.update(n for score, _, n in ranked[:MAX_EXTRA] if score >= MIN_SCORE)
    return [n for n in names if n in chosen] or names


def _named(name: str, lowered: str) -> bool:
    spoken = name.lower().replace("_", " ")
    return bool(re.search(rf"\b({re.escape(name.lower())}|{re.escape(spoken)})\b", lowered))

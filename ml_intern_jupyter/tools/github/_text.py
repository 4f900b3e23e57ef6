"""Bounded text for the GitHub tools."""

from __future__ import annotations

MAX_RESULT_CHARS = 6_000


def clip_text(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, saying how many were cut."""
    return text if len(text) <= limit else text[:limit] + f"… (+{len(text) - limit:,} chars)"


def clip_lines(text: str, limit: int = MAX_RESULT_CHARS) -> str:
    """Whole lines up to ``limit`` characters, then a line saying how much was left out."""
    if len(text) <= limit:
        return text
    kept = text[:limit].rsplit("\n", 1)[0]
    left = text[len(kept) :]
    return kept + f"\n[... {left.count(chr(10)):,} more lines ({len(left):,} characters) not shown]"

"""Small text helpers shared by the Hub tools: bounded outputs and readable sizes."""

from __future__ import annotations

MAX_RESULT_CHARS = 6_000
"""Default cap on the text a Hub tool returns to the model."""

MAX_CELL_CHARS = 150
"""Cap on one value shown inline (a dataset cell, a description)."""


def clip_middle(text: str, limit: int = MAX_RESULT_CHARS, hint: str = "", start: int = 0) -> str:
    """``text`` if short enough, else its head and tail with a marker saying how much was cut.

    ``start`` is where ``text`` begins in a larger document (the marker's positions count from there).
    """
    if len(text) <= limit:
        return text
    head = limit * 2 // 3
    tail = limit - head
    cut = len(text) - head - tail
    first = start + head
    marker = f"\n\n[... {cut:,} characters cut (characters {first:,} to {first + cut:,}){hint} ...]\n\n"
    return text[:head] + marker + text[len(text) - tail :]


def clip_inline(value: object, limit: int = MAX_CELL_CHARS) -> str:
    """One value on one line, cut to ``limit`` characters with a count of what was cut."""
    text = " ".join(str(value).split())
    if len(text) <= limit:
        return text
    return text[:limit] + f"… (+{len(text) - limit:,} chars)"


def human_size(size: int | float | None) -> str:
    """``1.5 MB`` style sizes (binary units)."""
    if size is None:
        return "?"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"


def bounded_lines(lines: list[str], max_lines: int, what: str = "entries") -> list[str]:
    """The first ``max_lines`` lines, plus a line saying how many were left out."""
    if len(lines) <= max_lines:
        return lines
    return [*lines[:max_lines], f"... {len(lines) - max_lines:,} more {what} not shown"]


def read_only_note(operations: tuple[str, ...]) -> str:
    """The line added to a tool's description when only its read operations are offered."""
    return f"\n\nHere this tool is read-only: only {', '.join(operations)} are available."

"""Compaction: summarise the middle of the history, keep its head and recent tail."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from ..common import head_tail
from ..protocol import Compacted
from .history import SUMMARY_PREFIX, Entry, EntryKind, History, approx_tokens

SUMMARY_INSTRUCTIONS = (
    "Summarise the conversation below for your own later use. Keep: the user's goals and "
    "constraints, decisions taken, files, variables and datasets created or changed, "
    "commands and code that worked, errors met and how they were fixed, and what remains "
    "to do. Be concise and factual; use bullet points."
)

Summarize = Callable[[list[dict[str, Any]]], Awaitable[str]]


def effective_threshold(threshold: int, window: int | None) -> int:
    """The configured threshold, capped at 90% of the model's window where known."""
    return min(threshold, int(window * 0.9)) if window else threshold


def split_points(entries: list[Entry], keep_recent: int) -> tuple[int, int] | None:
    """(start, stop) of the middle to summarise, or None when there is nothing to do.

    The head is the system prompt and the first user message; the tail is the
    last ``keep_recent`` messages, moved back so that it never starts with a tool
    result (whose assistant call would otherwise be summarised away).
    """
    first_user = next((i for i, e in enumerate(entries) if e.kind is EntryKind.USER), None)
    if first_user is None:
        return None
    start = first_user + 1
    stop = max(start, len(entries) - max(keep_recent, 0))
    while start < stop < len(entries) and entries[stop].kind is EntryKind.TOOL:
        stop -= 1
    return (start, stop) if stop - start >= 1 else None


def transcript(entries: list[Entry]) -> str:
    """A plain-text rendering of messages for the summariser."""
    lines = []
    for entry in entries:
        message = entry.message
        content = message.get("content") or ""
        lines.append(f"{message['role'].upper()}: {content}")
        for call in message.get("tool_calls") or []:
            lines.append(f"  -> called {call['function']['name']}({call['function']['arguments']})")
    return "\n".join(lines)


def fallback_summary(entries: list[Entry], limit: int = 4000) -> str:
    """A mechanical digest used when the model cannot summarise."""
    return "(automatic digest; the model summary failed)\n" + head_tail(transcript(entries), limit)


async def plan_compaction(history: History, summarize: Summarize, keep_recent: int) -> Compacted | None:
    """The ``Compacted`` event that replaces the middle of the history with one summary (None: nothing to do).

    The history is not changed here: the session emits the event, and applying it compacts.
    """
    entries = history.entries()
    points = split_points(entries, keep_recent)
    if points is None:
        return None
    start, stop = points
    old_tokens = history.token_count()
    middle = entries[start:stop]
    request = [
        {"role": "system", "content": SUMMARY_INSTRUCTIONS},
        {"role": "user", "content": transcript(middle)},
    ]
    try:
        summary = (await summarize(request)).strip()
    except Exception:
        summary = ""
    if not summary:
        summary = fallback_summary(middle)
    removed_tokens = sum(history.entry_tokens(entry) for entry in middle)
    new_tokens = old_tokens - removed_tokens + approx_tokens({"role": "user", "content": SUMMARY_PREFIX + summary})
    return Compacted(
        old_tokens=old_tokens, new_tokens=new_tokens, removed_messages=len(middle), start=start, summary=summary
    )

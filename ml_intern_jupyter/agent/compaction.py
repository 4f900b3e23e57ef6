"""Compaction: summarise the middle of the history, keep its head and recent tail."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from .context import ContextManager, Entry, EntryKind

SUMMARY_PREFIX = "[Summary of the earlier conversation, made to save context]\n"

SUMMARY_INSTRUCTIONS = (
    "Summarise the conversation below for your own later use. Keep: the user's goals and "
    "constraints, decisions taken, files, variables and datasets created or changed, "
    "commands and code that worked, errors met and how they were fixed, and what remains "
    "to do. Be concise and factual; use bullet points."
)

Summarize = Callable[[list[dict[str, Any]]], Awaitable[str]]


@dataclass(frozen=True)
class CompactionResult:
    """What one compaction did."""

    old_tokens: int
    new_tokens: int
    removed_messages: int


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
    text = transcript(entries)
    if len(text) > limit:
        text = text[: limit // 2] + "\n…\n" + text[-limit // 2 :]
    return "(automatic digest; the model summary failed)\n" + text


async def compact(context: ContextManager, summarize: Summarize, keep_recent: int) -> CompactionResult | None:
    """Replace the middle of the history with one summary message."""
    entries = context.entries()
    points = split_points(entries, keep_recent)
    if points is None:
        return None
    start, stop = points
    old_tokens = context.token_count()
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
    summary_entry = Entry({"role": "user", "content": SUMMARY_PREFIX + summary}, EntryKind.SUMMARY)
    context.replace_range(start, stop, [summary_entry])
    return CompactionResult(old_tokens, context.token_count(), len(middle))

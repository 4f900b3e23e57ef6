"""The conversation history of one session, built from its events.

:meth:`History.apply` is the only way the history changes: the session applies each event
it emits, and replaying a session record applies the same events again, so a live history
and a replayed one are equal by construction. Each entry keeps what the messages sent to
the model do not: its kind, whether a tool result was ``ok``, its timestamp and usage.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..protocol import (
    AssistantMessage,
    Compacted,
    ErrorEvent,
    Event,
    GuardNote,
    Interrupted,
    Processing,
    Resumed,
    SessionStarted,
    ToolOutput,
    UndoComplete,
)

INTERRUPTED_RESULT = "[interrupted by the user before this tool call finished; it may have partly run]"
SUMMARY_PREFIX = "[Summary of the earlier conversation, made to save context]\n"
GUARD_PREFIXES = ("[loop guard]", "[length guard]")

TokenCounter = Callable[[dict[str, Any]], int]


class EntryKind(enum.StrEnum):
    """Where a message came from. Undo stops only at ``USER``."""

    SYSTEM = "system"
    USER = "user"
    GUARD = "guard"  # injected by a guard (doom loop, length), role "user"
    SUMMARY = "summary"  # compaction summary, role "user"
    ASSISTANT = "assistant"
    TOOL = "tool"


@dataclass
class Entry:
    """One message plus bookkeeping (kind, cached token count, ok, time, usage)."""

    message: dict[str, Any]
    kind: EntryKind
    tokens: int | None = None
    ok: bool | None = None  # tool results only
    timestamp: float = 0.0
    usage: tuple[int, int] | None = None  # (prompt, completion) tokens of an assistant reply
    finish_reason: str | None = None


def copy_message(message: dict[str, Any]) -> dict[str, Any]:
    """A copy deep enough that nobody can change the history through it.

    History messages hold strings, plus ``tool_calls`` (a list of dicts with a
    ``function`` dict); this copies exactly those levels, ~10x cheaper than deepcopy.
    """
    copied = dict(message)
    calls = message.get("tool_calls")
    if calls is not None:
        copied["tool_calls"] = [{**call, "function": dict(call["function"])} for call in calls]
    return copied


def approx_tokens(message: dict[str, Any]) -> int:
    """A cheap token estimate (~4 characters a token) for when no tokenizer is wanted."""
    return max(1, len(json.dumps(message, ensure_ascii=False)) // 4)


def kind_of(message: dict[str, Any]) -> EntryKind:
    """The kind of a message from outside the record (guard and summary notes by their prefix)."""
    content = message.get("content")
    if message.get("role") == "user" and isinstance(content, str):
        if content.startswith(GUARD_PREFIXES):
            return EntryKind.GUARD
        if content.startswith(SUMMARY_PREFIX.strip()):
            return EntryKind.SUMMARY
    roles = {"system": EntryKind.SYSTEM, "assistant": EntryKind.ASSISTANT, "tool": EntryKind.TOOL}
    return roles.get(message.get("role", ""), EntryKind.USER)


class History:
    """The message list sent to the model, and the bookkeeping beside it."""

    def __init__(self, system_prompt: str = "", token_counter: TokenCounter = approx_tokens) -> None:
        self._count = token_counter
        self._entries: list[Entry] = [Entry({"role": "system", "content": system_prompt}, EntryKind.SYSTEM)]

    def set_counter(self, counter: TokenCounter) -> None:
        """Count tokens with another tokenizer (the model changed); cached counts are dropped."""
        self._count = counter
        for entry in self._entries:
            entry.tokens = None

    # -- changes: only through events ------------------------------------------------------
    def apply(self, event: Event) -> None:
        """Change the history as ``event`` says (events that do not touch it are ignored)."""
        match event:
            case SessionStarted(system_prompt=prompt):
                self._entries = [Entry({"role": "system", "content": prompt}, EntryKind.SYSTEM)]
            case Processing(user_message=text):
                self._add({"role": "user", "content": text}, EntryKind.USER, event.timestamp)
            case GuardNote(text=text):
                self._add({"role": "user", "content": text}, EntryKind.GUARD, event.timestamp)
            case AssistantMessage():
                self._add_assistant(event)
            case ToolOutput():
                message = {"role": "tool", "tool_call_id": event.tool_call_id, "name": event.name}
                self._add({**message, "content": event.output}, EntryKind.TOOL, event.timestamp, ok=event.ok)
            case Interrupted(partial_text=partial):
                if partial:
                    message = {"role": "assistant", "content": partial + "\n[interrupted]"}
                    self._add(message, EntryKind.ASSISTANT, event.timestamp)
                self._repair(event.timestamp)
            case ErrorEvent(kind="internal"):  # a turn that failed unexpectedly, maybe mid-tools
                self._repair(event.timestamp)
            case Compacted(start=start, removed_messages=removed, summary=summary) if removed:
                entry = Entry({"role": "user", "content": SUMMARY_PREFIX + summary}, EntryKind.SUMMARY)
                entry.timestamp = event.timestamp
                self._entries[start : start + removed] = [entry]
            case UndoComplete(removed_messages=removed) if removed:
                del self._entries[len(self._entries) - removed :]
            case Resumed(messages=messages):
                if messages:
                    self._entries[1:] = [
                        Entry(copy_message(m), kind_of(m), timestamp=event.timestamp) for m in messages
                    ]
                self._repair(event.timestamp)

    def _add(self, message: dict[str, Any], kind: EntryKind, timestamp: float, ok: bool | None = None) -> None:
        self._entries.append(Entry(message, kind, ok=ok, timestamp=timestamp))

    def _add_assistant(self, event: AssistantMessage) -> None:
        message: dict[str, Any] = {"role": "assistant", "content": event.content or None}
        if event.tool_calls:
            message["tool_calls"] = [{**call, "function": dict(call["function"])} for call in event.tool_calls]
        entry = Entry(message, EntryKind.ASSISTANT, timestamp=event.timestamp, finish_reason=event.finish_reason)
        entry.usage = (event.prompt_tokens, event.completion_tokens)
        self._entries.append(entry)

    def _repair(self, timestamp: float) -> None:
        """Give every unanswered tool call a result, so the history stays valid for every provider."""
        for call_id, name in self.unanswered_tool_calls():
            message = {"role": "tool", "tool_call_id": call_id, "name": name, "content": INTERRUPTED_RESULT}
            self._add(message, EntryKind.TOOL, timestamp, ok=False)

    # -- reading ------------------------------------------------------------------------------
    @property
    def system_prompt(self) -> str:
        """The current system prompt text."""
        return self._entries[0].message["content"]

    def messages(self) -> list[dict[str, Any]]:
        """A copy of the messages, ready for the model."""
        return [copy_message(entry.message) for entry in self._entries]

    def entries(self) -> list[Entry]:
        """The entries themselves (read-only use)."""
        return list(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def token_count(self) -> int:
        """Tokens of the whole history (per-message counts are cached)."""
        return sum(self.entry_tokens(entry) for entry in self._entries)

    def entry_tokens(self, entry: Entry) -> int:
        """Tokens of one entry (cached)."""
        if entry.tokens is None:
            entry.tokens = self._count(entry.message)
        return entry.tokens

    def user_turns(self) -> int:
        """How many real user messages the history holds."""
        return sum(1 for entry in self._entries if entry.kind is EntryKind.USER)

    def failed_tool_calls(self) -> frozenset[str]:
        """Ids of tool calls whose result reported a failure."""
        return frozenset(e.message["tool_call_id"] for e in self._entries if e.kind is EntryKind.TOOL and e.ok is False)

    def unanswered_tool_calls(self) -> list[tuple[str, str]]:
        """(id, name) of tool calls that have no result yet."""
        answered = {e.message["tool_call_id"] for e in self._entries if e.kind is EntryKind.TOOL}
        missing = []
        for entry in self._entries:
            for call in entry.message.get("tool_calls") or []:
                if call["id"] not in answered:
                    missing.append((call["id"], call["function"]["name"]))
        return missing

    def last_user_turn(self) -> tuple[int, str]:
        """(messages from the last real user message to the end, its text); (0, "") when none.

        Guard notes and summaries are skipped over, never taken as the turn's start.
        """
        for index in range(len(self._entries) - 1, 0, -1):
            entry = self._entries[index]
            if entry.kind is EntryKind.USER:
                return len(self._entries) - index, entry.message["content"]
        return 0, ""


def replay(events: Iterable[Event]) -> History:
    """The history a sequence of events builds (a session record, read back)."""
    history = History()
    for event in events:
        history.apply(event)
    return history

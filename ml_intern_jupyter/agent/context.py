"""The conversation history of one session: messages, kinds, token counts, undo, repair."""

from __future__ import annotations

import copy
import enum
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

INTERRUPTED_RESULT = "[interrupted by the user before this tool call finished; it may have partly run]"

TokenCounter = Callable[[dict[str, Any]], int]
GUARD_PREFIXES = ("[loop guard]", "[length guard]")
SUMMARY_MARK = "[Summary of the earlier conversation"


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
    """One message plus bookkeeping (kind, cached token count)."""

    message: dict[str, Any]
    kind: EntryKind
    tokens: int | None = None


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


class ContextListener(Protocol):
    """Told about every change to a history (the session record uses it)."""

    def message(self, message: dict[str, Any], entry_kind: str) -> None: ...

    def truncate(self, length: int) -> None: ...

    def replace(self, entries: Iterable[tuple[dict[str, Any], str]]) -> None: ...


class ContextManager:
    """Owns the message list sent to the model."""

    def __init__(self, system_prompt: str, token_counter: TokenCounter = approx_tokens) -> None:
        self._count = token_counter
        self._entries: list[Entry] = []
        self.listener: ContextListener | None = None
        self.reset(system_prompt)

    def _append(self, entry: Entry) -> None:
        self._entries.append(entry)
        if self.listener is not None:
            self.listener.message(entry.message, entry.kind.value)

    def _replaced(self) -> None:
        if self.listener is not None:
            self.listener.replace((e.message, e.kind.value) for e in self._entries)

    def snapshot_to_listener(self) -> None:
        """Send the whole current history to the listener (when it starts listening)."""
        self._replaced()

    # -- building -----------------------------------------------------------
    def reset(self, system_prompt: str | None = None) -> None:
        """Forget everything but the system prompt."""
        prompt = system_prompt if system_prompt is not None else self.system_prompt
        self._entries = [Entry({"role": "system", "content": prompt}, EntryKind.SYSTEM)]
        self._replaced()

    @property
    def system_prompt(self) -> str:
        """The current system prompt text."""
        return self._entries[0].message["content"] if self._entries else ""

    def add_user(self, text: str, kind: EntryKind = EntryKind.USER) -> None:
        """Append a user-role message (a real user turn, a guard note or a summary)."""
        self._append(Entry({"role": "user", "content": text}, kind))

    def add_assistant(self, content: str, tool_calls: Iterable[dict[str, Any]] = ()) -> None:
        """Append an assistant message, with its tool calls if any."""
        message: dict[str, Any] = {"role": "assistant", "content": content or None}
        calls = copy.deepcopy(list(tool_calls))
        if calls:
            message["tool_calls"] = calls
        self._append(Entry(message, EntryKind.ASSISTANT))

    def add_tool_result(self, tool_call_id: str, name: str, output: str) -> None:
        """Append the result of one tool call."""
        message = {"role": "tool", "tool_call_id": tool_call_id, "name": name, "content": output}
        self._append(Entry(message, EntryKind.TOOL))

    # -- reading ------------------------------------------------------------
    def messages(self) -> list[dict[str, Any]]:
        """A deep copy of the messages, ready for the model."""
        return [copy_message(entry.message) for entry in self._entries]

    def entries(self) -> list[Entry]:
        """The entries themselves (read-only use)."""
        return list(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def token_count(self) -> int:
        """Tokens of the whole history (per-message counts are cached)."""
        total = 0
        for entry in self._entries:
            if entry.tokens is None:
                entry.tokens = self._count(entry.message)
            total += entry.tokens
        return total

    def user_turns(self) -> int:
        """How many real user messages the history holds."""
        return sum(1 for entry in self._entries if entry.kind is EntryKind.USER)

    def unanswered_tool_calls(self) -> list[tuple[str, str]]:
        """(id, name) of tool calls that have no result yet."""
        answered = {e.message["tool_call_id"] for e in self._entries if e.kind is EntryKind.TOOL}
        missing = []
        for entry in self._entries:
            for call in entry.message.get("tool_calls") or []:
                if call["id"] not in answered:
                    missing.append((call["id"], call["function"]["name"]))
        return missing

    # -- repairing and rewriting -------------------------------------------
    def repair(self, note: str = INTERRUPTED_RESULT) -> int:
        """Give every unanswered tool call a result; returns how many were added."""
        missing = self.unanswered_tool_calls()
        for call_id, name in missing:
            self.add_tool_result(call_id, name, note)
        return len(missing)

    def undo(self) -> tuple[int, str]:
        """Remove the last real user message and everything after it.

        Guard notes and summaries are skipped over, never taken as the turn's
        start. Returns (messages removed, the removed user text); (0, "") when
        there is no user turn.
        """
        for index in range(len(self._entries) - 1, 0, -1):
            entry = self._entries[index]
            if entry.kind is EntryKind.USER:
                removed = len(self._entries) - index
                del self._entries[index:]
                if self.listener is not None:
                    self.listener.truncate(index)
                return removed, entry.message["content"]
        return 0, ""

    def replace_range(self, start: int, stop: int, replacement: list[Entry]) -> None:
        """Replace entries[start:stop] (used by compaction)."""
        self._entries[start:stop] = replacement
        self._replaced()

    def load(self, messages: Iterable[dict[str, Any]], kinds: Iterable[EntryKind] | None = None) -> None:
        """Replace the history (after the system prompt) with saved messages."""
        messages = list(messages)
        kind_list = list(kinds) if kinds is not None else [_kind_of(m) for m in messages]
        self._entries = self._entries[:1] + [
            Entry(copy.deepcopy(m), k) for m, k in zip(messages, kind_list, strict=True)
        ]
        self._replaced()


def _kind_of(message: dict[str, Any]) -> EntryKind:
    content = message.get("content")
    if message.get("role") == "user" and isinstance(content, str):
        if content.startswith(GUARD_PREFIXES):
            return EntryKind.GUARD
        if content.startswith(SUMMARY_MARK):
            return EntryKind.SUMMARY
    return {
        "system": EntryKind.SYSTEM,
        "assistant": EntryKind.ASSISTANT,
        "tool": EntryKind.TOOL,
    }.get(message.get("role", ""), EntryKind.USER)

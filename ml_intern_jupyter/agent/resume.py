"""Bring a saved conversation back: from the local record (replayed events) or from outside messages."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..traces.recorder import SessionRecorder, read_events
from .history import INTERRUPTED_RESULT, History, replay


def _valid_call(call: Any) -> bool:
    function = call.get("function") if isinstance(call, dict) else None
    return (
        isinstance(function, dict)
        and isinstance(call.get("id"), str)
        and isinstance(function.get("name"), str)
        and isinstance(function.get("arguments"), str)
    )


def _text(content: Any) -> str | None:
    if content is None or isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return None


def restore_messages(messages: Iterable[Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """Keep the messages that can be restored; explain every one dropped.

    System messages are skipped (the session has its own). Tool results need a
    preceding assistant call with their id; assistant calls left without a result
    get a placeholder result so the history stays valid for every provider.
    """
    kept: list[dict[str, Any]] = []
    notes: list[str] = []
    open_calls: dict[str, str] = {}
    for index, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if role == "system":
            continue
        text = _text(message.get("content")) if isinstance(message, dict) else None
        if role in ("user", "assistant") and (text is not None or role == "assistant"):
            _close_open_calls(kept, open_calls)
            entry: dict[str, Any] = {"role": role, "content": text}
            calls = message.get("tool_calls") or []
            if not isinstance(calls, list):
                notes.append(f"message {index}: dropped tool_calls that are not a list")
                calls = []
            good = [c for c in calls if _valid_call(c)]
            if len(good) != len(calls):
                notes.append(f"message {index}: dropped {len(calls) - len(good)} malformed tool call(s)")
            if role == "assistant" and good:
                entry["tool_calls"] = good
                open_calls = {c["id"]: c["function"]["name"] for c in good}
            kept.append(entry)
        elif role == "tool" and _answers_open_call(message, open_calls) and text is not None:
            name = open_calls.pop(message["tool_call_id"])
            kept.append({"role": "tool", "tool_call_id": message["tool_call_id"], "name": name, "content": text})
        else:
            notes.append(f"message {index}: dropped (role {role!r} cannot be restored here)")
    _close_open_calls(kept, open_calls)
    return kept, notes


def _answers_open_call(message: dict[str, Any], open_calls: dict[str, str]) -> bool:
    call_id = message.get("tool_call_id")
    return isinstance(call_id, str) and call_id in open_calls


def _close_open_calls(kept: list[dict[str, Any]], open_calls: dict[str, str]) -> None:
    for call_id, name in open_calls.items():
        kept.append({"role": "tool", "tool_call_id": call_id, "name": name, "content": INTERRUPTED_RESULT})
    open_calls.clear()


@dataclass(frozen=True)
class SavedRecord:
    """A session read back from its record: the history its events build, and where to continue."""

    session_id: str
    started: float
    last_seq: int
    history: History
    notes: list[str]


def _read(path) -> SavedRecord:
    events, notes = read_events(path)
    started = next((e.timestamp for e in events), 0.0)
    return SavedRecord(path.stem, started, max((e.seq for e in events), default=0), replay(events), notes)


async def load_record(records: SessionRecorder | None, prefix: str) -> SavedRecord | str:
    """The saved session whose id starts with ``prefix``, or a sentence saying why there is none."""
    if records is None:
        return "This session has no local record to resume from."
    if not prefix.strip():
        return "Say which session to resume: give its id or a unique prefix."
    matches = records.find(prefix.strip())
    if len(matches) != 1:
        return f"{'No session' if not matches else f'{len(matches)} sessions'} match {prefix!r}."
    return await asyncio.to_thread(_read, matches[0])

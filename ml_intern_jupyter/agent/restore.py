"""Check saved messages before they go back into a live history."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .context import INTERRUPTED_RESULT


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


def restorable_messages(messages: Iterable[Any]) -> tuple[list[dict[str, Any]], list[str]]:
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

"""History (OpenAI chat format) <-> Claude Code JSONL trace lines, for the Agent Trace Viewer.

One line per message, the system message skipped: user text -> ``user`` line with string
content; assistant -> ``assistant`` line whose content is ``text`` and ``tool_use`` blocks
(one empty text block if it has neither), with what Claude Code's own transcripts carry
(``message.id``, ``message.type``, ``stop_reason``, ``usage``, ``requestId``); tool result ->
``user`` line with one ``tool_result`` block whose ``is_error`` is the recorded ``ok``.
Uuids and ids are derived from ``(session_id, line)`` with uuid5: re-exports are
byte-identical and a longer history keeps its prefix's ids. A tool-call id that repeats (a
provider reusing ids) gets a ``_<n>`` suffix, on its call and on its result alike.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from .._version import __version__

TRACE_NAMESPACE = uuid.UUID("5d0f6c3e-8a4b-5c1e-9f2a-6b7c8d9e0f1a")
RAW_ARGUMENTS_KEY = "_raw_arguments"
TRACE_KEYS = ("type", "message", "uuid", "parentUuid", "sessionId", "timestamp")  # the minimum
CONTEXT_KEYS = ("cwd", "version", "isSidechain", "userType")  # Claude Code's, also required here
KEY_TYPES = MappingProxyType({"message": dict, "parentUuid": (str, type(None)), "isSidechain": bool})  # else str
STOP_REASONS = {"tool_calls": "tool_use", "stop": "end_turn", "length": "max_tokens"}


@dataclass(frozen=True)
class TraceEntry:
    """One history message with what the history keeps beside it."""

    message: dict[str, Any]
    timestamp: float | None = None
    ok: bool | None = None  # tool results: False when the call failed
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    finish_reason: str | None = None


def iso_timestamp(seconds: float) -> str:
    """Epoch seconds -> ``2026-01-25T18:16:50.773Z``."""
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def line_uuid(session_id: str, index: int, role: str) -> str:
    """The deterministic uuid of trace line ``index``."""
    return str(uuid.uuid5(TRACE_NAMESPACE, f"{session_id}:{index}:{role}"))


def _tool_input(arguments: Any) -> dict[str, Any]:
    if isinstance(arguments, dict):
        return copy.deepcopy(arguments)
    if arguments is None or (isinstance(arguments, str) and not arguments.strip()):
        return {}
    try:
        parsed = json.loads(arguments) if isinstance(arguments, str) else None
    except ValueError:
        parsed = None
    return parsed if isinstance(parsed, dict) else {RAW_ARGUMENTS_KEY: str(arguments)}


def _content_text(content: Any) -> str:
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return "" if content is None else str(content)


def _assistant_payload(entry: TraceEntry, model: str, ids: dict[str, str], message_id: str) -> dict[str, Any]:
    message = entry.message
    text = _content_text(message.get("content"))
    blocks: list[dict[str, Any]] = [{"type": "text", "text": text}] if text else []
    for call in message.get("tool_calls") or []:
        function = call.get("function") or {}
        block = {
            "type": "tool_use",
            "id": ids.get(call.get("id", ""), call.get("id", "")),
            "name": function.get("name", ""),
        }
        blocks.append({**block, "input": _tool_input(function.get("arguments"))})
    has_calls = any(b["type"] == "tool_use" for b in blocks)
    reason = STOP_REASONS.get(entry.finish_reason or "", "tool_use" if has_calls else "end_turn")
    usage = {"input_tokens": entry.prompt_tokens or 0, "output_tokens": entry.completion_tokens or 0}
    return {
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": blocks or [{"type": "text", "text": ""}],
        "stop_reason": reason,
        "stop_sequence": None,
        "usage": usage,
    }


def _payload(entry: TraceEntry, model: str, ids: dict[str, str], message_id: str) -> dict[str, Any] | None:
    message = entry.message
    role = message.get("role")
    if role == "user":  # content parts (a list) are joined into text
        return {"role": "user", "content": _content_text(message.get("content"))}
    if role == "assistant":
        return _assistant_payload(entry, model, ids, message_id)
    if role == "tool":
        text = _content_text(message.get("content"))
        call_id = ids.get(message.get("tool_call_id", ""), message.get("tool_call_id", ""))
        result = {"type": "tool_result", "tool_use_id": call_id, "content": text, "is_error": entry.ok is False}
        return {"role": "user", "content": [result]}
    return None  # system, developer and unknown roles are not part of a trace


class _UniqueIds:
    """Renames tool-call ids that repeat in a session, so every ``tool_use`` id is unique."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}
        self.current: dict[str, str] = {}  # original id -> id used for the latest assistant message

    def assistant(self, message: dict[str, Any]) -> None:
        for call in message.get("tool_calls") or []:
            original = call.get("id", "")
            count = self._seen.get(original, 0)
            self._seen[original] = count + 1
            self.current[original] = original if count == 0 else f"{original}_{count}"


def _derived_id(session_id: str, index: int, kind: str, prefix: str) -> str:
    return prefix + uuid.uuid5(TRACE_NAMESPACE, f"{session_id}:{index}:{kind}").hex[:24]


def to_trace_lines(
    entries: Sequence[TraceEntry | dict[str, Any]],
    *,
    session_id: str,
    model: str,
    cwd: str = "",
    version: str = __version__,
    start_time: float = 0.0,
) -> list[dict[str, Any]]:
    """Convert history entries (or bare OpenAI-format messages) into Claude Code JSONL line dicts.

    An entry without a timestamp is stamped ``start_time + i`` seconds (line ``i``), so the
    output never depends on the clock.
    """
    lines: list[dict[str, Any]] = []
    parent: str | None = None
    unique = _UniqueIds()
    for item in entries:
        entry = item if isinstance(item, TraceEntry) else TraceEntry(item)
        index = len(lines)
        if entry.message.get("role") == "assistant":
            unique.assistant(entry.message)
        payload = _payload(entry, model, unique.current, _derived_id(session_id, index, "message", "msg_"))
        if payload is None:
            continue
        seconds = entry.timestamp if entry.timestamp is not None else start_time + index
        line_id = line_uuid(session_id, index, entry.message["role"])
        line = {
            "type": payload["role"],
            "message": payload,
            "uuid": line_id,
            "parentUuid": parent,
            "sessionId": session_id,
            "timestamp": iso_timestamp(seconds),
            "cwd": cwd,
            "version": version,
            "isSidechain": False,
            "userType": "external",
        }
        if payload["role"] == "assistant":
            line["requestId"] = _derived_id(session_id, index, "request", "req_")
        lines.append(line)
        parent = line_id
    return lines


def dumps_jsonl(lines: Iterable[dict[str, Any]]) -> str:
    """One compact JSON object a line, keys in build order; U+2028/9 escaped so no reader splits."""
    out = []
    for line in lines:
        text = json.dumps(line, ensure_ascii=False, separators=(",", ":"))
        out.append(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n")
    return "".join(out)


def from_trace_lines(lines: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Trace lines back to OpenAI-format messages (to resume a session from an export).

    Differences from the exported history: tool-call arguments are re-serialised with
    ``json.dumps`` (same JSON value; malformed ones come back verbatim), an empty
    assistant text becomes ``None``, tool names come from the matching ``tool_use``, and
    list-form user content comes back as joined text. Sidechain and non user/assistant
    lines are skipped; consecutive assistant lines with the same ``message.id`` (Claude
    Code writes one line per block) become one message.
    """
    messages: list[dict[str, Any]] = []
    names: dict[str, str] = {}
    previous_id: Any = None
    for line in lines:
        message = line.get("message") if isinstance(line, dict) else None
        if not isinstance(message, dict) or line.get("isSidechain") or line.get("type") not in ("user", "assistant"):
            continue
        if line["type"] == "user":
            messages += _user_messages(message.get("content"), names)
            previous_id = None
            continue
        entry = _assistant_message(message.get("content"), names)
        if previous_id is not None and message.get("id") == previous_id:  # one reply split over lines
            last = messages[-1]
            last["content"] = "\n\n".join(t for t in (last["content"], entry["content"]) if t) or None
            if "tool_calls" in entry:
                last["tool_calls"] = [*last.get("tool_calls", []), *entry["tool_calls"]]
        else:
            messages.append(entry)
        previous_id = message.get("id")
    return messages


def _arguments(given: Any) -> str:
    if isinstance(given, dict) and set(given) == {RAW_ARGUMENTS_KEY} and isinstance(given[RAW_ARGUMENTS_KEY], str):
        return given[RAW_ARGUMENTS_KEY]
    return json.dumps(given if given is not None else {}, ensure_ascii=False)


def _assistant_message(content: Any, names: dict[str, str]) -> dict[str, Any]:
    blocks = [b for b in (content if isinstance(content, list) else []) if isinstance(b, dict)]
    texts = [content] if isinstance(content, str) else [b.get("text", "") for b in blocks if b.get("type") == "text"]
    entry: dict[str, Any] = {"role": "assistant", "content": "\n\n".join(t for t in texts if t) or None}
    for block in (b for b in blocks if b.get("type") == "tool_use"):
        call_id, name = block.get("id", ""), block.get("name", "")
        names[call_id] = name
        function = {"name": name, "arguments": _arguments(block.get("input"))}
        entry.setdefault("tool_calls", []).append({"id": call_id, "type": "function", "function": function})
    return entry


def _user_messages(content: Any, names: dict[str, str]) -> list[dict[str, Any]]:
    if not isinstance(content, list):
        return [{"role": "user", "content": _content_text(content)}]
    out: list[dict[str, Any]] = []
    texts = []
    for block in content:
        if not isinstance(block, dict):
            continue
        if block.get("type") == "tool_result":
            call_id = block.get("tool_use_id", "")
            text = _content_text(block.get("content"))
            out.append({"role": "tool", "tool_call_id": call_id, "name": names.get(call_id, ""), "content": text})
        elif block.get("type") == "text":
            texts.append(block.get("text", ""))
    if texts or not out:
        out.append({"role": "user", "content": "\n\n".join(texts)})
    return out


def validate_trace(lines: Sequence[dict[str, Any]]) -> list[str]:
    """Problems with a trace; an empty list means valid.

    Checks each line's keys and types, type/role, the parentUuid chain, unique uuids,
    one sessionId, timestamps, and that every tool_use gets exactly one later
    tool_result and every tool_result answers an earlier tool_use.
    """
    if not lines:
        return ["the trace has no lines"]
    problems: list[str] = []
    previous: Any = None
    uuids: set[str] = set()
    sessions: set[str] = set()
    calls: dict[str, int] = {}  # tool_use id -> line number
    answered: set[str] = set()
    for number, line in enumerate(lines, start=1):
        where = f"line {number}"
        if not isinstance(line, dict):
            problems.append(f"{where}: not a JSON object")
            continue
        for key in (*TRACE_KEYS, *CONTEXT_KEYS):
            if key not in line:
                problems.append(f"{where}: missing {key!r}")
            elif not isinstance(line[key], KEY_TYPES.get(key, str)):
                problems.append(f"{where}: {key!r} has type {type(line[key]).__name__}")
        if line.get("type") not in ("user", "assistant"):
            problems.append(f"{where}: type {line.get('type')!r} is not 'user' or 'assistant'")
        if line.get("parentUuid", previous) != previous:
            problems.append(f"{where}: parentUuid {line.get('parentUuid')!r} should be {previous!r}")
        previous = line.get("uuid")
        if isinstance(previous, str) and previous in uuids:
            problems.append(f"{where}: duplicate uuid {previous!r}")
        uuids.add(str(previous))
        sessions.add(str(line.get("sessionId")))
        if not _valid_timestamp(line.get("timestamp")):
            problems.append(f"{where}: timestamp {line.get('timestamp')!r} is not ISO 8601 with a time zone")
        if isinstance(line.get("message"), dict):
            problems += _check_message(where, number, line["type"], line["message"], calls, answered)
    if len(sessions) > 1:
        problems.append(f"{len(sessions)} different sessionIds")
    problems += [f"line {n}: tool_use {i!r} has no tool_result" for i, n in calls.items() if i not in answered]
    return problems


def _valid_timestamp(value: Any) -> bool:
    try:
        return isinstance(value, str) and datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def _check_message(
    where: str, number: int, kind: Any, message: dict[str, Any], calls: dict[str, int], answered: set[str]
) -> list[str]:
    problems = [] if message.get("role") == kind else [f"{where}: role {message.get('role')!r} != type {kind!r}"]
    content = message.get("content")
    if kind == "user" and isinstance(content, str):
        return problems
    if kind == "assistant" and not isinstance(message.get("model"), str):
        problems.append(f"{where}: assistant message without a model")
    if not isinstance(content, list):
        return [*problems, f"{where}: content must be a list of blocks"]
    for block in content:
        block_type = block.get("type") if isinstance(block, dict) else None
        if block_type == "text" and isinstance(block.get("text"), str):
            continue
        if block_type == "tool_use" and kind == "assistant":
            call_id = block.get("id")
            if not (isinstance(call_id, str) and call_id and isinstance(block.get("name"), str)):
                problems.append(f"{where}: tool_use without a string id and name")
            elif call_id in calls:
                problems.append(f"{where}: duplicate tool_use id {call_id!r}")
            else:
                calls[call_id] = number
            if not isinstance(block.get("input"), dict):
                problems.append(f"{where}: tool_use {call_id!r} input is not an object")
        elif block_type == "tool_result" and kind == "user":
            call_id = block.get("tool_use_id")
            if not isinstance(call_id, str) or call_id not in calls:
                problems.append(f"{where}: tool_result {call_id!r} answers no earlier tool_use")
            elif call_id in answered:
                problems.append(f"{where}: tool_use {call_id!r} answered twice")
            else:
                answered.add(call_id)
            if not isinstance(block.get("content"), str | list) or not isinstance(block.get("is_error", False), bool):
                problems.append(f"{where}: tool_result {call_id!r} has bad content or is_error")
        elif block_type != "thinking":
            problems.append(f"{where}: unexpected {block_type!r} block in a {kind} message")
    return problems

"""OpenAI chat messages → plain ``{role, content}`` messages in the tool dialect.

Tool calls become ``Tool: name`` blocks in the assistant's text, tool results become user
messages, and consecutive messages of one role are merged, so every chat template can render
the conversation and a small model sees one consistent format.
"""

from __future__ import annotations

import json
from typing import Any

from .dialect import ANSWER, CALL_PREFIX, render_call, render_result, tool_name, tool_summary

Message = dict[str, str]

TOOL_GUIDE = """\
You can use these tools:
{tools}

Each reply starts with `{prefix} <name>`. To use a tool, write its name and its arguments. \
To reply to the user in words, write `{prefix} {answer}` and then your reply. \
After a tool result, reply with `{prefix} {answer}` unless the result shows an error to fix."""


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)


def content_text(content: Any) -> str:
    """Text of a message content (string or list of parts)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(_get(p, "text") or "") for p in content if _get(p, "text"))
    return str(content)


def tool_guide(tools: list[dict[str, Any]]) -> str:
    """The system-prompt section listing the tools and the call format."""
    listing = "\n".join(tool_summary(t) for t in tools)
    return TOOL_GUIDE.format(tools=listing, prefix=CALL_PREFIX, answer=ANSWER)


def _arguments(raw: Any) -> Any:
    if isinstance(raw, str):
        try:
            return json.loads(raw, strict=False)
        except json.JSONDecodeError:
            return raw
    return raw if raw is not None else {}


def convert(messages: list[Any], tools: list[dict[str, Any]], *, mark_answers: bool = True) -> list[Message]:
    """Plain messages: system first (if any), then strictly alternating user/assistant turns.

    With ``mark_answers``, plain assistant replies get the ``Tool: answer`` line the model is
    shown in the tool dialect (leave it off when the model is not offered tools).
    """
    by_name = {tool_name(t): t for t in tools}
    call_names: dict[str, str] = {}
    out: list[Message] = []
    for message in messages:
        role = str(_get(message, "role") or "user")
        text = content_text(_get(message, "content"))
        if role == "assistant":
            parts = [text.strip()] if text.strip() else []
            for call in _get(message, "tool_calls") or []:
                function = _get(call, "function") or {}
                name = str(_get(function, "name") or "")
                call_names[str(_get(call, "id") or "")] = name
                parts.append(render_call(by_name.get(name), name, _arguments(_get(function, "arguments"))))
            text = "\n".join(parts)
            if mark_answers and text and not _get(message, "tool_calls") and not text.startswith(CALL_PREFIX):
                text = f"{CALL_PREFIX} {ANSWER}\n{text}"
        elif role in ("tool", "function"):
            name = _get(message, "name") or call_names.get(str(_get(message, "tool_call_id") or ""), "tool")
            role, text = "user", render_result(str(name), text)
        elif role in ("system", "developer"):
            role = "system" if not out else "user"
        else:
            role = "user"
        _append(out, role, text)
    return out


def _append(out: list[Message], role: str, text: str) -> None:
    if out and out[-1]["role"] == role and role != "system":
        out[-1] = {"role": role, "content": f"{out[-1]['content']}\n\n{text}".strip()}
    elif text or role == "assistant":
        out.append({"role": role, "content": text})


def with_guide(plain: list[Message], tools: list[dict[str, Any]], examples: list[Message]) -> list[Message]:
    """Add the tool guide to the system message and put the few-shot turns after it."""
    if not tools:
        return plain
    guide = tool_guide(tools)
    if plain and plain[0]["role"] == "system":
        system, rest = f"{plain[0]['content'].rstrip()}\n\n{guide}", plain[1:]
    else:
        system, rest = guide, plain
    return [{"role": "system", "content": system}, *examples, *rest]


def last_request(messages: list[Any]) -> str:
    """The text of the last user message (the request the current turn works on)."""
    for message in reversed(messages):
        if str(_get(message, "role")) == "user":
            return content_text(_get(message, "content"))
    return ""


def turn_state(messages: list[Any], failed_tool_calls: frozenset[str] = frozenset()) -> str:
    """``request`` (a user spoke last), ``result`` (tool results came back) or ``error`` (one failed).

    Reads the OpenAI messages: the trailing tool results and whether any of their call ids is
    in ``failed_tool_calls`` (the history keeps each result's ``ok``).
    """
    ids = []
    for message in reversed(messages):
        if str(_get(message, "role")) not in ("tool", "function"):
            break
        ids.append(str(_get(message, "tool_call_id") or ""))
    if not ids:
        return "request"
    return "error" if any(i in failed_tool_calls for i in ids) else "result"

"""The scripted model: replay a conversation deterministically (tests, demos, your own workflows).

Model id ``scripted/<path>`` names a JSON file (relative to the working directory, or
absolute: ``scripted//abs/path.json``)::

    {"turns": [
        {"text": "Let me look.", "tool_calls": [{"name": "python", "arguments": {"code": "1+1"}}]},
        {"tool_calls": [{"name": "python", "arguments": "{not json"}]},
        {"error": "rate_limit"},
        {"text": "Done.", "finish_reason": "length", "delay": 0.5,
         "usage": {"prompt_tokens": 10, "completion_tokens": 3}}
    ]}

Each model call re-reads the file (in a worker thread) and consumes the next turn; the cursor
belongs to the provider, which a session keeps per model id. Turn keys (all optional):

- ``text``: assistant text, streamed in word-ish pieces (whitespace kept).
- ``tool_calls``: ``{"name", "arguments"}``; ``arguments`` is an object (serialised) or a string
  passed through verbatim (malformed JSON on purpose). Ids are ``call_<turn>_<call>``.
- ``error``: fail instead of answering: ``rate_limit``, ``timeout``, ``server_error`` (retried),
  ``auth``, ``context_window``, ``bad_request`` (not).
- ``finish_reason``: override (default ``tool_calls`` with tool calls, else ``stop``).
- ``delay``: seconds to wait before answering (cancellable).
- ``chunk_delay``: seconds between streamed pieces, to replay a model's pace (default 0).
- ``usage``: ``{"prompt_tokens", "completion_tokens"}``, overriding the estimate (characters / 4).

A missing file, invalid JSON, a malformed turn or running out of turns is a ``script`` error
naming the file (not retried).
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ProviderError
from .provider import InProcessModel, ModelRequest, OnText
from .reply import ModelReply, RawToolCall

ERRORS = frozenset({"rate_limit", "timeout", "auth", "context_window", "server_error", "bad_request"})
TURN_KEYS = frozenset({"text", "tool_calls", "error", "finish_reason", "delay", "chunk_delay", "usage"})


@dataclass(frozen=True)
class ScriptTurn:
    """One parsed turn of a script."""

    index: int
    text: str
    tool_calls: tuple[tuple[str, str], ...]  # (name, arguments as sent)
    error: str | None
    finish_reason: str
    delay: float
    usage: dict[str, int]
    chunk_delay: float = 0.0


def script_path(model_id: str, cwd: Path | None = None) -> Path:
    """The file a ``scripted/<path>`` id names (relative paths against ``cwd``)."""
    path = Path(model_id.partition("/")[2]).expanduser()
    return path if path.is_absolute() else (cwd or Path.cwd()) / path


def _bad(path: Path, what: str) -> ProviderError:
    return ProviderError("script", f"scripted model {path}: {what}")


def parse_turn(path: Path, i: int, raw: Any) -> ScriptTurn:
    """Check one raw turn; raises a ``script`` ProviderError naming what is wrong."""
    where = f"turn {i}"
    if not isinstance(raw, dict):
        raise _bad(path, f"{where} must be an object, got {type(raw).__name__}")
    unknown = set(raw) - TURN_KEYS
    if unknown:
        raise _bad(path, f"{where} has unknown keys {sorted(unknown)}; allowed: {sorted(TURN_KEYS)}")
    error = raw.get("error")
    if error is not None and error not in ERRORS:
        raise _bad(path, f"{where}: unknown error {error!r}; expected one of {sorted(ERRORS)}")
    text = raw.get("text", "")
    if not isinstance(text, str):
        raise _bad(path, f"{where}: 'text' must be a string")
    raw_calls = raw.get("tool_calls", [])
    if not isinstance(raw_calls, list):
        raise _bad(path, f"{where}: 'tool_calls' must be a list")
    calls = []
    for j, call in enumerate(raw_calls):
        if not isinstance(call, dict) or not isinstance(call.get("name"), str):
            raise _bad(path, f"{where}: tool_calls[{j}] must be an object with a string 'name'")
        args = call.get("arguments", {})
        if not isinstance(args, str | dict):
            raise _bad(path, f"{where}: tool_calls[{j}].arguments must be an object or a string")
        calls.append((call["name"], args if isinstance(args, str) else json.dumps(args)))
    delay, chunk_delay = (_seconds(path, where, raw, key) for key in ("delay", "chunk_delay"))
    usage = raw.get("usage", {})
    if not isinstance(usage, dict) or not all(
        k in ("prompt_tokens", "completion_tokens") and isinstance(v, int) for k, v in usage.items()
    ):
        raise _bad(path, f"{where}: 'usage' must map prompt_tokens/completion_tokens to integers")
    finish = raw.get("finish_reason") or ("tool_calls" if calls else "stop")
    if not isinstance(finish, str):
        raise _bad(path, f"{where}: 'finish_reason' must be a string")
    return ScriptTurn(i, text, tuple(calls), error, finish, delay, usage, chunk_delay)


def _seconds(path: Path, where: str, raw: dict[str, Any], key: str) -> float:
    value = raw.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise _bad(path, f"{where}: {key!r} must be a non-negative number")
    return float(value)


def load_turns(path: Path) -> list[Any]:
    """The raw turns of a script file (blocking)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _bad(path, "script file not found") from None
    except json.JSONDecodeError as e:
        raise _bad(path, f"invalid JSON: {e}") from None
    except OSError as e:
        raise _bad(path, f"cannot read it: {e}") from None
    if not isinstance(data, dict) or not isinstance(data.get("turns"), list):
        raise _bad(path, 'the file must contain an object {"turns": [...]}')
    return data["turns"]


def split_text(text: str) -> list[str]:
    """Word-ish stream pieces: each word with the whitespace after it."""
    return re.findall(r"\S+\s*|\s+", text)


def _message_chars(messages: Any) -> int:
    total = 0
    for m in messages or []:
        content = m.get("content")
        total += len(content) if isinstance(content, str) else 0
        for call in m.get("tool_calls") or []:
            total += len(call["function"]["name"]) + len(call["function"]["arguments"] or "")
    return total


class ScriptedProvider(InProcessModel):
    """Replays a script file; each call takes the next turn."""

    kind = "scripted"

    def __init__(self, model_id: str, cwd: Path | None = None) -> None:
        self.model_id = model_id
        self.path = script_path(model_id, cwd).resolve()
        self.cursor = 0
        """Index of the next turn."""

    async def _next_turn(self) -> ScriptTurn:
        turns = await asyncio.to_thread(load_turns, self.path)
        index = self.cursor
        self.cursor += 1
        if index >= len(turns):
            raise _bad(
                self.path,
                f"the script has {len(turns)} turns and all were used (call {index + 1}). "
                "Add turns to the script, or start a new conversation.",
            )
        return parse_turn(self.path, index, turns[index])

    async def complete(self, request: ModelRequest, on_text: OnText | None = None) -> ModelReply:
        """The next turn: waits ``delay``, fails with its ``error`` or streams its text."""
        turn = await self._next_turn()
        if turn.delay:
            await asyncio.sleep(turn.delay)
        if turn.error is not None:
            raise ProviderError(turn.error, f"scripted {turn.error} error (turn {turn.index})")
        if request.stream and on_text is not None:
            for piece in split_text(turn.text):
                on_text(piece)
                await asyncio.sleep(turn.chunk_delay)  # at least let the loop breathe, as a network stream does
        calls = tuple(RawToolCall(f"call_{turn.index}_{j}", n, a) for j, (n, a) in enumerate(turn.tool_calls))
        out_chars = len(turn.text) + sum(len(a) for _, a in turn.tool_calls)
        prompt = turn.usage.get("prompt_tokens", max(1, _message_chars(request.messages) // 4))
        completion = turn.usage.get("completion_tokens", max(1, out_chars // 4))
        return ModelReply(turn.text, calls, turn.finish_reason, prompt, completion)

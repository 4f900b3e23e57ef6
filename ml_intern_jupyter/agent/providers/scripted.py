"""Scripted litellm provider: replay a conversation deterministically through ``litellm.acompletion``.

Model id ``scripted/<path>`` names a JSON file (relative to the current working directory, or
absolute: ``scripted//abs/path.json``, ``scripted/./rel.json``, ``scripted/rel.json``)::

    {"turns": [
        {"text": "Let me look.", "tool_calls": [{"name": "python", "arguments": {"code": "1+1"}}]},
        {"tool_calls": [{"name": "python", "arguments": "{not json"}]},
        {"error": "rate_limit"},
        {"text": "Done.", "finish_reason": "length", "delay": 0.5,
         "usage": {"prompt_tokens": 10, "completion_tokens": 3}}
    ]}

Each LLM call re-reads the file and consumes the next turn. Turn keys (all optional, no others):

- ``text``: assistant text. Streamed in word-ish pieces (whitespace kept), one chunk each.
- ``tool_calls``: list of ``{"name", "arguments"}``; ``arguments`` is a JSON object (serialised) or a
  string passed through verbatim (to produce malformed JSON on purpose). Ids are
  ``call_<turn index>_<call index>`` (both 0-based), e.g. ``call_0_1``.
- ``error``: raise instead of answering: ``rate_limit`` -> litellm.RateLimitError, ``timeout`` ->
  litellm.Timeout, ``auth`` -> litellm.AuthenticationError, ``context_window`` ->
  litellm.ContextWindowExceededError, ``server_error`` -> litellm.InternalServerError,
  ``bad_request`` -> litellm.BadRequestError. Errors are raised by the ``acompletion`` call itself,
  also with ``stream=True``.
- ``finish_reason``: override (default ``tool_calls`` if there are tool calls, else ``stop``).
- ``delay``: seconds to sleep before responding (asyncio sleep, cancellable; for error turns with
  ``stream=True`` the sleep happens in litellm's worker thread).
- ``usage``: ``{"prompt_tokens", "completion_tokens"}`` overriding the estimate, which is
  message content + tool-call characters // 4 and (text + arguments characters) // 4, each at least 1.

Cursors are kept per (resolved path, session); pass ``extra_body={"scripted_session": "<key>"}``
to get an independent cursor (default session ``"default"``). Running out of turns, a missing file,
invalid JSON or a malformed turn raise litellm.BadRequestError naming the file.
Call :func:`register_scripted_provider` once before using the model id.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import litellm
from litellm.types.utils import GenericStreamingChunk

PROVIDER = "scripted"
DEFAULT_SESSION = "default"
SESSION_PARAM = "scripted_session"

_ERRORS: dict[str, type[Exception]] = {
    "rate_limit": litellm.RateLimitError,
    "timeout": litellm.Timeout,
    "auth": litellm.AuthenticationError,
    "context_window": litellm.ContextWindowExceededError,
    "server_error": litellm.InternalServerError,
    "bad_request": litellm.BadRequestError,
}
_TURN_KEYS = {"text", "tool_calls", "error", "finish_reason", "delay", "usage"}


@dataclass(frozen=True)
class _Turn:
    index: int
    text: str
    tool_calls: list[tuple[str, str]]  # (name, arguments as sent)
    error: str | None
    finish_reason: str
    delay: float
    usage: dict[str, int]


def _bad(model: str, what: str) -> litellm.BadRequestError:
    return litellm.BadRequestError(
        message=f"scripted model {model}: {what}", model=f"{PROVIDER}/{model}", llm_provider=PROVIDER
    )


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)


def _message_chars(messages: list) -> int:
    total = 0
    for m in messages or []:
        content = _get(m, "content")
        if isinstance(content, str):
            total += len(content)
        elif isinstance(content, list):
            total += sum(len(str(_get(p, "text") or "")) for p in content)
        for tc in _get(m, "tool_calls") or []:
            fn = _get(tc, "function")
            total += len(str(_get(fn, "name") or "")) + len(str(_get(fn, "arguments") or ""))
    return total


def _parse_turn(model: str, i: int, raw: Any) -> _Turn:
    where = f"turn {i}"
    if not isinstance(raw, dict):
        raise _bad(model, f"{where} must be an object, got {type(raw).__name__}")
    unknown = set(raw) - _TURN_KEYS
    if unknown:
        raise _bad(model, f"{where} has unknown keys {sorted(unknown)}; allowed: {sorted(_TURN_KEYS)}")
    error = raw.get("error")
    if error is not None and error not in _ERRORS:
        raise _bad(model, f"{where}: unknown error {error!r}; expected one of {sorted(_ERRORS)}")
    text = raw.get("text", "")
    if not isinstance(text, str):
        raise _bad(model, f"{where}: 'text' must be a string")
    calls: list[tuple[str, str]] = []
    raw_calls = raw.get("tool_calls", [])
    if not isinstance(raw_calls, list):
        raise _bad(model, f"{where}: 'tool_calls' must be a list")
    for j, call in enumerate(raw_calls):
        if not isinstance(call, dict) or not isinstance(call.get("name"), str):
            raise _bad(model, f"{where}: tool_calls[{j}] must be an object with a string 'name'")
        args = call.get("arguments", {})
        if not isinstance(args, str | dict):
            raise _bad(model, f"{where}: tool_calls[{j}].arguments must be an object or a string")
        calls.append((call["name"], args if isinstance(args, str) else json.dumps(args)))
    delay = raw.get("delay", 0)
    if isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0:
        raise _bad(model, f"{where}: 'delay' must be a non-negative number")
    usage = raw.get("usage", {})
    if not isinstance(usage, dict) or not all(
        k in ("prompt_tokens", "completion_tokens") and isinstance(v, int) for k, v in usage.items()
    ):
        raise _bad(model, f"{where}: 'usage' must map prompt_tokens/completion_tokens to integers")
    finish = raw.get("finish_reason") or ("tool_calls" if calls else "stop")
    if not isinstance(finish, str):
        raise _bad(model, f"{where}: 'finish_reason' must be a string")
    return _Turn(i, text, calls, error, finish, float(delay), usage)


def _load_turns(model: str, path: Path) -> list[Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _bad(model, f"script file not found: {path} (cwd {os.getcwd()})") from None
    except json.JSONDecodeError as e:
        raise _bad(model, f"invalid JSON in {path}: {e}") from None
    except OSError as e:
        raise _bad(model, f"cannot read {path}: {e}") from None
    if not isinstance(data, dict) or not isinstance(data.get("turns"), list):
        raise _bad(model, f'{path} must contain an object {{"turns": [...]}}')
    return data["turns"]


def _tool_calls(turn: _Turn) -> list[dict[str, Any]]:
    return [
        {
            "id": f"call_{turn.index}_{j}",
            "type": "function",
            "function": {"name": n, "arguments": a},
            "index": j,
        }
        for j, (n, a) in enumerate(turn.tool_calls)
    ]


def _usage(turn: _Turn, messages: list) -> dict[str, int]:
    out_chars = len(turn.text) + sum(len(a) for _, a in turn.tool_calls)
    prompt = turn.usage.get("prompt_tokens", max(1, _message_chars(messages) // 4))
    completion = turn.usage.get("completion_tokens", max(1, out_chars // 4))
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _split_text(text: str) -> list[str]:
    return re.findall(r"\S+\s*|\s+", text)


class ScriptedLLM(litellm.CustomLLM):
    """litellm CustomLLM replaying ``{"turns": [...]}`` scripts; cursors per (path, session)."""

    def __init__(self) -> None:
        super().__init__()
        self._cursors: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def reset(self, session_key: str | None = None) -> None:
        """Rewind all cursors, or only those of ``session_key``."""
        with self._lock:
            if session_key is None:
                self._cursors.clear()
            else:
                for key in [k for k in self._cursors if k[1] == session_key]:
                    del self._cursors[key]

    def _next_turn(self, model: str, optional_params: dict | None) -> _Turn:
        path = Path(model).expanduser().resolve()
        extra = (optional_params or {}).get("extra_body") or {}
        session = str(extra.get(SESSION_PARAM) or DEFAULT_SESSION)
        turns = _load_turns(model, path)
        with self._lock:
            i = self._cursors.get((str(path), session), 0)
            self._cursors[(str(path), session)] = i + 1
        if i >= len(turns):
            raise _bad(
                model,
                f"script has {len(turns)} turns and all were used (call {i + 1}). "
                "Add more turns to the script or start a new session.",
            )
        return _parse_turn(model, i, turns[i])

    def _raise_error(self, model: str, turn: _Turn) -> None:
        if turn.error is not None:
            cls = _ERRORS[turn.error]
            msg = f"scripted model {model}: scripted {turn.error} error (turn {turn.index})"
            raise cls(message=msg, model=f"{PROVIDER}/{model}", llm_provider=PROVIDER)

    def _response(self, model: str, turn: _Turn, messages: list, model_response: Any) -> Any:
        calls = [{k: v for k, v in c.items() if k != "index"} for c in _tool_calls(turn)]
        content = turn.text if turn.text or not calls else None
        model_response.choices[0].message = litellm.Message(content=content, role="assistant", tool_calls=calls or None)
        model_response.choices[0].finish_reason = turn.finish_reason
        model_response.model = f"{PROVIDER}/{model}"
        model_response.usage = litellm.Usage(**_usage(turn, messages))
        return model_response

    def _chunks(self, turn: _Turn, messages: list) -> list[GenericStreamingChunk]:
        def chunk(text: str = "", tool_use: Any = None, **kw: Any) -> GenericStreamingChunk:
            base = {"text": text, "tool_use": tool_use, "is_finished": False, "finish_reason": ""}
            return GenericStreamingChunk(**{**base, "usage": None, "index": 0, **kw})

        out = [chunk(piece) for piece in _split_text(turn.text)]
        out += [chunk(tool_use=tc) for tc in _tool_calls(turn)]
        out.append(chunk(is_finished=True, finish_reason=turn.finish_reason, usage=_usage(turn, messages)))
        return out

    # -- litellm entry points (signatures follow litellm.llms.custom_llm.CustomLLM) --

    def completion(self, model: str, messages: list, *args: Any, **kwargs: Any) -> Any:
        turn = self._next_turn(model, kwargs.get("optional_params"))
        time.sleep(turn.delay)
        self._raise_error(model, turn)
        return self._response(model, turn, messages, kwargs["model_response"])

    async def acompletion(self, model: str, messages: list, *args: Any, **kwargs: Any) -> Any:
        turn = self._next_turn(model, kwargs.get("optional_params"))
        await asyncio.sleep(turn.delay)
        self._raise_error(model, turn)
        return self._response(model, turn, messages, kwargs["model_response"])

    def _stream_turn(self, model: str, messages: list, kwargs: dict) -> tuple[_Turn, list]:
        """Consume the turn at call time so error turns raise before any chunk is produced."""
        turn = self._next_turn(model, kwargs.get("optional_params"))
        if turn.error is not None:
            time.sleep(turn.delay)
            self._raise_error(model, turn)
        return turn, self._chunks(turn, messages)

    def streaming(self, model: str, messages: list, *args: Any, **kwargs: Any) -> Iterator[GenericStreamingChunk]:
        turn, chunks = self._stream_turn(model, messages, kwargs)

        def gen() -> Iterator[GenericStreamingChunk]:
            time.sleep(turn.delay)
            yield from chunks

        return gen()

    def astreaming(self, model: str, messages: list, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """Sync on purpose: litellm calls it in a worker thread, so error turns reach the ``acompletion``
        caller unwrapped (raised mid-stream they would become MidStreamFallbackError)."""
        turn, chunks = self._stream_turn(model, messages, kwargs)

        async def agen() -> AsyncIterator[GenericStreamingChunk]:
            await asyncio.sleep(turn.delay)
            for c in chunks:
                yield c

        return agen()


def register_scripted_provider() -> ScriptedLLM:
    """Register the ``scripted`` provider with litellm once; return its handler."""
    for entry in litellm.custom_provider_map:
        if entry.get("provider") == PROVIDER:
            handler = entry["custom_handler"]
            if not isinstance(handler, ScriptedLLM):
                raise TypeError(f"litellm provider {PROVIDER!r} is registered with {type(handler).__name__}")
            break
    else:
        handler = ScriptedLLM()
        litellm.custom_provider_map.append({"provider": PROVIDER, "custom_handler": handler})
    litellm.utils.custom_llm_setup()
    return handler

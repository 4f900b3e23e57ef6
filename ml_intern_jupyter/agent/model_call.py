"""One model call through ``litellm.acompletion``: streaming, retries with backoff."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .config import RetryConfig
from .llm import ModelRoute, missing_credentials, prepare_route
from .llm_errors import LLMFailure, classify_error, missing_key_error
from .reply import ModelReply, ReplyBuilder, reply_from_response

log = logging.getLogger(__name__)

OnText = Callable[[str], None]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class ModelRequest:
    """Everything one call needs besides the route."""

    messages: Sequence[dict[str, Any]]
    tools: Sequence[dict[str, Any]] = ()
    stream: bool = True
    id_prefix: str = "call"
    extra: dict[str, Any] | None = None


def backoff_delay(attempt: int, retry: RetryConfig) -> float:
    """Exponential backoff with a little jitter, capped at ``retry.max_delay``."""
    delay = retry.base_delay * (2**attempt)
    return min(retry.max_delay, delay * (0.8 + 0.4 * random.random()))


async def call_model(
    route: ModelRoute,
    request: ModelRequest,
    *,
    retry: RetryConfig,
    on_text: OnText | None = None,
    sleep: Sleep = asyncio.sleep,
) -> ModelReply:
    """Call the model, retrying transient failures; raise :class:`LLMFailure` otherwise."""
    # the first call imports litellm (~2 s of CPU): keep it off the event loop
    litellm = await asyncio.to_thread(prepare_route, route)
    missing = missing_credentials(route)
    if missing:
        raise LLMFailure(missing_key_error(route, missing))
    attempt = 0
    while True:
        try:
            return await _call_once(litellm, route, request, on_text)
        except (asyncio.CancelledError, LLMFailure):
            raise
        except Exception as exc:
            info = classify_error(exc, route)
            if not info.retryable or attempt >= retry.max_retries:
                raise LLMFailure(info) from exc
            delay = backoff_delay(attempt, retry)
            attempt += 1
            log.warning("%s; retry %d/%d in %.1fs", info.message, attempt, retry.max_retries, delay)
            await sleep(delay)


async def _call_once(litellm: Any, route: ModelRoute, request: ModelRequest, on_text: OnText | None):
    kwargs = route.call_kwargs()
    kwargs["messages"] = list(request.messages)
    if request.tools:
        kwargs["tools"] = list(request.tools)
    if request.extra:
        kwargs.update(request.extra)
    if not request.stream:
        response = await litellm.acompletion(**kwargs)
        return reply_from_response(response, request.id_prefix)
    stream = await litellm.acompletion(stream=True, stream_options={"include_usage": True}, **kwargs)
    builder = ReplyBuilder(request.id_prefix)
    try:
        async for chunk in stream:
            text = builder.add(chunk)
            if text and on_text is not None:
                on_text(text)
    finally:
        closer = getattr(stream, "aclose", None)
        if closer is not None:
            try:
                await closer()
            except Exception:
                log.debug("closing the stream failed", exc_info=True)
    return builder.build()

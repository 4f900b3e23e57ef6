"""One model call with retries: transient provider errors back off and try again."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable

from ..config import RetryConfig
from .errors import ModelFailure, ProviderError, explain, missing_key_info
from .ids import model_help
from .provider import CompletionProvider, ModelRequest, OnText
from .reply import ModelReply

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


def backoff_delay(attempt: int, retry: RetryConfig) -> float:
    """Exponential backoff with a little jitter, capped at ``retry.max_delay``."""
    delay = retry.base_delay * (2**attempt)
    return min(retry.max_delay, delay * (0.8 + 0.4 * random.random()))


async def call_model(
    provider: CompletionProvider,
    request: ModelRequest,
    *,
    retry: RetryConfig,
    on_text: OnText | None = None,
    sleep: Sleep = asyncio.sleep,
) -> ModelReply:
    """Call the model, retrying transient failures; raise :class:`ModelFailure` otherwise."""
    await provider.prepare()
    missing = provider.missing_credentials()
    if missing:
        raise ModelFailure(missing_key_info(provider.model_id, missing, model_help()))
    attempt = 0
    while True:
        try:
            return await provider.complete(request, on_text)
        except ProviderError as error:
            info = explain(error, provider.model_id, model_help())
            if not error.retryable or attempt >= retry.max_retries:
                raise ModelFailure(info) from error
            delay = backoff_delay(attempt, retry)
            attempt += 1
            log.warning("%s; retry %d/%d in %.1fs", info.message, attempt, retry.max_retries, delay)
            await sleep(delay)

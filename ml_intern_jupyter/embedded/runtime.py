"""The embedded runtime: GGUF models loaded once and answered from worker threads.

One :class:`EmbeddedRuntime` is shared by every session of a front end (a kernel, the
CLI); it owns the :class:`~.pool.ModelPool`. Requests run in a worker thread; the pieces
(text per token, a whole tool call, the finish with usage) come back to asyncio in
batches, and cancelling the consumer stops generation within a token or one slice of
prompt evaluation.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from .bridge import stream_in_thread
from .engine import LocalModel
from .models import resolve_spec
from .pool import ModelPool
from .respond import Piece, Prepared, Request, prepare, respond


class EmbeddedRuntime:
    """Loads models on first use and answers chat requests with them."""

    def __init__(self, *, max_prompt_tokens: int | None = None, examples: int | None = None) -> None:
        self.pool = ModelPool()
        self.max_prompt_tokens = max_prompt_tokens
        """Truncate prompts to this many tokens (None: each model's default cap)."""
        self.examples = examples
        """Few-shot tool examples in the prompt (None: the default; 0: none)."""

    def load(self, name: str) -> LocalModel:
        """The loaded model for a ``local/`` name or GGUF path (blocking; raises ``LocalModelError``)."""
        return self.pool.get(resolve_spec(name))

    def _prepare(self, name: str, request: Request) -> tuple[LocalModel, Prepared]:
        model = self.load(name)
        return model, prepare(model, request, self.max_prompt_tokens, self.examples)

    async def stream(self, name: str, request: Request) -> AsyncIterator[list[Piece]]:
        """Batches of pieces for one request; raises ``LocalModelError`` or ``PromptTooLong`` first."""
        model, prepared = await asyncio.to_thread(self._prepare, name, request)
        stream = stream_in_thread(lambda stop: respond(model, prepared, stop))
        try:
            async for batch in stream:
                yield batch
        finally:
            await stream.aclose()

    def close(self) -> None:
        """Free every loaded model (call when the front end shuts down)."""
        self.pool.close()

"""The boundary between the agent loop and a model backend.

The loop talks to a model only through :class:`CompletionProvider`; three implementations
exist (litellm for cloud and local servers, the scripted replayer, the embedded llama.cpp
model). A provider makes one attempt per :meth:`~CompletionProvider.complete` call and
raises :class:`~.errors.ProviderError` on failure; retries live in :mod:`.retry`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from .reply import ModelReply

OnText = Callable[[str], None]


@dataclass(frozen=True)
class ModelRequest:
    """One call: the messages (OpenAI chat format), the tools, and how to answer.

    ``failed_tool_calls`` holds the ids of tool results that reported a failure (``ok`` is
    kept beside the history, not in the messages). ``max_tokens`` and ``tool_choice`` follow
    the OpenAI meaning; the scripted model ignores them.
    """

    messages: Sequence[dict[str, Any]]
    tools: Sequence[dict[str, Any]] = ()
    stream: bool = True
    id_prefix: str = "call"
    failed_tool_calls: frozenset[str] = frozenset()
    max_tokens: int | None = None
    tool_choice: Any = None


@runtime_checkable
class CompletionProvider(Protocol):
    """A model backend for one model id."""

    model_id: str
    """The id as the user wrote it."""
    kind: str
    """``litellm``, ``hf_router``, ``local_server``, ``scripted`` or ``embedded``."""
    local: bool
    """True when the model runs on this machine (no third-party host sees the context)."""

    async def prepare(self) -> None:
        """Get ready for the first call (imports, model load) without blocking the event loop."""
        ...

    async def complete(self, request: ModelRequest, on_text: OnText | None = None) -> ModelReply:
        """One attempt; streamed text goes to ``on_text``; raises ``ProviderError``."""
        ...

    def count_tokens(self, message: dict[str, Any]) -> int:
        """Tokens one history message takes (an estimate is fine)."""
        ...

    def context_window(self) -> int | None:
        """The model's input window in tokens, where known."""
        ...

    def missing_credentials(self) -> list[str]:
        """Environment variables the model needs but does not have (checked before a call)."""
        ...


class InProcessModel:
    """Defaults for the models that run in this process (scripted, embedded): no key, no window to track.

    Token counts are the character estimate; ``context_window`` is None because these models either
    have no limit (scripted) or fit prompts to their window themselves (embedded).
    """

    local = True

    async def prepare(self) -> None:
        """Nothing to import up front."""

    def count_tokens(self, message: dict[str, Any]) -> int:
        """The character estimate (~4 characters a token)."""
        from ..history import approx_tokens

        return approx_tokens(message)

    def context_window(self) -> int | None:
        """None: nothing for the session to compact against."""
        return None

    def missing_credentials(self) -> list[str]:
        """No key needed."""
        return []

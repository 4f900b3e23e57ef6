"""The embedded llama.cpp model as a :class:`~.provider.CompletionProvider` (``local/<name-or-gguf>``)."""

from __future__ import annotations

import secrets

from ...embedded import EmbeddedRuntime, Finish, LocalModelError, PromptTooLong, Request, Text, ToolUse
from .errors import ProviderError
from .provider import InProcessModel, ModelRequest, OnText
from .reply import ModelReply, RawToolCall


class EmbeddedProvider(InProcessModel):
    """Answers with a GGUF model of the shared :class:`EmbeddedRuntime` (loaded on first use)."""

    kind = "embedded"

    def __init__(self, model_id: str, runtime: EmbeddedRuntime) -> None:
        self.model_id = model_id
        self.name = model_id.partition("/")[2]
        self._runtime = runtime

    async def complete(self, request: ModelRequest, on_text: OnText | None = None) -> ModelReply:
        """Stream the reply; a tool call arrives whole; errors become ``ProviderError``."""
        plain = Request(
            messages=list(request.messages),
            tools=list(request.tools),
            tool_choice=request.tool_choice,
            max_tokens=request.max_tokens,
            failed_tool_calls=request.failed_tool_calls,
        )
        text: list[str] = []
        calls: list[RawToolCall] = []
        finish = Finish("stop", 0, 0)
        try:
            async for batch in self._runtime.stream(self.name, plain):
                for piece in batch:
                    if isinstance(piece, Text):
                        text.append(piece.text)
                        if on_text is not None and request.stream:
                            on_text(piece.text)
                    elif isinstance(piece, ToolUse):
                        call_id = f"{request.id_prefix}_{secrets.token_hex(3)}"
                        calls.append(RawToolCall(call_id, piece.call.name, piece.call.arguments_json()))
                    elif isinstance(piece, Finish):
                        finish = piece
        except LocalModelError as exc:
            raise ProviderError("embedded_model", str(exc)) from None
        except PromptTooLong as exc:
            raise ProviderError("context_window", f"{self.model_id}: {exc}") from None
        reason = "stop" if finish.reason == "cancelled" else finish.reason
        return ModelReply("".join(text), tuple(calls), reason, finish.prompt_tokens, finish.completion_tokens)

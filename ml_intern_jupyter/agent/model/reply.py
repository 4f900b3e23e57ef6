"""One model reply: assembled from a litellm stream or taken from a full response."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RawToolCall:
    """A tool call as the model produced it (arguments still JSON text)."""

    id: str
    name: str
    arguments: str

    def to_message(self) -> dict[str, Any]:
        """The OpenAI ``tool_calls`` entry."""
        return {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": self.arguments},
        }


@dataclass(frozen=True)
class ModelReply:
    """Text, tool calls, finish reason and token usage of one model call."""

    content: str
    tool_calls: tuple[RawToolCall, ...] = ()
    finish_reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass
class _PartialCall:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


class ReplyBuilder:
    """Accumulates ``ModelResponseStream`` chunks into a :class:`ModelReply`."""

    def __init__(self, id_prefix: str = "call") -> None:
        self._id_prefix = id_prefix
        self._text: list[str] = []
        self._calls: dict[int, _PartialCall] = {}
        self._finish_reason: str | None = None
        self._usage: tuple[int, int] = (0, 0)

    def add(self, chunk: Any) -> str:
        """Take one stream chunk; return its text delta ('' if none)."""
        usage = getattr(chunk, "usage", None)
        if usage:
            self._usage = (usage.prompt_tokens or 0, usage.completion_tokens or 0)
        choices = getattr(chunk, "choices", None) or []
        if not choices:
            return ""
        choice = choices[0]
        if choice.finish_reason:
            self._finish_reason = choice.finish_reason
        delta = choice.delta
        for call in getattr(delta, "tool_calls", None) or []:
            self._add_call_delta(call)
        text = getattr(delta, "content", None) or ""
        if text:
            self._text.append(text)
        return text

    def _add_call_delta(self, call: Any) -> None:
        index = call.index if call.index is not None else len(self._calls)
        partial = self._calls.setdefault(index, _PartialCall())
        if call.id:
            partial.id = call.id
        function = call.function
        if function is not None:
            if function.name:
                partial.name = function.name
            if function.arguments:
                partial.arguments.append(function.arguments)

    def build(self) -> ModelReply:
        """The assembled reply."""
        calls = tuple(
            RawToolCall(
                id=partial.id or f"{self._id_prefix}_{i}",
                name=partial.name,
                arguments="".join(partial.arguments),
            )
            for i, (_, partial) in enumerate(sorted(self._calls.items()))
        )
        return ModelReply(
            content="".join(self._text),
            tool_calls=calls,
            finish_reason=self._finish_reason,
            prompt_tokens=self._usage[0],
            completion_tokens=self._usage[1],
        )


def reply_from_response(response: Any, id_prefix: str = "call") -> ModelReply:
    """Convert a non-streamed ``ModelResponse``."""
    choice = response.choices[0]
    message = choice.message
    calls = tuple(
        RawToolCall(
            id=call.id or f"{id_prefix}_{i}",
            name=call.function.name or "",
            arguments=call.function.arguments or "",
        )
        for i, call in enumerate(getattr(message, "tool_calls", None) or [])
    )
    usage = getattr(response, "usage", None)
    return ModelReply(
        content=message.content or "",
        tool_calls=calls,
        finish_reason=choice.finish_reason,
        prompt_tokens=getattr(usage, "prompt_tokens", 0) or 0,
        completion_tokens=getattr(usage, "completion_tokens", 0) or 0,
    )

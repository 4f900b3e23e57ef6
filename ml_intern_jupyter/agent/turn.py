"""One user turn: the agentic loop (model call -> tool calls -> repeat) on a :class:`TurnHost`."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from ..protocol import (
    AssistantChunk,
    AssistantMessage,
    AssistantStreamEnd,
    ErrorEvent,
    GuardNote,
    Interrupted,
    Processing,
    TurnComplete,
    UndoComplete,
    UsageUpdate,
)
from .doom_loop import call_signature
from .host import TurnHost, TurnSettings
from .model.errors import ErrorInfo, ModelFailure
from .model.provider import ModelRequest
from .model.reply import ModelReply
from .model.retry import call_model
from .prompts import LENGTH_NOTE
from .tool_calls import PreparedCall, ToolCallRunner, prepare_call

log = logging.getLogger(__name__)

MAX_LENGTH_CONTINUATIONS = 3
NOT_KEPT = " Your message was taken out of the history; send it again once this is fixed."


@dataclass(frozen=True)
class TurnOutcome:
    """How a turn ended: ``done``, ``max_iterations``, ``error``, ``interrupted`` or ``busy``."""

    stop_reason: str
    final_text: str = ""
    iterations: int = 0
    error: ErrorInfo | None = None

    @property
    def ok(self) -> bool:
        """True when the turn finished normally."""
        return self.stop_reason in ("done", "max_iterations")


class Turn:
    """Runs the loop for one user message."""

    def __init__(self, host: TurnHost, settings: TurnSettings) -> None:
        self.host = host
        self.settings = settings
        self.iterations = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.replied = False
        self._streamed: list[str] = []
        self._length_continuations = 0

    async def run(self, text: str) -> TurnOutcome:
        """Run to completion, error or interruption; history stays consistent."""
        host = self.host
        host.emit(Processing(user_message=text))
        try:
            await self.settings.provider.prepare()  # litellm imports in a worker thread, once
            final_text, reason = await self._loop()
        except ModelFailure as failure:
            return self._model_failed(failure.info, text)
        except asyncio.CancelledError:
            host.emit(Interrupted(reason="user", partial_text="".join(self._streamed)))
            return TurnOutcome("interrupted", iterations=self.iterations)
        except Exception as exc:  # a bug or an unexpected failure: keep the session usable
            log.exception("turn failed")
            info = ErrorInfo(
                "internal",
                False,
                f"The turn failed unexpectedly: {type(exc).__name__}: {exc}",
                "Your history is kept: try again, or undo the last turn. If it persists, please report it.",
                ("undo",),
            )
            host.emit(ErrorEvent(message=info.message, kind=info.kind, fix=info.fix, remedies=info.remedies))
            return TurnOutcome("error", iterations=self.iterations, error=info)
        host.emit(
            TurnComplete(
                final_text=final_text,
                iterations=self.iterations,
                prompt_tokens=self.prompt_tokens,
                completion_tokens=self.completion_tokens,
                stop_reason=reason,
            )
        )
        return TurnOutcome(reason, final_text, self.iterations)

    def _model_failed(self, info: ErrorInfo, text: str) -> TurnOutcome:
        """Report the failure; a message that got no reply at all leaves the history."""
        message = info.message
        if not self.replied:
            removed, _ = self.host.history.last_user_turn()
            self.host.emit(UndoComplete(removed_messages=removed, user_message=text, reason="model_error"))
            message += NOT_KEPT
        self.host.emit(ErrorEvent(message=message, kind=info.kind, fix=info.fix, remedies=info.remedies))
        return TurnOutcome("error", iterations=self.iterations, error=info)

    async def _loop(self) -> tuple[str, str]:
        host = self.host
        while self.iterations < self.settings.max_iterations:
            self.iterations += 1
            await host.compact_if_needed(self.settings.provider)
            reply = await self._call_model()
            calls = [prepare_call(raw, host.tools) for raw in reply.tool_calls]
            host.emit(
                AssistantMessage(
                    content=reply.content,
                    tool_calls=tuple(call.history_entry() for call in calls),
                    finish_reason=reply.finish_reason,
                    prompt_tokens=reply.prompt_tokens,
                    completion_tokens=reply.completion_tokens,
                )
            )
            self.replied = True
            if calls:
                await self._run_tools(calls)
            truncated = self._note_truncation(reply)
            if not calls and not truncated:
                return reply.content, "done"
        return "", "max_iterations"

    async def _call_model(self) -> ModelReply:
        host, stream = self.host, self.settings.stream
        self._streamed = []

        def on_text(text: str) -> None:
            self._streamed.append(text)
            host.emit(AssistantChunk(content=text))

        request = ModelRequest(
            messages=host.history.messages(),
            tools=host.tools.schemas(),
            stream=stream,
            id_prefix=f"call_{host.usage.next_call()}",
            failed_tool_calls=host.history.failed_tool_calls(),
        )
        try:
            reply = await call_model(self.settings.provider, request, retry=host.retry, on_text=on_text)
        finally:
            if stream and self._streamed:
                host.emit(AssistantStreamEnd())
        self._streamed = []
        self.prompt_tokens += reply.prompt_tokens
        self.completion_tokens += reply.completion_tokens
        host.usage.add(reply.prompt_tokens, reply.completion_tokens)
        host.emit(
            UsageUpdate(
                prompt_tokens=host.usage.prompt_tokens,
                completion_tokens=host.usage.completion_tokens,
                spend_usd=host.policy.spent_usd,
            )
        )
        return reply

    async def _run_tools(self, calls: list[PreparedCall]) -> None:
        host = self.host
        await ToolCallRunner(host, self.settings).run_all(calls)
        note = host.guards.record(call_signature(c.raw.name, c.raw.arguments) for c in calls)
        if note:
            host.emit(GuardNote(guard="loop", text=note))

    def _note_truncation(self, reply: ModelReply) -> bool:
        """After a reply cut off by the token limit, ask the model to continue (a few times)."""
        if reply.finish_reason != "length" or self._length_continuations >= MAX_LENGTH_CONTINUATIONS:
            return False
        self._length_continuations += 1
        self.host.emit(GuardNote(guard="length", text=LENGTH_NOTE))
        return True

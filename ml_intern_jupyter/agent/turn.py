"""One user turn: the agentic loop (model call → tool calls → repeat)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..protocol import (
    AssistantChunk,
    AssistantMessage,
    AssistantStreamEnd,
    ErrorEvent,
    Interrupted,
    Processing,
    TurnComplete,
)
from .context import EntryKind
from .doom_loop import call_signature
from .llm_errors import LLMErrorInfo, LLMFailure
from .prompts import LENGTH_NOTE
from .reply import ModelReply
from .tool_calls import PreparedCall, ToolCallRunner, prepare_call

if TYPE_CHECKING:
    from .session import Session

log = logging.getLogger(__name__)

MAX_LENGTH_CONTINUATIONS = 3


@dataclass(frozen=True)
class TurnOutcome:
    """How a turn ended: ``done``, ``max_iterations``, ``error``, ``interrupted`` or ``busy``."""

    stop_reason: str
    final_text: str = ""
    iterations: int = 0
    error: LLMErrorInfo | None = None

    @property
    def ok(self) -> bool:
        """True when the turn finished normally."""
        return self.stop_reason in ("done", "max_iterations")


class Turn:
    """Runs the loop for one user message on a :class:`Session`."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self.iterations = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self._streamed: list[str] = []
        self._length_continuations = 0

    async def run(self, text: str) -> TurnOutcome:
        """Run to completion, error or interruption; history stays consistent."""
        s = self.s
        s.emit(Processing(user_message=text))
        s.context.add_user(text)
        try:
            await s.prepare_model()
            final_text, reason = await self._loop()
        except LLMFailure as failure:
            info = failure.info
            s.emit(ErrorEvent(message=info.message, kind=info.kind, fix=info.fix))
            return TurnOutcome("error", iterations=self.iterations, error=info)
        except asyncio.CancelledError:
            self._repair_after_interrupt()
            s.emit(Interrupted(reason="user"))
            return TurnOutcome("interrupted", iterations=self.iterations)
        except Exception as exc:  # a bug or an unexpected failure: keep the session usable
            log.exception("turn failed")
            s.context.repair()
            info = LLMErrorInfo(
                "internal",
                False,
                f"The turn failed unexpectedly: {type(exc).__name__}: {exc}",
                "Your history is kept; try again, or `%intern undo` / `/undo` the last turn. "
                "If it persists, please report it with this message.",
            )
            s.emit(ErrorEvent(message=info.message, kind=info.kind, fix=info.fix))
            return TurnOutcome("error", iterations=self.iterations, error=info)
        s.emit(
            TurnComplete(
                final_text=final_text,
                iterations=self.iterations,
                prompt_tokens=self.prompt_tokens,
                completion_tokens=self.completion_tokens,
                stop_reason=reason,
            )
        )
        return TurnOutcome(reason, final_text, self.iterations)

    async def _loop(self) -> tuple[str, str]:
        s = self.s
        while self.iterations < s.max_iterations:
            self.iterations += 1
            await s.maybe_auto_compact()
            reply = await self._call_model()
            calls = [prepare_call(raw, s.tools) for raw in reply.tool_calls]
            s.context.add_assistant(reply.content, [call.history_entry() for call in calls])
            s.emit(
                AssistantMessage(
                    content=reply.content,
                    tool_calls=tuple(call.history_entry() for call in calls),
                    finish_reason=reply.finish_reason,
                )
            )
            if calls:
                await self._run_tools(calls)
            truncated = self._note_truncation(reply)
            if not calls and not truncated:
                return reply.content, "done"
        return "", "max_iterations"

    async def _call_model(self) -> ModelReply:
        s = self.s
        self._streamed = []
        stream = s.stream

        def on_text(text: str) -> None:
            self._streamed.append(text)
            s.emit(AssistantChunk(content=text))

        try:
            reply = await s.call_model(
                s.context.messages(),
                tools=s.tools.schemas(),
                stream=stream,
                on_text=on_text,
                id_prefix=f"call_{s.next_call_prefix()}",
            )
        finally:
            if stream and self._streamed:
                s.emit(AssistantStreamEnd())
        self._streamed = []
        self.prompt_tokens += reply.prompt_tokens
        self.completion_tokens += reply.completion_tokens
        s.add_usage(reply.prompt_tokens, reply.completion_tokens)
        return reply

    async def _run_tools(self, calls: list[PreparedCall]) -> None:
        s = self.s
        runner = ToolCallRunner(
            router=s.tools,
            broker=s.broker,
            emit=s.emit,
            policy=s.config.approval_policy,
            yolo=lambda: s.yolo,
            max_output_chars=s.config.max_tool_output_chars,
            workdir=s.workdir,
        )
        results: dict[str, str] = {}
        try:
            await runner.run_all(calls, results)
        finally:
            for call in calls:
                if call.raw.id in results:
                    s.context.add_tool_result(call.raw.id, call.raw.name, results[call.raw.id])
        note = s.doom.record(call_signature(c.raw.name, c.raw.arguments) for c in calls)
        if note:
            s.context.add_user(note, EntryKind.GUARD)

    def _note_truncation(self, reply: ModelReply) -> bool:
        """After a reply cut off by the token limit, ask the model to continue (a few times)."""
        if reply.finish_reason != "length" or self._length_continuations >= MAX_LENGTH_CONTINUATIONS:
            return False
        self._length_continuations += 1
        self.s.context.add_user(LENGTH_NOTE, EntryKind.GUARD)
        return True

    def _repair_after_interrupt(self) -> None:
        context = self.s.context
        partial = "".join(self._streamed)
        if partial:
            context.add_assistant(partial + "\n[interrupted]")
        context.repair()

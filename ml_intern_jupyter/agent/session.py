"""The Session: one agent's history, config, tools and event sinks; operations in, events out."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import logging
import secrets
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .. import __version__
from ..protocol import (
    Compact,
    Compacted,
    ErrorEvent,
    Event,
    ExecApproval,
    Interrupt,
    New,
    Operation,
    Ready,
    Resume,
    Shutdown,
    ShutdownEvent,
    Undo,
    UndoComplete,
    UserInput,
)
from ..tools.spec import ToolRouter
from ..traces.store import SessionStore
from .approvals import ApprovalBroker
from .compaction import compact, effective_threshold, split_points
from .config import AgentConfig, load_config
from .context import ContextManager, approx_tokens
from .doom_loop import DoomLoopDetector
from .llm import (
    ModelRoute,
    context_window,
    default_model_id,
    default_model_notice,
    prepare_route,
    resolve_model,
)
from .model_call import ModelRequest, OnText, call_model
from .prompts import build_system_prompt
from .restore import restorable_messages
from .turn import Turn, TurnOutcome

log = logging.getLogger(__name__)

Sink = Callable[[Event], None]


def new_session_id() -> str:
    """A sortable, unique session id like ``20261121-195400-3fa2c1``."""
    now = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    return f"{now}-{secrets.token_hex(3)}"


class Session:
    """One agent conversation. Front ends submit operations and receive events via sinks."""

    def __init__(
        self,
        config: AgentConfig | None = None,
        *,
        model: str | None = None,
        tools: ToolRouter | None = None,
        sinks: Iterable[Sink] = (),
        session_id: str | None = None,
        workdir: Path | None = None,
        system_prompt: str | None = None,
        where: str = "from a terminal",
        store: SessionStore | None = None,
    ) -> None:
        self.config = config if config is not None else load_config()
        self.id = session_id or new_session_id()
        self.started = time.time()
        self.workdir = workdir or Path.cwd()
        self.tools = tools if tools is not None else ToolRouter()
        self.yolo = self.config.yolo
        self.stream = self.config.stream
        self.max_iterations = self.config.max_iterations
        self.broker = ApprovalBroker()
        self.doom = DoomLoopDetector()
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self._sinks: list[Sink] = list(sinks)
        self._seq = 0
        self._calls = 0
        self._turn_task: asyncio.Task[TurnOutcome] | None = None
        self._closed = False
        chosen = model or self.config.model_name
        self.route: ModelRoute = resolve_model(chosen or default_model_id())
        self.model_notice = None if chosen else default_model_notice(self.route.model_id)
        """Set when the model was picked automatically: a note the front end shows once."""
        self._where = where
        self._custom_prompt = system_prompt is not None
        prompt = system_prompt or build_system_prompt(self.tools.names(), where)
        self.context = ContextManager(prompt, self._count_tokens)
        self.store = store
        self._start_record()

    def _start_record(self) -> None:
        """Point the session record at the current id and write the current history."""
        if self.store is None:
            return
        self.store.start(self.id, model=self.model_id, cwd=str(self.workdir), version=__version__)
        self.context.listener = self.store
        self.context.snapshot_to_listener()

    # -- events ---------------------------------------------------------------
    def add_sink(self, sink: Sink) -> None:
        """Receive every event from now on (called synchronously; keep it cheap)."""
        self._sinks.append(sink)

    def remove_sink(self, sink: Sink) -> None:
        """Stop sending events to ``sink``."""
        if sink in self._sinks:
            self._sinks.remove(sink)

    def emit(self, event: Event) -> Event:
        """Stamp ``seq``/``session_id`` and hand the event to every sink."""
        self._seq += 1
        event = dataclasses.replace(event, seq=self._seq, session_id=self.id)
        if self.store is not None:
            self.store.event(event.to_dict())
        for sink in list(self._sinks):
            try:
                sink(event)
            except Exception:  # a broken renderer must not break the agent
                log.exception("event sink %r failed on %s", sink, event.type)
        return event

    # -- model ----------------------------------------------------------------
    @property
    def model_id(self) -> str:
        """The model id as the user wrote it."""
        return self.route.model_id

    def set_model(self, model_id: str) -> None:
        """Switch model for the next call (raises ``ModelIdError`` on a bad id)."""
        self.route = resolve_model(model_id)

    def next_call_prefix(self) -> str:
        """A per-session counter used for deterministic fallback tool-call ids."""
        self._calls += 1
        return str(self._calls)

    def add_usage(self, prompt_tokens: int, completion_tokens: int) -> None:
        """Add one call's usage to the session totals."""
        self.prompt_tokens += prompt_tokens
        self.completion_tokens += completion_tokens

    async def call_model(
        self,
        messages: list[dict[str, Any]],
        *,
        tools: list[dict[str, Any]] | None = None,
        stream: bool = False,
        on_text: OnText | None = None,
        id_prefix: str = "call",
    ):
        """One model call with this session's route and retry policy."""
        extra = {"extra_body": {"scripted_session": self.id}} if self.route.kind == "scripted" else None
        request = ModelRequest(messages, tools or (), stream, id_prefix, extra)
        return await call_model(self.route, request, retry=self.config.retry, on_text=on_text)

    def tools_changed(self) -> None:
        """Call after registering tools: the system prompt lists them (until the first message)."""
        if not self._custom_prompt and len(self.context) == 1:
            self.context.reset(build_system_prompt(self.tools.names(), self._where))

    async def prepare_model(self) -> None:
        """Import litellm and register providers in a thread (the first time costs ~2 s of CPU)."""
        await asyncio.to_thread(prepare_route, self.route)

    def _count_tokens(self, message: dict[str, Any]) -> int:
        if self.route.kind in ("scripted", "embedded"):
            return approx_tokens(message)
        from .llm import import_litellm

        try:
            return import_litellm().token_counter(model=self.route.litellm_model, messages=[message])
        except Exception:
            return approx_tokens(message)

    # -- operations -------------------------------------------------------------
    @property
    def busy(self) -> bool:
        """True while a turn runs."""
        return self._turn_task is not None and not self._turn_task.done()

    async def submit(self, op: Operation) -> Any:
        """Handle one operation; user input returns a :class:`TurnOutcome`."""
        match op:
            case UserInput(text=text):
                return await self.run_turn(text)
            case ExecApproval():
                return self.broker.decide(op)
            case Interrupt():
                return self.interrupt()
            case Compact():
                return await self.compact()
            case Undo():
                return self.undo()
            case New():
                return self.new()
            case Resume(messages=messages, session_id=session_id):
                return self.resume(messages, session_id)
            case Shutdown():
                return await self.shutdown()
        raise TypeError(f"unknown operation {op!r}")

    def _refuse_if_busy(self, what: str) -> bool:
        if self._closed:
            self.emit(ErrorEvent(message="This session was shut down.", kind="closed", fix="Start a new one."))
            return True
        if self.busy:
            self.emit(
                ErrorEvent(
                    message=f"Cannot {what} while the agent is working.",
                    kind="busy",
                    fix="Wait for the turn to finish, answer its pending approvals, or interrupt it.",
                )
            )
            return True
        return False

    async def run_turn(self, text: str) -> TurnOutcome:
        """Run one user turn to its end (cancel the caller or call interrupt() to stop it)."""
        if self._refuse_if_busy("start a new turn"):
            return TurnOutcome("busy")
        self._turn_task = asyncio.create_task(Turn(self).run(text))
        try:
            return await self._turn_task
        finally:
            self.emit(Ready())

    def interrupt(self) -> bool:
        """Cancel the running turn; True if one was running."""
        if not self.busy:
            return False
        assert self._turn_task is not None
        self._turn_task.cancel()
        return True

    def approve_all(self) -> None:
        """Switch yolo on and approve every call that is waiting."""
        self.yolo = True
        for call_id in self.broker.pending():
            self.broker.decide(ExecApproval(tool_call_id=call_id, approved=True))

    async def compact(self) -> Compacted | None:
        """Summarise the middle of the history now."""
        if self._refuse_if_busy("compact"):
            return None
        return await self._compact()

    async def _compact(self) -> Compacted:
        async def summarize(messages: list[dict[str, Any]]) -> str:
            return (await self.call_model(messages, stream=False, id_prefix="summary")).content

        before = self.context.token_count()
        result = await compact(self.context, summarize, self.config.compaction_keep_recent)
        if result is None:
            return self.emit(Compacted(old_tokens=before, new_tokens=before, removed_messages=0))
        self.doom.reset()
        return self.emit(
            Compacted(
                old_tokens=result.old_tokens,
                new_tokens=result.new_tokens,
                removed_messages=result.removed_messages,
            )
        )

    async def maybe_auto_compact(self) -> None:
        """Compact when the history passes the threshold (capped at 90% of the window)."""
        threshold = effective_threshold(self.config.compaction_threshold, context_window(self.route))
        if self.context.token_count() <= threshold:
            return
        if split_points(self.context.entries(), self.config.compaction_keep_recent) is not None:
            await self._compact()

    def undo(self) -> UndoComplete | None:
        """Remove the last user turn and everything after it."""
        if self._refuse_if_busy("undo"):
            return None
        removed, text = self.context.undo()
        self.doom.reset()
        return self.emit(UndoComplete(removed_messages=removed, user_message=text))

    def new(self) -> str | None:
        """Start a fresh conversation with a new session id; returns the id."""
        if self._refuse_if_busy("start a new conversation"):
            return None
        self.id = new_session_id()
        self.started = time.time()
        self._seq = 0
        self.context.listener = None  # the old record keeps its history
        self.context.reset()
        self._start_record()
        self.doom.reset()
        self.emit(Ready())
        return self.id

    def resume(
        self, messages: Iterable[dict[str, Any]], session_id: str | None = None, *, started: float | None = None
    ) -> list[str]:
        """Load saved messages; returns notes about messages that could not be restored."""
        if self._refuse_if_busy("resume"):
            return ["refused: the agent is busy"]
        kept, notes = restorable_messages(messages)
        if session_id:
            self.id = session_id
            self.started = started or self.started
            self.context.listener = None
            self._start_record()
        self.context.load(kept)
        self.doom.reset()
        self.emit(Ready())
        return notes

    async def shutdown(self) -> None:
        """Stop any running turn and close the session."""
        if self.busy:
            self.interrupt()
            await asyncio.gather(self._turn_task, return_exceptions=True)
        self._closed = True
        self.emit(ShutdownEvent())

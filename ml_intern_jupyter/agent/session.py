"""The Session: one agent conversation. Operations in (``submit``), events out (sinks).

Front ends never reach inside: they submit operations, render events, and read
:meth:`Session.status`. Every event is stamped, applied to the history and handed to the
sinks (the session record is one of them), in that order.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import logging
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._version import __version__
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
    Resumed,
    SessionStarted,
    SetModel,
    SettingsChanged,
    SetYolo,
    Shutdown,
    ShutdownEvent,
    TurnOptions,
    Undo,
    UndoComplete,
    UserInput,
)
from ..tools.spec import ToolRouter
from .approvals import ApprovalBroker, ApprovalPolicy
from .compaction import effective_threshold, plan_compaction, split_points
from .config import AgentConfig
from .doom_loop import DoomLoopDetector
from .history import History
from .host import ToolSettings, TurnSettings, Usage
from .model import CompletionProvider, ModelIdError, ModelRequest, ProviderFactory, call_model
from .resume import load_record, restore_messages
from .turn import Turn, TurnOutcome

log = logging.getLogger(__name__)

Sink = Callable[[Event], None]
Redact = Callable[[str], str]
MODEL_ERRORS = frozenset({"auth", "unknown_model", "missing_key", "missing_module", "embedded_model", "script"})


def new_session_id() -> str:
    """A sortable, unique session id like ``20261121-195400-3fa2c1``."""
    now = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    return f"{now}-{secrets.token_hex(3)}"


@dataclass(frozen=True)
class SessionStatus:
    """A snapshot of a session for status lines and panels."""

    session_id: str
    model: str
    busy: bool
    yolo: bool
    pending_approvals: tuple[str, ...]
    prompt_tokens: int
    completion_tokens: int
    spend_usd: float
    budget_usd: float
    history_tokens: int
    turns: int
    started: float
    tools: tuple[str, ...]


class Session:
    """One agent conversation: history, tools, approvals and the model behind a provider."""

    def __init__(
        self,
        config: AgentConfig,
        *,
        factory: ProviderFactory,
        tools: ToolRouter | None = None,
        system_prompt: str = "",
        model: str | None = None,
        workdir: Path | None = None,
        session_id: str | None = None,
        sinks: Iterable[Sink] = (),
        redact: Redact | None = None,
        records: Any = None,
        notice: str | None = None,
    ) -> None:
        self.config = config
        self.id = session_id or new_session_id()
        self.started = time.time()
        self.workdir = workdir or Path.cwd()
        self.tools = tools if tools is not None else ToolRouter()
        self.history = History(system_prompt)
        self.approvals = ApprovalBroker()
        self.policy = ApprovalPolicy(config.approval_policy, yolo=config.yolo, budget_usd=config.yolo_budget_usd)
        self.guards = DoomLoopDetector()
        self.usage = Usage()
        self.tool_settings = ToolSettings(self.workdir, config.max_tool_output_chars)
        self.retry = config.retry
        self.records = records
        """Where saved sessions are found (a ``SessionRecorder``), for ``Resume(session_id=...)``."""
        self._factory = factory
        self._redact = redact
        self._providers: dict[str, CompletionProvider] = {}
        self._counting_with: CompletionProvider | None = None
        self.model_id = model or ""
        self._notice = notice
        self._sinks: list[Sink] = list(sinks)
        self._seq = 0
        self._task: asyncio.Task[TurnOutcome] | None = None
        self._turn_model: str | None = None
        self._closed = False
        self._start_conversation()

    # -- events -------------------------------------------------------------------------------
    def add_sink(self, sink: Sink) -> None:
        """Receive every event from now on (called synchronously; keep it cheap)."""
        self._sinks.append(sink)

    def remove_sink(self, sink: Sink) -> None:
        """Stop sending events to ``sink``."""
        if sink in self._sinks:
            self._sinks.remove(sink)

    def emit(self, event: Event) -> Event:
        """Stamp ``seq``/``session_id``, apply to the history, hand to every sink."""
        self._seq += 1
        event = dataclasses.replace(event, seq=self._seq, session_id=self.id)
        self.history.apply(event)
        for sink in list(self._sinks):
            try:
                sink(event)
            except Exception:  # a broken renderer must not break the agent
                log.exception("event sink %r failed on %s", sink, event.type)
        return event

    def _start_conversation(self) -> None:
        started = SessionStarted(
            model=self.model_id, cwd=str(self.workdir), version=__version__, system_prompt=self.history.system_prompt
        )
        self.emit(started)

    # -- reading ------------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        """True while a turn runs."""
        return self._task is not None and not self._task.done()

    def status(self) -> SessionStatus:
        """A snapshot: model, busy, yolo, pending approvals, usage, spend, history size."""
        return SessionStatus(
            session_id=self.id,
            model=(self._turn_model if self.busy else None) or self.model_id,
            busy=self.busy,
            yolo=self.policy.yolo,
            pending_approvals=tuple(self.approvals.pending()),
            prompt_tokens=self.usage.prompt_tokens,
            completion_tokens=self.usage.completion_tokens,
            spend_usd=self.policy.spent_usd,
            budget_usd=self.policy.budget_usd,
            history_tokens=self.history.token_count(),
            turns=self.history.user_turns(),
            started=self.started,
            tools=tuple(self.tools.names()),
        )

    def take_notice(self) -> str | None:
        """A note to show once (the automatic default model is small); None afterwards."""
        notice, self._notice = self._notice, None
        return notice

    # -- operations -------------------------------------------------------------------------------
    async def submit(self, op: Operation) -> Any:
        """Handle one operation.

        Returns: ``UserInput`` a :class:`TurnOutcome`; ``ExecApproval``/``Interrupt``/``SetModel``
        a bool (taken or not); ``Compact``/``Undo``/``Resume`` their event or None; ``New`` the
        new id or None; ``SetYolo`` the new state. Refusals are ``error`` events too.
        """
        match op:
            case UserInput(text=text, options=options):
                return await self._run_turn(text, options)
            case ExecApproval():
                return self._decide(op)
            case Interrupt():
                return self._interrupt()
            case Compact():
                return await self._compact()
            case Undo():
                return self._undo()
            case New():
                return self._new()
            case Resume():
                return await self._resume(op)
            case SetModel(model=model):
                return await self._set_model(model)
            case SetYolo(enabled=enabled):
                return self._set_yolo(enabled)
            case Shutdown():
                return await self._shutdown()
        raise TypeError(f"unknown operation {op!r}")

    def _refuse(self, kind: str, message: str, fix: str) -> None:
        self.emit(ErrorEvent(message=message, kind=kind, fix=fix))

    def _refuse_if_busy(self, what: str) -> bool:
        if self._closed:
            self._refuse("closed", "This session was shut down.", "Start a new one.")
            return True
        if self.busy:
            fix = "Wait for the turn to finish, answer its pending approvals, or interrupt it."
            self._refuse("busy", f"Cannot {what} while the agent is working.", fix)
            return True
        return False

    def provider(self, model_id: str | None = None) -> CompletionProvider:
        """The provider of a model id (the session's model by default), kept per id."""
        model_id = model_id or self.model_id
        if model_id not in self._providers:
            self._providers[model_id] = self._factory.create(model_id)
        return self._providers[model_id]

    def turn_provider(self) -> CompletionProvider:
        """The provider of the running turn (a cell's ``--model``), else the session's."""
        return self.provider(self._turn_model if self.busy else None)

    async def _run_turn(self, text: str, options: TurnOptions) -> TurnOutcome:
        if self._refuse_if_busy("start a new turn"):
            return TurnOutcome("busy")
        if options.model and options.model != self.model_id and not await self._check_model(options.model):
            return TurnOutcome("error")
        settings = self._settings(options)
        self._turn_model = settings.provider.model_id
        self._task = asyncio.create_task(Turn(self, settings).run(text))
        try:
            outcome = await self._task
        finally:
            self.emit(Ready())
        if options.model and options.model != self.model_id:
            failed = outcome.error is not None and outcome.error.kind in MODEL_ERRORS
            if not failed:  # the turn's model becomes the session's once it worked
                self.model_id, self._notice = options.model, None
                self.emit(SettingsChanged(model=self.model_id, yolo=self.policy.yolo))
        return outcome

    def _settings(self, options: TurnOptions) -> TurnSettings:
        provider = self.provider(options.model)
        if provider is not self._counting_with:
            self.history.set_counter(provider.count_tokens)
            self._counting_with = provider
        redact = self._redact
        if provider.local and not self.config.redact_local_model_context:
            redact = None
        return TurnSettings(
            provider=provider,
            max_iterations=options.max_iterations or self.config.max_iterations,
            stream=self.config.stream if options.stream is None else options.stream,
            yolo=bool(options.yolo),
            redact=redact,
        )

    def _decide(self, decision: ExecApproval) -> bool:
        taken = self.approvals.decide(decision)
        if decision.approved and decision.scope == "session":
            self._set_yolo(True)
            for call_id in self.approvals.pending():
                self.approvals.decide(ExecApproval(tool_call_id=call_id, approved=True))
        return taken

    def _interrupt(self) -> bool:
        if not self.busy:
            return False
        assert self._task is not None
        self._task.cancel()
        return True

    async def _check_model(self, model_id: str) -> bool:
        """Whether ``model_id`` can be used; if not, an error event says why (the id is not kept)."""
        try:
            await asyncio.to_thread(self._factory.check, model_id)
        except ModelIdError as exc:
            self._refuse("bad_model", str(exc), "Pick another model id; the current one stays.")
            return False
        return True

    async def _set_model(self, model_id: str) -> bool:
        if self._refuse_if_busy("switch models"):
            return False
        model_id = model_id.strip()
        if not await self._check_model(model_id):
            return False
        self.model_id, self._notice = model_id, None
        self.emit(SettingsChanged(model=model_id, yolo=self.policy.yolo))
        return True

    def _set_yolo(self, enabled: bool) -> bool:
        self.policy.yolo = enabled
        self.emit(SettingsChanged(model=self.model_id, yolo=enabled))
        return enabled

    async def compact_if_needed(self, provider: CompletionProvider) -> None:
        """Compact when the history passes the threshold (capped at 90% of the window)."""
        threshold = effective_threshold(self.config.compaction_threshold, provider.context_window())
        if self.history.token_count() <= threshold:
            return
        if split_points(self.history.entries(), self.config.compaction_keep_recent) is not None:
            await self._summarise(provider)

    async def _summarise(self, provider: CompletionProvider) -> Compacted:
        async def summarize(messages: list[dict[str, Any]]) -> str:
            request = ModelRequest(messages, stream=False, id_prefix="summary")
            return (await call_model(provider, request, retry=self.retry)).content

        event = await plan_compaction(self.history, summarize, self.config.compaction_keep_recent)
        if event is None:
            before = self.history.token_count()
            return self.emit(Compacted(old_tokens=before, new_tokens=before))
        self.guards.reset()
        return self.emit(event)

    async def _compact(self) -> Compacted | None:
        if self._refuse_if_busy("compact"):
            return None
        provider = self.provider()
        await provider.prepare()
        return await self._summarise(provider)

    def _undo(self) -> UndoComplete | None:
        if self._refuse_if_busy("undo"):
            return None
        removed, text = self.history.last_user_turn()
        self.guards.reset()
        return self.emit(UndoComplete(removed_messages=removed, user_message=text))

    def _new(self) -> str | None:
        if self._refuse_if_busy("start a new conversation"):
            return None
        self.id = new_session_id()
        self.started = time.time()
        self._seq = 0
        self.guards.reset()
        self._start_conversation()
        self.emit(Ready())
        return self.id

    async def _resume(self, op: Resume) -> Resumed | None:
        if self._refuse_if_busy("resume"):
            return None
        if op.messages:
            kept, notes = restore_messages(op.messages)
            return self.emit(Resumed(restored_messages=len(kept), notes=tuple(notes), messages=tuple(kept)))
        saved = await load_record(self.records, op.session_id or "")
        if isinstance(saved, str):
            self._refuse("resume", saved, "List the saved sessions (history) and give one id or a unique prefix.")
            return None
        self.id, self.started, self._seq, self.history = saved.session_id, saved.started, saved.last_seq, saved.history
        self._counting_with = None
        self.guards.reset()
        event = self.emit(Resumed(restored_messages=len(saved.history) - 1, notes=tuple(saved.notes)))
        self.emit(Ready())
        return event

    async def _shutdown(self) -> None:
        if self.busy:
            self._interrupt()
            await asyncio.gather(self._task, return_exceptions=True)
        self._closed = True
        self.emit(ShutdownEvent())

"""Renders one %%intern cell's events into display handles in that cell.

Streamed text is coalesced (:mod:`.coalesce`, :data:`CELL_PACE`); the final text is rendered
once from the ``assistant_message`` event. The bottom of the cell (footer, run status) is kept by
:class:`~.live.LiveBottom`; a ticker on the loop and a clock thread keep it moving, and the
ticker also wakes the loop so an interrupt (SIGINT) takes effect promptly. Events marked
``echoed`` are not drawn: the cell already shows them (the kernel's ``python`` output).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Collection
from typing import Any

from ..commands.registry import NOTEBOOK
from ..protocol import (
    ApprovalRequired,
    AssistantChunk,
    AssistantMessage,
    Compacted,
    ErrorEvent,
    Event,
    Interrupted,
    NoticeEvent,
    PlanUpdate,
    SettingsChanged,
    ToolCallEvent,
    ToolDisplay,
    ToolLog,
    ToolOutput,
    ToolState,
    ToolStateChange,
    TurnComplete,
    UndoComplete,
    UsageUpdate,
)
from .cards import Footer, MarkdownText, MimeBundle, Notice, PlanView, ToolCard
from .coalesce import CELL_PACE, Coalescer, Pace
from .live import ClockThread, LiveBottom

Display = Callable[..., Any]
RUN_ENDINGS = {ToolState.DONE: "done", ToolState.FAILED: "failed", ToolState.CANCELLED: "stopped"}


def _ipython_display(obj: Any, **kwargs: Any) -> Any:
    from IPython.display import display

    return display(obj, **kwargs)


class CellView:
    """An event sink that keeps a cell's output up to date.

    ``native_tools`` write to the cell themselves; ``backend_ready`` says whether the model
    backend has finished importing (the footer says it is starting until then).
    """

    def __init__(
        self,
        model: str,
        *,
        display: Display = _ipython_display,
        approval_factory: Callable[[ApprovalRequired], Any] | None = None,
        min_interval: float = CELL_PACE.min_interval,
        max_interval: float = CELL_PACE.max_interval,
        min_chars: int = CELL_PACE.min_chars,
        tick: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
        usage: Callable[[], tuple[int, int]] | None = None,
        native_tools: Collection[str] = (),
        backend_ready: Callable[[], bool] | None = None,
        clock_thread: bool = False,
    ) -> None:
        self._usage = usage
        self._approval_factory = approval_factory
        self._tick, self._clock = tick, clock
        self._start = clock()
        self._native = frozenset(native_tools)
        self._backend_ready = backend_ready
        self.footer = Footer(model=model)
        self.bottom = LiveBottom(display, self.footer, clock)
        self._text_handle: Any = None
        self._text: list[str] = []
        self._coalescer = Coalescer(self._flush, Pace(min_interval, max_interval, min_chars), clock)
        self._cards: dict[str, tuple[ToolCard, Any]] = {}
        self._approvals: dict[str, Any] = {}
        self._displays: dict[str, Any] = {}
        self._dirty_logs: set[str] = set()
        self._ticker: asyncio.Task[None] | None = None
        self._heartbeat = clock()
        self._clock_thread = ClockThread(self.refresh_footer, lambda: self._heartbeat) if clock_thread else None

    @property
    def updates(self) -> int:
        """Display and update messages sent so far (for benchmarks)."""
        return self.bottom.updates

    # -- footer -------------------------------------------------------------------------
    def _status_words(self) -> str:
        if self._backend_ready is not None and not self._backend_ready():
            return "starting the model backend…"
        return "working"

    def refresh_footer(self, force: bool = False) -> None:
        """Re-render the footer (or the running tool's status) if its text changed."""
        with self.bottom.lock:
            if self.footer.status in ("working", "starting the model backend…"):
                self.footer.status = self._status_words()
            if self._usage is not None:
                self.footer.prompt_tokens, self.footer.completion_tokens = self._usage()
            self.bottom.refresh(self._clock() - self._start, force)

    # -- life cycle ---------------------------------------------------------------------
    def start(self) -> None:
        """Show the footer and start the ticker (needs a running event loop)."""
        self.footer.status = self._status_words()
        self.refresh_footer(force=True)
        self._ticker = asyncio.get_running_loop().create_task(self._tick_loop())
        if self._clock_thread is not None:
            self._clock_thread.start()

    async def _tick_loop(self) -> None:
        while True:
            await asyncio.sleep(self._tick)
            self._heartbeat = self._clock()
            self.flush_logs()
            self.refresh_footer()

    def close(self, status: str = "done") -> None:
        """Stop ticking, flush text and show the final footer."""
        if self._ticker is not None:
            self._ticker.cancel()
        if self._clock_thread is not None:
            self._clock_thread.stop()
        self._coalescer.cancel()
        self.flush_logs()
        with self.bottom.lock:
            self.footer.status = status
            if self._usage is not None:
                self.footer.prompt_tokens, self.footer.completion_tokens = self._usage()
            self.bottom.close(self._clock() - self._start)

    # -- streamed text ------------------------------------------------------------------
    def _flush(self) -> None:
        text = MarkdownText("".join(self._text))
        if self._text_handle is None:
            self._text_handle = self.bottom.show(text)
        else:
            self.bottom.update(self._text_handle, text)

    def _on_chunk(self, event: AssistantChunk) -> None:
        self._text.append(event.content)
        self._coalescer.add(len(event.content))

    def _on_message(self, event: AssistantMessage) -> None:
        pending = self._coalescer.pending_chars
        self._coalescer.reset()
        if event.content:
            final = MarkdownText(event.content)
            if self._text_handle is None:
                self.bottom.show(final)
            elif "".join(self._text) != event.content or pending:
                self.bottom.update(self._text_handle, final)
        self._text, self._text_handle = [], None
        self.footer.iterations += 1

    # -- events -------------------------------------------------------------------------
    def __call__(self, event: Event) -> None:
        if getattr(event, "echoed", False) and getattr(event, "name", None) in self._native:
            return  # the cell shows it already (code run in the kernel prints there itself)
        match event:
            case AssistantChunk():
                self._on_chunk(event)
            case AssistantMessage():
                self._on_message(event)
            case ToolCallEvent():
                card = ToolCard(event.tool_call_id, event.name, dict(event.arguments), ToolState.RUNNING)
                card.native = event.name in self._native
                self._cards[event.tool_call_id] = (card, self.bottom.show(card))
            case ToolStateChange():
                self._on_state(event)
            case ToolLog():
                self._card_log(event)
            case ToolOutput():
                self._card_change(event.tool_call_id, output=event.output, ok=event.ok)
            case ToolDisplay():
                self._on_display(event)
            case ApprovalRequired():
                self._on_approval(event)
            case _:
                self._on_notice(event)

    def _on_notice(self, event: Event) -> None:
        match event:
            case PlanUpdate():
                self.bottom.show(PlanView(event.todos))
            case ErrorEvent():
                fix = " ".join(part for part in (event.fix, NOTEBOOK.remedies(event.remedies)) if part)
                self.bottom.show(Notice(event.message, fix))
            case Interrupted():
                self.bottom.show(
                    Notice("Interrupted. The session is intact; run another %%intern cell.", level="warning")
                )
            case Compacted(removed_messages=removed) if removed:
                self.bottom.show(
                    Notice(f"History compacted: {event.old_tokens:,} → {event.new_tokens:,} tokens", level="info")
                )
            case UndoComplete(reason="user"):
                self.bottom.show(Notice(f"Undid the last turn ({event.removed_messages} messages).", level="info"))
            case NoticeEvent():
                self.bottom.show(Notice(event.message, level=event.level))
            case SettingsChanged():
                self.footer.model = event.model
            case UsageUpdate():
                self.footer.prompt_tokens, self.footer.completion_tokens = event.prompt_tokens, event.completion_tokens
                self.footer.spend_usd = event.spend_usd or 0.0
            case TurnComplete():
                self.footer.prompt_tokens, self.footer.completion_tokens = event.prompt_tokens, event.completion_tokens

    def _on_state(self, event: ToolStateChange) -> None:
        self._card_change(event.tool_call_id, state=event.state)
        if event.name not in self._native:
            return
        if event.state is ToolState.RUNNING:
            self.bottom.begin_run(event.name, event.tool_call_id)
        elif event.state in RUN_ENDINGS:
            self.bottom.end_run(event.tool_call_id, RUN_ENDINGS[event.state])

    def _on_display(self, event: ToolDisplay) -> None:
        bundle = MimeBundle(event.data, event.metadata)
        key = f"{event.tool_call_id}:{event.display_id}" if event.display_id else None
        if key and event.update and key in self._displays:
            self.bottom.update(self._displays[key], bundle)
            return
        handle = self.bottom.show(bundle)
        if key:
            self._displays[key] = handle

    def _card_change(self, call_id: str, **changes: Any) -> None:
        entry = self._cards.get(call_id)
        if entry is None:
            return
        card, handle = entry
        for key, value in changes.items():
            setattr(card, key, value)
        self._dirty_logs.discard(call_id)
        self.bottom.update(handle, card)
        state = changes.get("state")
        if state is not None and state is not ToolState.PENDING_APPROVAL:
            self._settle_approval(call_id, card, state)

    def _settle_approval(self, call_id: str, card: ToolCard, state: ToolState) -> None:
        """The call was decided: the approval card becomes one line, the tool card shows what ran."""
        entry = self._approvals.pop(call_id, None)
        if entry is None:
            return
        widget, handle = entry
        widget.settle(state)
        card.awaiting_approval = False
        card.arguments = dict(widget.ran_arguments)
        self.bottom.update(handle, widget.box)  # its plain-text form now says how it was decided
        self.bottom.update(self._cards[call_id][1], card)

    def _card_log(self, event: ToolLog) -> None:
        entry = self._cards.get(event.tool_call_id)
        if entry is not None:
            entry[0].add_log(event.line)
            self._dirty_logs.add(event.tool_call_id)  # pushed by the ticker, not per line

    def flush_logs(self) -> None:
        """Push the cards whose log grew since the last tick."""
        for call_id in sorted(self._dirty_logs):
            card, handle = self._cards[call_id]
            self.bottom.update(handle, card)
        self._dirty_logs.clear()

    def _on_approval(self, event: ApprovalRequired) -> None:
        entry = self._cards.get(event.tool_call_id)
        if entry is not None and self._approval_factory is not None:
            card, handle = entry
            card.reason, card.awaiting_approval = event.reason, True  # the code is in the approval card
            self.bottom.update(handle, card)
        if self._approval_factory is not None:
            widget = self._approval_factory(event)
            self._approvals[event.tool_call_id] = (widget, self.bottom.show(widget.box))

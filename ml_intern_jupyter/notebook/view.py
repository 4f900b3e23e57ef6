"""Renders one %%intern cell's events into display handles in that cell.

Streamed text is coalesced: an update goes out when enough new text arrived and
at least ``min_interval`` passed, or when ``max_interval`` passed; the final
text is rendered once from the ``assistant_message`` event. A footer ticks
while the agent works, which also wakes the event loop so an interrupt (SIGINT)
takes effect promptly.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from ..commands.registry import NOTEBOOK
from ..protocol import (
    ApprovalRequired,
    AssistantChunk,
    AssistantMessage,
    AssistantStreamEnd,
    Compacted,
    ErrorEvent,
    Event,
    Interrupted,
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
)
from .cards import Blank, Footer, MarkdownText, MimeBundle, Notice, PlanView, ToolCard

Display = Callable[..., Any]


def _ipython_display(obj: Any, **kwargs: Any) -> Any:
    from IPython.display import display

    return display(obj, **kwargs)


class CellView:
    """An event sink that keeps a cell's output up to date."""

    def __init__(
        self,
        model: str,
        *,
        display: Display = _ipython_display,
        approval_factory: Callable[[ApprovalRequired], Any] | None = None,
        min_interval: float = 1 / 15,
        max_interval: float = 0.8,
        min_chars: int = 160,
        tick: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
        usage: Callable[[], tuple[int, int]] | None = None,
    ) -> None:
        self._usage = usage
        self._display = display
        self._approval_factory = approval_factory
        self._min_interval, self._max_interval, self._min_chars = min_interval, max_interval, min_chars
        self._tick = tick
        self._clock = clock
        self._start = clock()
        self.footer = Footer(model=model)
        self._footer_handle: Any = None
        self._footer_text = ""
        self._text_handle: Any = None
        self._text: list[str] = []
        self._pending_chars = 0
        self._last_flush = 0.0
        self._flush_timer: asyncio.TimerHandle | None = None
        self._last_sent = 0.0
        self._cards: dict[str, tuple[ToolCard, Any]] = {}
        self._approvals: dict[str, Any] = {}
        self._dirty_logs: set[str] = set()
        self._ticker: asyncio.Task[None] | None = None
        self.updates = 0  # display + update messages sent (for benchmarks)

    # -- output primitives ------------------------------------------------------
    def _show(self, obj: Any) -> Any:
        """Display a new block above the footer (the footer moves to the bottom)."""
        self.updates += 1
        self._last_sent = self._clock()
        handle = self._display(obj, display_id=True)
        if self._footer_handle is not None:
            self._footer_handle.update(Blank())
            self._footer_handle = None
            self._show_footer()
        return handle

    def _update(self, handle: Any, obj: Any) -> None:
        self.updates += 1
        self._last_sent = self._clock()
        handle.update(obj)

    def _show_footer(self) -> None:
        self._footer_text = self.footer.text()
        self.updates += 1
        self._footer_handle = self._display(self.footer, display_id=True)

    def refresh_footer(self, force: bool = False) -> None:
        """Re-render the footer if its text changed (elapsed time is shown in seconds).

        While other output is flowing (anything sent in the last second) the footer
        waits: the streaming text already shows the agent is alive.
        """
        now = self._clock()
        if not force and self._footer_handle is not None and now - self._last_sent < 1.0:
            return
        self.footer.elapsed = now - self._start
        if self._usage is not None:
            self.footer.prompt_tokens, self.footer.completion_tokens = self._usage()
        if self._footer_handle is None:
            self._show_footer()
        elif self.footer.text() != self._footer_text:
            self._footer_text = self.footer.text()
            self._update(self._footer_handle, self.footer)

    # -- life cycle ---------------------------------------------------------------
    def start(self) -> None:
        """Show the footer and start the ticker (needs a running event loop)."""
        self.refresh_footer()
        self._ticker = asyncio.get_running_loop().create_task(self._tick_loop())

    async def _tick_loop(self) -> None:
        while True:
            await asyncio.sleep(self._tick)
            self.flush_logs()
            self.refresh_footer()

    def close(self, status: str = "done") -> None:
        """Stop ticking, flush text and show the final footer."""
        if self._ticker is not None:
            self._ticker.cancel()
        self._cancel_timer()
        self.flush_logs()
        self.footer.status = status
        self.refresh_footer(force=True)

    # -- streamed text --------------------------------------------------------------
    def _cancel_timer(self) -> None:
        if self._flush_timer is not None:
            self._flush_timer.cancel()
            self._flush_timer = None

    def _flush(self) -> None:
        self._flush_timer = None
        if not self._pending_chars:
            return
        text = MarkdownText("".join(self._text))
        if self._text_handle is None:
            self._text_handle = self._show(text)
        else:
            self._update(self._text_handle, text)
        self._pending_chars = 0
        self._last_flush = self._clock()

    def _on_chunk(self, event: AssistantChunk) -> None:
        self._text.append(event.content)
        self._pending_chars += len(event.content)
        since = self._clock() - self._last_flush
        if (since >= self._min_interval and self._pending_chars >= self._min_chars) or since >= self._max_interval:
            self._cancel_timer()
            self._flush()
        elif self._flush_timer is None:
            delay = max(self._max_interval - since, 0.0)
            self._flush_timer = asyncio.get_running_loop().call_later(delay, self._flush)

    def _on_message(self, event: AssistantMessage) -> None:
        self._cancel_timer()
        if event.content:
            final = MarkdownText(event.content)
            if self._text_handle is None:
                self._show(final)
            elif "".join(self._text) != event.content or self._pending_chars:
                self._update(self._text_handle, final)
        self._text, self._pending_chars, self._text_handle = [], 0, None

    # -- events -------------------------------------------------------------------
    def __call__(self, event: Event) -> None:
        match event:
            case AssistantChunk():
                self._on_chunk(event)
            case AssistantStreamEnd():
                pass  # the assistant_message that follows renders the final text once
            case AssistantMessage():
                self._on_message(event)
                self.footer.iterations += 1
            case ToolCallEvent():
                card = ToolCard(event.tool_call_id, event.name, dict(event.arguments), ToolState.RUNNING)
                self._cards[event.tool_call_id] = (card, self._show(card))
            case ToolStateChange():
                self._card_change(event.tool_call_id, state=event.state)
            case ToolLog():
                self._card_log(event)
            case ToolOutput():
                self._card_change(event.tool_call_id, output=event.output, ok=event.ok)
            case ApprovalRequired():
                self._on_approval(event)
            case PlanUpdate():
                self._show(PlanView(event.todos))
            case ErrorEvent():
                fix = " ".join(part for part in (event.fix, NOTEBOOK.remedies(event.remedies)) if part)
                self._show(Notice(event.message, fix))
            case Interrupted():
                self._show(Notice("Interrupted. The session is intact; run another %%intern cell.", level="warning"))
            case Compacted():
                self._show(
                    Notice(f"History compacted: {event.old_tokens:,} → {event.new_tokens:,} tokens", level="info")
                )
            case UndoComplete(reason="user"):
                self._show(Notice(f"Undid the last turn ({event.removed_messages} messages).", level="info"))
            case ToolDisplay():
                self._show(MimeBundle(event.data, event.metadata))
            case SettingsChanged():
                self.footer.model = event.model
            case TurnComplete():
                self.footer.prompt_tokens = event.prompt_tokens
                self.footer.completion_tokens = event.completion_tokens

    def _card_change(self, call_id: str, **changes: Any) -> None:
        entry = self._cards.get(call_id)
        if entry is None:
            return
        card, handle = entry
        for key, value in changes.items():
            setattr(card, key, value)
        self._dirty_logs.discard(call_id)
        self._update(handle, card)
        state = changes.get("state")
        if state is not None and state is not ToolState.PENDING_APPROVAL:
            widget = self._approvals.pop(call_id, None)
            if widget is not None:
                widget.settle(state)

    def _card_log(self, event: ToolLog) -> None:
        entry = self._cards.get(event.tool_call_id)
        if entry is not None:
            entry[0].log.append(event.line)
            self._dirty_logs.add(event.tool_call_id)  # pushed by the ticker, not per line

    def flush_logs(self) -> None:
        """Push the cards whose log grew since the last tick."""
        for call_id in sorted(self._dirty_logs):
            card, handle = self._cards[call_id]
            self._update(handle, card)
        self._dirty_logs.clear()

    def _on_approval(self, event: ApprovalRequired) -> None:
        entry = self._cards.get(event.tool_call_id)
        if entry is not None:
            entry[0].reason = event.reason
        if self._approval_factory is not None:
            widget = self._approval_factory(event)
            self._approvals[event.tool_call_id] = widget
            self._show(widget.box)

"""Approve-in-cell: the widget under a tool card that waits for the user's click.

Clicks only resolve the session's approval future (on the kernel's event loop);
all rendering happens from the agent coroutine via events, because output
printed inside an ``on_click`` callback goes nowhere.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import ipywidgets as widgets

from ..common import CODE_ARGS
from ..protocol import ApprovalRequired, ApprovalScope, ExecApproval, ToolState

if TYPE_CHECKING:
    from ..agent.session import Session


class _ApprovalBox(widgets.VBox):
    """A VBox whose plain-text form reads well in exported notebooks."""

    def __repr__(self) -> str:
        return "[approval requested: Approve / Reject / Approve all this session]"


class ApprovalWidget:
    """Approve / Reject (with feedback) / Approve all, plus an editor for code arguments."""

    def __init__(self, event: ApprovalRequired, session: Session, loop: asyncio.AbstractEventLoop) -> None:
        self.event = event
        self._session = session
        self._loop = loop
        self.code_key = next((k for k in CODE_ARGS if isinstance(event.arguments.get(k), str)), None)
        original = event.arguments.get(self.code_key, "") if self.code_key else ""
        lines = max(3, min(20, original.count("\n") + 2))
        self.editor = (
            widgets.Textarea(value=original, layout=widgets.Layout(width="100%", height=f"{lines * 1.5}em"))
            if self.code_key
            else None
        )
        self.feedback = widgets.Text(
            placeholder="Feedback for the agent (optional, sent with Reject)",
            layout=widgets.Layout(width="100%"),
        )
        self.approve = widgets.Button(description="Approve", button_style="success", icon="check")
        self.reject = widgets.Button(description="Reject", button_style="danger", icon="times")
        self.approve_all = widgets.Button(
            description="Approve all this session",
            button_style="warning",
            icon="forward",
            layout=widgets.Layout(width="auto"),
        )
        self.status = widgets.HTML(f"<b>{event.name}</b> {event.reason or 'needs approval'}: approve?")
        self.approve.on_click(lambda _: self._decide(True))
        self.reject.on_click(lambda _: self._decide(False))
        self.approve_all.on_click(lambda _: self._decide(True, everything=True))
        rows = [self.status]
        if self.editor is not None:
            rows.append(self.editor)
        rows += [self.feedback, widgets.HBox([self.approve, self.reject, self.approve_all])]
        self.box = _ApprovalBox(rows)

    def _edited_arguments(self) -> dict | None:
        if self.editor is None or self.editor.value == self.event.arguments.get(self.code_key):
            return None
        return {**self.event.arguments, self.code_key: self.editor.value}

    def _decide(self, approved: bool, everything: bool = False) -> None:
        decision = ExecApproval(
            tool_call_id=self.event.tool_call_id,
            approved=approved,
            feedback=None if approved else (self.feedback.value.strip() or None),
            edited_arguments=self._edited_arguments() if approved else None,
            scope=ApprovalScope.SESSION if everything else ApprovalScope.CALL,
        )
        self._loop.call_soon_threadsafe(lambda: self._loop.create_task(self._session.submit(decision)))
        self._disable("approved" if approved else "rejected")

    def _disable(self, label: str) -> None:
        for control in (self.approve, self.reject, self.approve_all, self.feedback, self.editor):
            if control is not None:
                control.disabled = True
        self.status.value = f"<b>{self.event.name}</b>: {label}"

    def settle(self, state: ToolState) -> None:
        """The call left the pending state (clicked here, approve-all, or interrupted)."""
        self._disable(state.value.replace("_", " "))

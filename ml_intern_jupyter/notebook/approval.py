"""Approve-in-cell: the card under a tool call that waits for the user's decision.

It is an anywidget (JupyterLab, Notebook 7, VS Code, Colab). The browser sends one message
when a button is clicked, holding the decision, the feedback and the code exactly as they
are on screen at that moment, so no keystroke can be lost to widget state that has not
synced yet (ipywidgets keeps one update in flight per model, and a busy ``%%intern`` cell
never reports idle for it). The click only submits an operation; everything the user then
sees comes from the session's events. Once decided, the card is one line ("approved",
"approved (edited)" with the diff, "rejected: ‘…’"), and its plain-text form says the same.
"""

from __future__ import annotations

import asyncio
import difflib
import json
import logging
from importlib import resources
from typing import Any, ClassVar

import anywidget
import traitlets

from ..common import CODE_ARGS
from ..protocol import ApprovalRequired, ApprovalScope, ExecApproval, ToolState

log = logging.getLogger(__name__)

DECISIONS = frozenset({"approve", "reject", "approve_all"})
_STATIC = resources.files(__package__).joinpath("static")


class ApprovalCard(anywidget.AnyWidget):
    """The browser side of an approval: pending (editor, feedback, buttons) or settled (one line)."""

    _esm = _STATIC.joinpath("approval.js").read_text(encoding="utf-8")
    _css = _STATIC.joinpath("approval.css").read_text(encoding="utf-8")
    tool = traitlets.Unicode("").tag(sync=True)
    reason = traitlets.Unicode("").tag(sync=True)
    code = traitlets.Unicode("").tag(sync=True)
    code_key = traitlets.Unicode("").tag(sync=True)
    arguments = traitlets.Unicode("").tag(sync=True)
    details = traitlets.Dict().tag(sync=True)
    replaces = traitlets.Unicode("").tag(sync=True)
    state = traitlets.Unicode("pending").tag(sync=True)
    summary = traitlets.Unicode("").tag(sync=True)
    diff = traitlets.Unicode("").tag(sync=True)

    MARKS: ClassVar[dict[str, str]] = {"approved": "✓", "edited": "✓", "rejected": "✗", "cancelled": "■"}

    def __repr__(self) -> str:
        if self.state == "pending":
            return f"[approval requested: {self.tool} {self.reason}]".replace("  ", " ")
        return f"[{self.MARKS.get(self.state, '·')} {self.tool} {self.summary}]"


def _other_arguments(arguments: dict[str, Any], code_key: str | None) -> str:
    rest = {k: v for k, v in arguments.items() if k != code_key}
    return json.dumps(rest, ensure_ascii=False, indent=1) if rest else ""


class ApprovalWidget:
    """One pending call's card and what its click does."""

    def __init__(
        self, event: ApprovalRequired, session: Any, loop: asyncio.AbstractEventLoop, replaces: str = ""
    ) -> None:
        self.event = event
        self._session = session
        self._loop = loop
        self.code_key = next((k for k in CODE_ARGS if isinstance(event.arguments.get(k), str)), None)
        self.proposed = event.arguments.get(self.code_key, "") if self.code_key else ""
        self.ran_arguments: dict[str, Any] = dict(event.arguments)
        self.box = ApprovalCard(
            tool=event.name,
            reason=event.reason,
            code=self.proposed,
            code_key=self.code_key or "",
            arguments=_other_arguments(event.arguments, self.code_key),
            details={str(k): str(v) for k, v in event.details.items()},
            replaces=replaces,
        )
        self.box.on_msg(self._on_msg)

    def _on_msg(self, widget: Any, content: Any, buffers: Any) -> None:
        """A click in the browser: ``{event: "decide", decision, feedback, code}``; anything else is ignored."""
        if (
            not isinstance(content, dict)
            or content.get("event") != "decide"
            or content.get("decision") not in DECISIONS
        ):
            log.warning("ignored a malformed approval message: %r", content)
            return
        code, feedback = content.get("code"), content.get("feedback")
        if (code is not None and not isinstance(code, str)) or (feedback is not None and not isinstance(feedback, str)):
            log.warning("ignored an approval message with non-text fields: %r", content)
            return
        if self.box.state != "pending":
            return  # decided already (another view, or a second click)
        self.decide(content["decision"], feedback or "", code)

    def decide(self, decision: str, feedback: str, code: str | None) -> None:
        """Submit the decision; what runs is exactly ``code`` as the user left it."""
        approved = decision != "reject"
        edited = None
        if approved and self.code_key and code is not None and code != self.proposed:
            edited = {**self.event.arguments, self.code_key: code}
            self.ran_arguments = edited
        op = ExecApproval(
            tool_call_id=self.event.tool_call_id,
            approved=approved,
            feedback=None if approved else (feedback.strip() or None),
            edited_arguments=edited,
            scope=ApprovalScope.SESSION if decision == "approve_all" else ApprovalScope.CALL,
        )
        self._loop.create_task(self._session.submit(op))
        self._settle_as(decision, feedback.strip(), edited is not None)

    def _settle_as(self, decision: str, feedback: str, edited: bool) -> None:
        if decision == "reject":
            self.box.summary = f"rejected: ‘{feedback}’" if feedback else "rejected"
            self.box.state = "rejected"
            return
        if edited:
            diff = difflib.unified_diff(
                self.proposed.splitlines(),
                self.ran_arguments[self.code_key].splitlines(),
                "proposed",
                "ran",
                lineterm="",
            )
            self.box.diff = "\n".join(diff)
        scope = " (and everything else this session)" if decision == "approve_all" else ""
        self.box.summary = f"approved{' (edited)' if edited else ''}{scope}"
        self.box.state = "edited" if edited else "approved"

    def settle(self, state: ToolState) -> None:
        """The call left the pending state without a click here (approve-all, another view, a stop)."""
        if self.box.state != "pending":
            return
        if state is ToolState.CANCELLED:
            self.box.summary, self.box.state = "not decided: the turn was stopped", "cancelled"
        elif state is ToolState.REJECTED:
            self.box.summary, self.box.state = "rejected", "rejected"
        else:
            self.box.summary, self.box.state = "approved", "approved"

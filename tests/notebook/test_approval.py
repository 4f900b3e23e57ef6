"""The approval card's kernel side: one click message carries the decision and what was on screen."""

from __future__ import annotations

import asyncio
import logging

import pytest

from ml_intern_jupyter.notebook.approval import ApprovalWidget
from ml_intern_jupyter.protocol import ApprovalRequired, ApprovalScope, ExecApproval, ToolState

PROPOSED = "x = 12\nprint(x)"


class FakeSession:
    """Collects the operations a click submits."""

    def __init__(self) -> None:
        self.ops: list[ExecApproval] = []

    async def submit(self, op: ExecApproval) -> None:
        self.ops.append(op)


@pytest.fixture
async def card() -> tuple[ApprovalWidget, FakeSession]:
    session = FakeSession()
    event = ApprovalRequired(
        tool_call_id="call_7", name="python", arguments={"code": PROPOSED, "timeout": 30}, reason="runs code"
    )
    widget = ApprovalWidget(event, session, asyncio.get_running_loop(), replaces="replaces `x`")
    return widget, session


def click(widget: ApprovalWidget, content: object) -> None:
    widget._on_msg(widget.box, content, [])


async def settled(session: FakeSession) -> ExecApproval:
    for _ in range(10):
        if session.ops:
            return session.ops[-1]
        await asyncio.sleep(0)
    raise AssertionError("no operation was submitted")


async def test_the_pending_card_shows_the_code_once_with_the_other_arguments_and_what_it_replaces(card) -> None:
    widget, _ = card
    box = widget.box
    assert (box.code, box.code_key, box.replaces, box.state) == (PROPOSED, "code", "replaces `x`", "pending")
    assert '"timeout": 30' in box.arguments and "print(x)" not in box.arguments
    assert repr(box) == "[approval requested: python runs code]"


async def test_edited_code_runs_exactly_as_sent_and_the_card_shows_the_diff(card) -> None:
    widget, session = card
    typed = "x = 123\nx += 1000\nprint(x)  # ünïcode stays"
    click(widget, {"event": "decide", "decision": "approve", "feedback": "", "code": typed})
    op = await settled(session)
    assert op.approved and op.edited_arguments == {"code": typed, "timeout": 30} and op.scope is ApprovalScope.CALL
    assert widget.ran_arguments["code"] == typed
    assert widget.box.state == "edited" and repr(widget.box) == "[✓ python approved (edited)]"
    assert "-x = 12" in widget.box.diff and "+x += 1000" in widget.box.diff


async def test_unchanged_code_is_a_plain_approval(card) -> None:
    widget, session = card
    click(widget, {"event": "decide", "decision": "approve", "feedback": "ignored", "code": PROPOSED})
    op = await settled(session)
    assert op.approved and op.edited_arguments is None and op.feedback is None
    assert repr(widget.box) == "[✓ python approved]" and widget.box.diff == ""


async def test_reject_carries_the_whole_feedback(card) -> None:
    widget, session = card
    words = "  Do not delete anything; list the files first.  "
    click(widget, {"event": "decide", "decision": "reject", "feedback": words, "code": "edited but rejected"})
    op = await settled(session)
    assert not op.approved and op.feedback == words.strip() and op.edited_arguments is None
    assert repr(widget.box) == f"[✗ python rejected: ‘{words.strip()}’]"


async def test_approve_all_switches_the_session_scope(card) -> None:
    widget, session = card
    click(widget, {"event": "decide", "decision": "approve_all", "code": PROPOSED})
    op = await settled(session)
    assert op.approved and op.scope is ApprovalScope.SESSION
    assert "everything else this session" in widget.box.summary


@pytest.mark.parametrize(
    "content",
    [
        None,
        "approve",
        ["decide"],
        {"event": "click"},
        {"event": "decide"},
        {"event": "decide", "decision": "yes"},
        {"event": "decide", "decision": "approve", "code": 12},
        {"event": "decide", "decision": "reject", "feedback": {"text": "no"}},
    ],
)
async def test_malformed_messages_are_ignored_and_the_card_stays_pending(card, content, caplog) -> None:
    widget, session = card
    with caplog.at_level(logging.WARNING):
        click(widget, content)
    await asyncio.sleep(0)
    assert session.ops == [] and widget.box.state == "pending"
    assert "ignored" in caplog.text
    click(widget, {"event": "decide", "decision": "approve", "code": PROPOSED})  # the card still works
    assert (await settled(session)).approved


async def test_a_second_click_does_nothing(card) -> None:
    widget, session = card
    click(widget, {"event": "decide", "decision": "reject", "feedback": "no"})
    click(widget, {"event": "decide", "decision": "approve", "code": PROPOSED})
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert len(session.ops) == 1 and not session.ops[0].approved and widget.box.state == "rejected"


@pytest.mark.parametrize(
    ("state", "shown"),
    [
        (ToolState.CANCELLED, "[■ python not decided: the turn was stopped]"),
        (ToolState.REJECTED, "[✗ python rejected]"),
        (ToolState.RUNNING, "[✓ python approved]"),
    ],
)
async def test_a_call_settled_elsewhere_collapses_the_card(card, state, shown) -> None:
    widget, session = card
    widget.settle(state)
    assert repr(widget.box) == shown and session.ops == []

"""Approval policy (needs_approval) and the ApprovalBroker futures."""

from __future__ import annotations

import asyncio

import pytest

from ml_intern_jupyter.agent.approvals import ApprovalBroker, needs_approval
from ml_intern_jupyter.protocol import ExecApproval
from ml_intern_jupyter.tools.spec import ToolSpec


async def _noop(arguments, ctx) -> str:
    return ""


def spec(name: str, rule=False) -> ToolSpec:
    return ToolSpec(name=name, description="", parameters={"type": "object"}, handler=_noop, needs_approval=rule)


NO_POLICY: dict = {"auto_approve": [], "always_ask": []}


def test_the_tools_own_rule_applies_without_a_policy() -> None:
    assert needs_approval(spec("python", True), {}, NO_POLICY, yolo=False) is True
    assert needs_approval(spec("read", False), {}, NO_POLICY, yolo=False) is False
    assert needs_approval(spec("read"), {}, {}, yolo=False) is False  # keys may be absent


def test_yolo_approves_everything() -> None:
    policy = {"auto_approve": [], "always_ask": ["*"]}
    assert needs_approval(spec("python", True), {}, policy, yolo=True) is False


def test_auto_approve_globs_skip_the_question() -> None:
    policy = {"auto_approve": ["mcp__trusted__*"], "always_ask": []}
    assert needs_approval(spec("mcp__trusted__search", True), {}, policy, yolo=False) is False
    assert needs_approval(spec("mcp__other__search", True), {}, policy, yolo=False) is True


def test_always_ask_beats_auto_approve() -> None:
    policy = {"auto_approve": ["*"], "always_ask": ["hf_*"]}
    assert needs_approval(spec("hf_upload", False), {}, policy, yolo=False) is True
    assert needs_approval(spec("bash", True), {}, policy, yolo=False) is False


def test_globs_are_case_sensitive() -> None:
    policy = {"auto_approve": ["BASH"], "always_ask": []}
    assert needs_approval(spec("bash", True), {}, policy, yolo=False) is True


def test_tool_predicate_sees_the_arguments() -> None:
    seen: list = []

    def outside_scratch(arguments) -> bool:
        seen.append(arguments)
        return not arguments["file_path"].startswith("/scratch/")

    write = spec("write", outside_scratch)
    assert needs_approval(write, {"file_path": "/scratch/a.txt"}, NO_POLICY, yolo=False) is False
    assert needs_approval(write, {"file_path": "/etc/passwd"}, NO_POLICY, yolo=False) is True
    assert seen == [{"file_path": "/scratch/a.txt"}, {"file_path": "/etc/passwd"}]
    # the policy decides before the predicate is consulted
    needs_approval(write, {"file_path": "/x"}, {"auto_approve": ["write"]}, yolo=False)
    assert len(seen) == 2


# ----------------------------------------------------------------- broker


async def test_decide_after_expect_resolves_the_wait() -> None:
    broker = ApprovalBroker()
    broker.expect("c1")
    assert broker.pending() == ["c1"]
    decision = ExecApproval("c1", approved=True, edited_arguments={"code": "2"})
    assert broker.decide(decision) is True
    assert broker.pending() == []
    assert await broker.wait("c1") is decision
    assert broker.decide(ExecApproval("c1", approved=False)) is False  # nothing waits any more


async def test_decide_before_expect_is_refused() -> None:
    broker = ApprovalBroker()
    assert broker.decide(ExecApproval("early", approved=True)) is False
    broker.expect("early")
    assert broker.pending() == ["early"]  # the early decision was not stored


async def test_unknown_id_returns_false_and_leaves_others_waiting() -> None:
    broker = ApprovalBroker()
    broker.expect("real")
    assert broker.decide(ExecApproval("other", approved=True)) is False
    assert broker.pending() == ["real"]


async def test_second_decision_on_the_same_call_is_refused() -> None:
    broker = ApprovalBroker()
    broker.expect("c")
    assert broker.decide(ExecApproval("c", approved=False, feedback="no")) is True
    assert broker.decide(ExecApproval("c", approved=True)) is False
    assert (await broker.wait("c")).feedback == "no"


async def test_wait_without_expect_and_decision_from_another_task() -> None:
    broker = ApprovalBroker()
    waiter = asyncio.create_task(broker.wait("late"))
    await asyncio.sleep(0)  # let the waiter register its future
    assert broker.pending() == ["late"]
    assert broker.decide(ExecApproval("late", approved=True)) is True
    assert (await waiter).approved is True


async def test_cancelled_wait_forgets_the_call() -> None:
    broker = ApprovalBroker()
    broker.expect("c")
    waiter = asyncio.create_task(broker.wait("c"))
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert broker.pending() == []
    assert broker.decide(ExecApproval("c", approved=True)) is False

"""Approval policy (rules, yolo, always-ask, the spending cap) and the ApprovalBroker futures."""

from __future__ import annotations

import asyncio

import pytest

from ml_intern_jupyter.agent.approvals import ApprovalBroker, ApprovalPolicy
from ml_intern_jupyter.protocol import ExecApproval
from ml_intern_jupyter.tools.spec import ToolSpec


async def _noop(arguments, ctx) -> str:
    return ""


def spec(name: str, rule=False, **extra) -> ToolSpec:
    return ToolSpec(
        name=name, description="", parameters={"type": "object"}, handler=_noop, needs_approval=rule, **extra
    )


def needs_approval(tool: ToolSpec, arguments: dict, rules: dict, yolo: bool) -> bool:
    return ApprovalPolicy(rules, yolo=yolo).reason_to_ask(tool, arguments) is not None


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


def test_a_call_that_always_asks_asks_even_in_yolo_mode() -> None:
    scheduled = spec("hf_jobs", True, always_ask=lambda args: args.get("operation") == "schedule")
    policy = ApprovalPolicy(NO_POLICY, yolo=True)
    assert policy.reason_to_ask(scheduled, {"operation": "schedule"}) is not None
    assert policy.reason_to_ask(scheduled, {"operation": "run"}) is None
    assert policy.reason_to_ask(spec("python", True), {}, turn_yolo=True) is None  # one cell's --yolo


def test_the_yolo_spending_cap_asks_once_the_estimate_would_pass_it() -> None:
    job = spec("hf_jobs", True)
    policy = ApprovalPolicy(NO_POLICY, yolo=True, budget_usd=5)
    assert policy.reason_to_ask(job, {}, cost_usd=3.0) is None
    policy.spend(3.0)
    assert policy.reason_to_ask(job, {}, cost_usd=1.5) is None
    reason = policy.reason_to_ask(job, {}, cost_usd=2.5)
    assert reason is not None and "$2.50" in reason and "$5 yolo spending cap" in reason and "$3.00" in reason
    assert policy.reason_to_ask(job, {}) is None  # a tool that does not price its calls: yolo decides
    unpriced = policy.reason_to_ask(job, {}, cost_usd=None, priced=True)
    assert unpriced is not None and "could not be estimated" in unpriced  # a job it could not price asks
    assert ApprovalPolicy(NO_POLICY, budget_usd=0).reason_to_ask(spec("read"), {}, cost_usd=9) is None


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

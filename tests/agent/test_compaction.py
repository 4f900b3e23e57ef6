"""Compaction: where the history is split, the threshold, and summariser failures."""

from __future__ import annotations

import pytest

from ml_intern_jupyter.agent.compaction import (
    SUMMARY_INSTRUCTIONS,
    effective_threshold,
    fallback_summary,
    plan_compaction,
    split_points,
    transcript,
)
from ml_intern_jupyter.agent.history import SUMMARY_PREFIX, EntryKind

from .history_helpers import BuiltHistory


def tool_call(call_id: str, name: str = "echo") -> dict:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": '{"text": "x"}'}}


def busy_history() -> BuiltHistory:
    """system, user, then assistant/tool groups with several tool results in a row."""
    ctx = BuiltHistory("sys")
    ctx.add_user("first question")
    ctx.add_assistant("looking", [tool_call("a1")])
    ctx.add_tool_result("a1", "echo", "r1")
    ctx.add_assistant("", [tool_call("b1"), tool_call("b2"), tool_call("b3")])
    ctx.add_tool_result("b1", "echo", "r")
    ctx.add_tool_result("b2", "echo", "r")
    ctx.add_tool_result("b3", "echo", "r")
    ctx.add_assistant("answer one")
    ctx.add_user("second question")
    ctx.add_assistant("", [tool_call("c1"), tool_call("c2")])
    ctx.add_tool_result("c1", "echo", "r")
    ctx.add_tool_result("c2", "echo", "r")
    ctx.add_assistant("answer two")
    return ctx


@pytest.mark.parametrize("keep_recent", range(0, 15))
def test_split_points_never_leave_the_tail_starting_with_a_tool_result(keep_recent: int) -> None:
    entries = busy_history().entries()
    points = split_points(entries, keep_recent)
    if points is None:
        # only when the tail would swallow everything after the first user message
        assert keep_recent >= 11
        return
    start, stop = points
    assert start == 2  # after the system prompt and the first user message
    assert stop - start >= 1
    assert stop == len(entries) or entries[stop].kind is not EntryKind.TOOL
    # every tool result in the tail has its assistant call in the tail too
    tail = entries[stop:]
    called = {c["id"] for e in tail for c in e.message.get("tool_calls") or []}
    assert all(e.message["tool_call_id"] in called for e in tail if e.kind is EntryKind.TOOL)


def test_split_points_moves_back_to_the_assistant_call() -> None:
    entries = busy_history().entries()
    # keep_recent=7 puts the cut on tool result b3 (index 7); it moves back to the assistant at 4
    assert entries[len(entries) - 7].kind is EntryKind.TOOL
    assert split_points(entries, 7) == (2, 4)
    assert entries[4].kind is EntryKind.ASSISTANT


def test_split_points_nothing_to_do() -> None:
    ctx = BuiltHistory("sys")
    assert split_points(ctx.entries(), 0) is None  # no user message
    ctx.add_user("hi")
    ctx.add_assistant("hello")
    assert split_points(ctx.entries(), 1) is None  # only the tail remains
    assert split_points(ctx.entries(), 0) == (2, 3)
    assert split_points(busy_history().entries(), 100) is None


@pytest.mark.parametrize(
    ("threshold", "window", "expected"),
    [
        (170_000, None, 170_000),
        (170_000, 0, 170_000),
        (170_000, 200_000, 170_000),
        (170_000, 128_000, 115_200),
        (1_000, 200_000, 1_000),
        (10_000, 8_192, 7_372),
    ],
)
def test_effective_threshold_caps_at_ninety_percent_of_the_window(threshold, window, expected) -> None:
    assert effective_threshold(threshold, window) == expected


async def test_compact_replaces_the_middle_with_a_summary() -> None:
    ctx = busy_history()
    head = ctx.messages()[:2]
    tail = ctx.messages()[-4:]
    requests: list = []

    async def summarize(messages):
        requests.append(messages)
        return "  - the user asked two questions  "

    before = ctx.token_count()
    result = await plan_compaction(ctx, summarize, keep_recent=4)
    assert result is not None
    assert ctx.messages()[:2] + ctx.messages()[-4:] == head + tail and len(ctx) == 14  # planning changes nothing
    ctx.apply(result)
    assert result.old_tokens == before and result.new_tokens == ctx.token_count() < before
    assert result.removed_messages == 8 and result.start == 2
    messages = ctx.messages()
    assert messages[:2] == head and messages[-4:] == tail
    assert messages[2] == {"role": "user", "content": SUMMARY_PREFIX + "- the user asked two questions"}
    assert ctx.entries()[2].kind is EntryKind.SUMMARY
    [request] = requests
    assert request[0] == {"role": "system", "content": SUMMARY_INSTRUCTIONS}
    assert "ASSISTANT: looking" in request[1]["content"] and "-> called echo(" in request[1]["content"]
    assert "first question" not in request[1]["content"]  # the head is not summarised
    assert ctx.unanswered_tool_calls() == []


@pytest.mark.parametrize("failure", ["raise", "empty"])
async def test_compact_falls_back_to_a_digest(failure: str) -> None:
    ctx = busy_history()

    async def summarize(messages):
        if failure == "raise":
            raise RuntimeError("model down")
        return "   "

    result = await plan_compaction(ctx, summarize, keep_recent=4)
    assert result is not None and result.removed_messages == 8
    ctx.apply(result)
    summary = ctx.messages()[2]["content"]
    assert summary.startswith(SUMMARY_PREFIX)
    assert "(automatic digest; the model summary failed)" in summary
    assert "ASSISTANT: looking" in summary and "TOOL: r1" in summary


async def test_compact_with_nothing_to_do_returns_none_and_skips_the_model() -> None:
    ctx = BuiltHistory("sys")
    ctx.add_user("hi")
    ctx.add_assistant("hello")
    before = ctx.messages()
    called = False

    async def summarize(messages):
        nonlocal called
        called = True
        return "x"

    assert await plan_compaction(ctx, summarize, keep_recent=10) is None
    assert not called and ctx.messages() == before


def test_fallback_summary_is_bounded() -> None:
    ctx = BuiltHistory("sys")
    for i in range(200):
        ctx.add_user(f"message {i} " + "y" * 100)
    text = fallback_summary(ctx.entries()[1:], limit=1000)
    assert len(text) < 1100
    assert "message 0 " in text and "message 199 " in text and "characters omitted" in text


def test_transcript_lists_roles_and_calls() -> None:
    text = transcript(busy_history().entries()[1:4])
    assert text.splitlines() == [
        "USER: first question",
        "ASSISTANT: looking",
        '  -> called echo({"text": "x"})',
        "TOOL: r1",
    ]

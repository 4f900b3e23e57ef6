"""ContextManager: building, copies, token counts, tool-call repair, undo, load and reset."""

from __future__ import annotations

import pytest

from ml_intern_jupyter.agent.context import INTERRUPTED_RESULT, ContextManager, EntryKind, approx_tokens


def tool_call(call_id: str, name: str = "echo", arguments: str = '{"text": "x"}') -> dict:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


class CountingCounter:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, message: dict) -> int:
        self.calls += 1
        return 10


def test_starts_with_only_the_system_prompt() -> None:
    ctx = ContextManager("be helpful")
    assert ctx.messages() == [{"role": "system", "content": "be helpful"}]
    assert ctx.system_prompt == "be helpful" and len(ctx) == 1
    assert ctx.entries()[0].kind is EntryKind.SYSTEM


def test_add_builds_openai_messages_with_kinds() -> None:
    ctx = ContextManager("sys")
    ctx.add_user("hi")
    ctx.add_assistant("", [tool_call("c1")])
    ctx.add_tool_result("c1", "echo", "echo: x")
    ctx.add_user("[loop guard] stop", EntryKind.GUARD)
    ctx.add_assistant("done")
    assert ctx.messages()[1:] == [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": None, "tool_calls": [tool_call("c1")]},
        {"role": "tool", "tool_call_id": "c1", "name": "echo", "content": "echo: x"},
        {"role": "user", "content": "[loop guard] stop"},
        {"role": "assistant", "content": "done"},
    ]
    assert [e.kind for e in ctx.entries()] == [
        EntryKind.SYSTEM,
        EntryKind.USER,
        EntryKind.ASSISTANT,
        EntryKind.TOOL,
        EntryKind.GUARD,
        EntryKind.ASSISTANT,
    ]
    assert ctx.user_turns() == 1  # guard notes are not user turns


def test_messages_are_deep_copies() -> None:
    ctx = ContextManager("sys")
    ctx.add_assistant("", [tool_call("c1")])
    copy = ctx.messages()
    copy[1]["tool_calls"][0]["function"]["arguments"] = "changed"
    copy[0]["content"] = "changed"
    copy.append({"role": "user", "content": "extra"})
    assert ctx.messages()[1]["tool_calls"][0]["function"]["arguments"] == '{"text": "x"}'
    assert ctx.system_prompt == "sys" and len(ctx) == 2


def test_add_assistant_does_not_alias_the_callers_tool_calls() -> None:
    ctx = ContextManager("sys")
    call = tool_call("c1")
    ctx.add_assistant("", [call])
    call["function"]["arguments"] = "{broken"
    assert ctx.messages()[1]["tool_calls"][0]["function"]["arguments"] == '{"text": "x"}'


def test_token_count_is_cached_per_message() -> None:
    counter = CountingCounter()
    ctx = ContextManager("sys", counter)
    ctx.add_user("a")
    ctx.add_assistant("b")
    assert ctx.token_count() == 30 and counter.calls == 3
    assert ctx.token_count() == 30 and counter.calls == 3  # nothing recounted
    ctx.add_user("c")
    assert ctx.token_count() == 40 and counter.calls == 4  # only the new message


def test_approx_tokens_scales_with_length() -> None:
    short = approx_tokens({"role": "user", "content": "x"})
    long = approx_tokens({"role": "user", "content": "x" * 4000})
    assert short >= 1 and 900 < long < 1100


def test_unanswered_tool_calls_and_repair() -> None:
    ctx = ContextManager("sys")
    ctx.add_user("go")
    ctx.add_assistant("", [tool_call("c1"), tool_call("c2", "bash")])
    ctx.add_tool_result("c1", "echo", "ok")
    assert ctx.unanswered_tool_calls() == [("c2", "bash")]
    assert ctx.repair() == 1
    assert ctx.unanswered_tool_calls() == []
    last = ctx.messages()[-1]
    assert last == {"role": "tool", "tool_call_id": "c2", "name": "bash", "content": INTERRUPTED_RESULT}
    assert ctx.repair() == 0 and len(ctx) == 5


def test_repair_with_a_custom_note() -> None:
    ctx = ContextManager("sys")
    ctx.add_assistant("", [tool_call("a"), tool_call("b")])
    assert ctx.repair("[cancelled]") == 2
    assert [m["content"] for m in ctx.messages()[2:]] == ["[cancelled]", "[cancelled]"]


def test_undo_removes_the_last_user_turn_skipping_guards_and_summaries() -> None:
    ctx = ContextManager("sys")
    ctx.add_user("first")
    ctx.add_user("[summary of earlier]", EntryKind.SUMMARY)
    ctx.add_assistant("answer one")
    before = ctx.messages()
    ctx.add_user("second")
    ctx.add_assistant("", [tool_call("c1")])
    ctx.add_tool_result("c1", "echo", "r")
    ctx.add_user("[loop guard] change approach", EntryKind.GUARD)
    ctx.add_assistant("", [tool_call("c2")])
    ctx.add_tool_result("c2", "echo", "r")
    ctx.add_user("[summary]", EntryKind.SUMMARY)
    ctx.add_assistant("final")
    removed, text = ctx.undo()
    assert (removed, text) == (8, "second")
    assert ctx.messages() == before


def test_undo_twice_then_nothing_left() -> None:
    ctx = ContextManager("sys")
    ctx.add_user("one")
    ctx.add_assistant("a")
    ctx.add_user("two")
    assert ctx.undo() == (1, "two")
    assert ctx.undo() == (2, "one")
    assert ctx.undo() == (0, "")
    assert ctx.messages() == [{"role": "system", "content": "sys"}]


def test_undo_without_a_user_turn_changes_nothing() -> None:
    ctx = ContextManager("sys")
    ctx.add_user("[guard]", EntryKind.GUARD)
    ctx.add_user("[summary]", EntryKind.SUMMARY)
    ctx.add_assistant("hello")
    before = ctx.messages()
    assert ctx.undo() == (0, "")
    assert ctx.messages() == before


def test_load_replaces_history_after_the_system_prompt() -> None:
    ctx = ContextManager("sys")
    ctx.add_user("old")
    saved = [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": None, "tool_calls": [tool_call("c1")]},
        {"role": "tool", "tool_call_id": "c1", "name": "echo", "content": "r"},
    ]
    ctx.load(saved)
    assert ctx.messages() == [{"role": "system", "content": "sys"}, *saved]
    assert [e.kind for e in ctx.entries()[1:]] == [EntryKind.USER, EntryKind.ASSISTANT, EntryKind.TOOL]
    saved[1]["tool_calls"][0]["id"] = "mutated"
    assert ctx.messages()[2]["tool_calls"][0]["id"] == "c1"  # load deep-copies


def test_load_with_explicit_kinds_and_mismatched_lengths() -> None:
    ctx = ContextManager("sys")
    ctx.load([{"role": "user", "content": "note"}], [EntryKind.GUARD])
    assert ctx.entries()[1].kind is EntryKind.GUARD and ctx.user_turns() == 0
    with pytest.raises(ValueError):
        ctx.load([{"role": "user", "content": "a"}], [])


def test_reset_keeps_or_replaces_the_system_prompt() -> None:
    ctx = ContextManager("sys")
    ctx.add_user("hi")
    ctx.reset()
    assert ctx.messages() == [{"role": "system", "content": "sys"}]
    ctx.add_user("hi")
    ctx.reset("new prompt")
    assert ctx.messages() == [{"role": "system", "content": "new prompt"}]
    assert ctx.system_prompt == "new prompt"

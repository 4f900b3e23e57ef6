"""History: built only by applying events; kinds, ok, timestamps, usage, repair, undo, compaction, replay."""

from __future__ import annotations

from ml_intern_jupyter.agent.history import INTERRUPTED_RESULT, SUMMARY_PREFIX, EntryKind, History, replay
from ml_intern_jupyter.protocol import (
    AssistantMessage,
    Compacted,
    ErrorEvent,
    GuardNote,
    Interrupted,
    Processing,
    Ready,
    Resumed,
    SessionStarted,
    ToolOutput,
    UndoComplete,
)


def tool_call(call_id: str, name: str = "echo", arguments: str = '{"text": "x"}') -> dict:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def conversation() -> list:
    return [
        SessionStarted(system_prompt="sys", timestamp=1.0),
        Processing(user_message="hi", timestamp=2.0),
        AssistantMessage(tool_calls=(tool_call("c1"),), finish_reason="tool_calls", prompt_tokens=7, timestamp=3.0),
        ToolOutput(tool_call_id="c1", name="echo", output="echo: x", ok=False, timestamp=4.0),
        GuardNote(guard="loop", text="[loop guard] stop", timestamp=5.0),
        AssistantMessage(content="done", completion_tokens=2, timestamp=6.0),
    ]


class CountingCounter:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, message: dict) -> int:
        self.calls += 1
        return 10


def test_events_build_openai_messages_and_keep_kinds_ok_times_and_usage() -> None:
    history = replay(conversation())
    assert history.messages() == [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": None, "tool_calls": [tool_call("c1")]},
        {"role": "tool", "tool_call_id": "c1", "name": "echo", "content": "echo: x"},
        {"role": "user", "content": "[loop guard] stop"},
        {"role": "assistant", "content": "done"},
    ]
    entries = history.entries()
    assert [e.kind for e in entries] == [
        EntryKind.SYSTEM,
        EntryKind.USER,
        EntryKind.ASSISTANT,
        EntryKind.TOOL,
        EntryKind.GUARD,
        EntryKind.ASSISTANT,
    ]
    assert [e.timestamp for e in entries[1:]] == [2.0, 3.0, 4.0, 5.0, 6.0]
    assert entries[3].ok is False and history.failed_tool_calls() == frozenset({"c1"})
    assert entries[2].usage == (7, 0) and entries[2].finish_reason == "tool_calls"
    assert history.user_turns() == 1  # guard notes are not user turns


def test_events_that_do_not_touch_the_history_are_ignored() -> None:
    history = replay(conversation())
    before = history.messages()
    for event in (Ready(), ErrorEvent(kind="busy", message="busy"), Compacted(removed_messages=0)):
        history.apply(event)
    assert history.messages() == before


def test_messages_are_copies_the_history_cannot_be_changed_through() -> None:
    history = replay(conversation())
    copy = history.messages()
    copy[2]["tool_calls"][0]["function"]["arguments"] = "changed"
    copy[0]["content"] = "changed"
    assert history.messages()[2]["tool_calls"][0]["function"]["arguments"] == '{"text": "x"}'
    assert history.system_prompt == "sys"


def test_token_counts_are_cached_per_entry_and_dropped_with_a_new_counter() -> None:
    counter = CountingCounter()
    history = History("sys", counter)
    for event in conversation()[1:]:
        history.apply(event)
    assert history.token_count() == 60 and counter.calls == 6
    assert history.token_count() == 60 and counter.calls == 6
    history.apply(Processing(user_message="more"))
    assert history.token_count() == 70 and counter.calls == 7
    other = CountingCounter()
    history.set_counter(other)
    assert history.token_count() == 70 and other.calls == 7


def test_interrupt_repairs_unanswered_calls_and_keeps_partial_text() -> None:
    history = replay(
        [
            SessionStarted(system_prompt="sys"),
            Processing(user_message="go"),
            AssistantMessage(tool_calls=(tool_call("a"), tool_call("b"))),
            ToolOutput(tool_call_id="a", name="echo", output="done"),
            Interrupted(partial_text=""),
        ]
    )
    assert history.unanswered_tool_calls() == []
    last = history.messages()[-1]
    assert (last["tool_call_id"], last["content"]) == ("b", INTERRUPTED_RESULT)
    assert history.entries()[-1].ok is False
    history.apply(Processing(user_message="next"))
    history.apply(Interrupted(partial_text="half a rep"))
    assert history.messages()[-1] == {"role": "assistant", "content": "half a rep\n[interrupted]"}


def test_only_an_internal_error_repairs_a_busy_refusal_never_does() -> None:
    events = [SessionStarted(), Processing(user_message="go"), AssistantMessage(tool_calls=(tool_call("w"),))]
    waiting = replay([*events, ErrorEvent(kind="busy", message="Cannot undo while the agent is working.")])
    assert waiting.unanswered_tool_calls() == [("w", "echo")]  # the call still waits for its approval
    failed = replay([*events, ErrorEvent(kind="internal", message="bug")])
    assert failed.unanswered_tool_calls() == []


def test_undo_removes_from_the_last_real_user_message_skipping_guard_notes() -> None:
    history = replay(conversation())
    removed, text = history.last_user_turn()
    assert (removed, text) == (5, "hi")
    history.apply(UndoComplete(removed_messages=removed, user_message=text))
    assert history.messages() == [{"role": "system", "content": "sys"}]
    assert History("sys").last_user_turn() == (0, "")


def test_compaction_replaces_the_middle_with_the_summary() -> None:
    history = replay(conversation())
    history.apply(Compacted(start=2, removed_messages=3, summary="they echoed"))
    messages = history.messages()
    assert messages[2] == {"role": "user", "content": SUMMARY_PREFIX + "they echoed"}
    assert [m["role"] for m in messages] == ["system", "user", "user", "assistant"]
    assert history.entries()[2].kind is EntryKind.SUMMARY


def test_resumed_messages_replace_the_history_and_get_their_kinds_back() -> None:
    history = replay(conversation())
    restored = (
        {"role": "user", "content": "old question"},
        {"role": "user", "content": "[length guard] continue"},
        {"role": "assistant", "content": None, "tool_calls": [tool_call("z")]},
    )
    history.apply(Resumed(messages=restored))
    assert history.system_prompt == "sys"  # the session keeps its own prompt
    assert [e.kind for e in history.entries()] == [
        EntryKind.SYSTEM,
        EntryKind.USER,
        EntryKind.GUARD,
        EntryKind.ASSISTANT,
        EntryKind.TOOL,  # the unanswered call got its placeholder
    ]


def test_a_new_conversation_starts_over() -> None:
    history = replay([*conversation(), SessionStarted(system_prompt="fresh")])
    assert history.messages() == [{"role": "system", "content": "fresh"}]

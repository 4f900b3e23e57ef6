"""restore_messages: saved histories are cleaned before they go back into a session."""

from __future__ import annotations

import pytest

from ml_intern_jupyter.agent.history import INTERRUPTED_RESULT, History
from ml_intern_jupyter.agent.resume import restore_messages
from ml_intern_jupyter.protocol import Resumed


def tool_call(call_id: str, name: str = "echo") -> dict:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": "{}"}}


def test_a_clean_history_is_kept_as_is_without_notes() -> None:
    saved = [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": None, "tool_calls": [tool_call("c1")]},
        {"role": "tool", "tool_call_id": "c1", "name": "echo", "content": "r"},
        {"role": "assistant", "content": "done"},
    ]
    kept, notes = restore_messages(saved)
    assert kept == saved and notes == []


def test_system_messages_are_skipped_silently() -> None:
    kept, notes = restore_messages([{"role": "system", "content": "old prompt"}, {"role": "user", "content": "hi"}])
    assert kept == [{"role": "user", "content": "hi"}] and notes == []


@pytest.mark.parametrize(
    "bad",
    [
        {"role": "developer", "content": "x"},
        {"role": "function", "name": "f", "content": "x"},
        {"content": "no role"},
        {"role": "user", "content": None},
        {"role": "user", "content": 42},
        "not a dict",
        None,
    ],
)
def test_bad_messages_are_dropped_with_a_note_naming_the_index(bad) -> None:
    kept, notes = restore_messages([{"role": "user", "content": "hi"}, bad, {"role": "assistant", "content": "ok"}])
    assert kept == [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "ok"}]
    assert len(notes) == 1 and notes[0].startswith("message 1: dropped")


def test_malformed_tool_calls_are_dropped_and_counted() -> None:
    saved = [
        {"role": "user", "content": "go"},
        {
            "role": "assistant",
            "content": "calling",
            "tool_calls": [
                tool_call("good"),
                {"id": "no-function"},
                {"id": 7, "function": {"name": "echo", "arguments": "{}"}},
                {"id": "parsed", "function": {"name": "echo", "arguments": {"already": "parsed"}}},
                "junk",
            ],
        },
        {"role": "tool", "tool_call_id": "good", "content": "r"},
        {"role": "tool", "tool_call_id": "no-function", "content": "orphan"},
    ]
    kept, notes = restore_messages(saved)
    assert kept[1] == {"role": "assistant", "content": "calling", "tool_calls": [tool_call("good")]}
    assert kept[2] == {"role": "tool", "tool_call_id": "good", "name": "echo", "content": "r"}
    assert len(kept) == 3
    assert notes == [
        "message 1: dropped 4 malformed tool call(s)",
        "message 3: dropped (role 'tool' cannot be restored here)",
    ]


def test_unanswered_calls_are_closed_before_the_next_message() -> None:
    saved = [
        {"role": "user", "content": "go"},
        {"role": "assistant", "content": None, "tool_calls": [tool_call("a"), tool_call("b", "bash")]},
        {"role": "tool", "tool_call_id": "a", "content": "ra"},
        {"role": "user", "content": "next"},
        {"role": "assistant", "content": None, "tool_calls": [tool_call("c")]},
    ]
    kept, notes = restore_messages(saved)
    assert [m["role"] for m in kept] == ["user", "assistant", "tool", "tool", "user", "assistant", "tool"]
    assert kept[3] == {"role": "tool", "tool_call_id": "b", "name": "bash", "content": INTERRUPTED_RESULT}
    assert kept[6] == {"role": "tool", "tool_call_id": "c", "name": "echo", "content": INTERRUPTED_RESULT}
    assert notes == []
    history = History("sys")
    history.apply(Resumed(messages=tuple(kept)))
    assert history.unanswered_tool_calls() == []


def test_tool_results_need_an_open_call() -> None:
    saved = [
        {"role": "tool", "tool_call_id": "ghost", "content": "before any call"},
        {"role": "assistant", "content": None, "tool_calls": [tool_call("a")]},
        {"role": "tool", "tool_call_id": "a", "content": "first"},
        {"role": "tool", "tool_call_id": "a", "content": "duplicate"},
    ]
    kept, notes = restore_messages(saved)
    assert [m.get("content") for m in kept] == [None, "first"]
    assert [n.split(":")[0] for n in notes] == ["message 0", "message 3"]


def test_content_parts_become_text_and_the_tool_name_comes_from_the_call() -> None:
    saved = [
        {"role": "user", "content": [{"type": "text", "text": "look "}, {"type": "text", "text": "here"}]},
        {"role": "assistant", "content": None, "tool_calls": [tool_call("a", "read")]},
        {"role": "tool", "tool_call_id": "a", "name": "wrong-name", "content": [{"type": "text", "text": "data"}]},
    ]
    kept, _ = restore_messages(saved)
    assert kept[0] == {"role": "user", "content": "look here"}
    assert kept[2] == {"role": "tool", "tool_call_id": "a", "name": "read", "content": "data"}


def test_extra_keys_are_not_carried_over() -> None:
    kept, _ = restore_messages([{"role": "user", "content": "hi", "timestamp": 1, "cache_control": {}}])
    assert kept == [{"role": "user", "content": "hi"}]


@pytest.mark.parametrize(
    "bad",
    [
        {"role": "assistant", "content": "x", "tool_calls": 5},
        {"role": "tool", "tool_call_id": ["a"], "content": "x"},
    ],
)
def test_corrupted_fields_do_not_crash(bad) -> None:
    kept, notes = restore_messages([{"role": "user", "content": "hi"}, bad])
    assert kept[0] == {"role": "user", "content": "hi"} and notes

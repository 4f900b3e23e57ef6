"""Session.submit() for every operation, event stamping, sinks, and the protocol's event set."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging

import pytest

from ml_intern_jupyter import protocol
from ml_intern_jupyter.agent.history import INTERRUPTED_RESULT
from ml_intern_jupyter.protocol import (
    EVENT_TYPES,
    Compact,
    Compacted,
    Event,
    ExecApproval,
    Interrupt,
    New,
    Operation,
    Resume,
    Shutdown,
    ToolState,
    Undo,
    UndoComplete,
    UserInput,
)

from ..conftest import Recorder, SlowTool

SEED_EVENTS = {
    "processing",
    "ready",
    "assistant_chunk",
    "assistant_message",
    "assistant_stream_end",
    "tool_call",
    "tool_output",
    "tool_log",
    "tool_state_change",
    "approval_required",
    "turn_complete",
    "error",
    "interrupted",
    "compacted",
    "undo_complete",
    "shutdown",
}
OPERATIONS = {"user_input", "exec_approval", "interrupt", "compact", "undo", "new", "resume", "shutdown"}
OUR_OPERATIONS = {"set_model", "set_yolo"}
OUR_EVENTS = {
    "plan_update",
    "session_started",
    "tool_display",
    "guard_note",
    "resumed",
    "settings_changed",
    "usage_update",
    "notice",
}


def call(name: str, **arguments) -> dict:
    return {"name": name, "arguments": arguments}


# ----------------------------------------------------------------- routing


async def test_user_input_runs_a_turn(make_session) -> None:
    session, rec = make_session([{"text": "hello"}])
    outcome = await session.submit(UserInput("hi"))
    assert outcome.stop_reason == "done" and outcome.final_text == "hello"
    assert rec.types()[:2] == ["session_started", "processing"] and rec.types()[-1] == "ready"


async def test_compact_on_a_short_history_reports_nothing_removed(make_session) -> None:
    session, rec = make_session([{"text": "hello"}])
    await session.submit(UserInput("hi"))
    before = session.history.messages()
    result = await session.submit(Compact())
    assert isinstance(result, Compacted)
    assert result.removed_messages == 0 and result.old_tokens == result.new_tokens > 0
    assert rec.of("compacted") == [result]
    assert session.history.messages() == before


async def test_compact_with_a_long_history_summarises(make_session) -> None:
    session, rec = make_session(
        [{"text": "a"}, {"text": "b"}, {"text": "c"}, {"text": "SUMMARY"}], compaction_keep_recent=1
    )
    for text in ("one", "two", "three"):
        await session.submit(UserInput(text))
    result = await session.submit(Compact())
    assert result.removed_messages == 4 and result.new_tokens < result.old_tokens
    assert rec.of("compacted") == [result]
    assert "SUMMARY" in session.history.messages()[2]["content"]


async def test_undo_removes_the_last_turn(make_session) -> None:
    session, rec = make_session([{"text": "first"}, {"text": "second"}])
    await session.submit(UserInput("one"))
    before = session.history.messages()
    await session.submit(UserInput("two"))
    result = await session.submit(Undo())
    assert isinstance(result, UndoComplete)
    assert (result.removed_messages, result.user_message) == (2, "two")
    assert session.history.messages() == before
    assert rec.of("undo_complete") == [result]


async def test_undo_with_nothing_to_undo(make_session) -> None:
    session, _ = make_session([])
    result = await session.submit(Undo())
    assert (result.removed_messages, result.user_message) == (0, "")
    assert len(session.history) == 1


async def test_new_gives_a_new_id_and_an_empty_history(make_session) -> None:
    session, rec = make_session([{"text": "hello"}])
    old_id = session.id
    await session.submit(UserInput("hi"))
    new_id = await session.submit(New())
    assert new_id == session.id != old_id
    assert [m["role"] for m in session.history.messages()] == ["system"]
    started, ready = rec.events[-2:]
    assert (started.type, started.session_id, started.seq) == ("session_started", new_id, 1)
    assert (ready.type, ready.session_id, ready.seq) == ("ready", new_id, 2)


async def test_resume_restores_messages_and_reports_dropped_ones(make_session) -> None:
    session, rec = make_session([{"text": "continuing"}])
    saved = (
        {"role": "system", "content": "old system prompt"},
        {"role": "user", "content": "earlier question"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "echo", "arguments": '{"text": "x"}'}}
            ],
        },
        {"role": "developer", "content": "not restorable"},
        {"role": "assistant", "content": "earlier answer"},
    )
    event = await session.submit(Resume(messages=saved))
    assert event.notes == ("message 3: dropped (role 'developer' cannot be restored here)",)
    assert event.restored_messages == 4
    messages = session.history.messages()
    assert messages[0]["content"] != "old system prompt"  # the session keeps its own prompt
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "tool", "assistant"]
    assert messages[3]["content"] == INTERRUPTED_RESULT
    assert rec.events[-1].type == "resumed" and rec.events[-1].session_id == session.id
    outcome = await session.submit(UserInput("go on"))
    assert outcome.final_text == "continuing"


async def test_interrupt_and_approval_when_idle(make_session) -> None:
    session, rec = make_session([])
    assert await session.submit(Interrupt()) is False
    assert await session.submit(ExecApproval("nope", approved=True)) is False
    assert rec.types() == ["session_started"]


async def test_shutdown_then_input_is_refused(make_session) -> None:
    session, rec = make_session([{"text": "never"}])
    await session.submit(Shutdown())
    assert rec.types() == ["session_started", "shutdown"]
    outcome = await session.submit(UserInput("hello?"))
    assert outcome.stop_reason != "done" and not outcome.ok
    [error] = rec.of("error")
    assert error.kind == "closed" and error.fix
    assert await session.submit(Undo()) is None
    assert await session.submit(Compact()) is None
    assert len(rec.of("error")) == 3
    assert "processing" not in rec.types()
    assert [m["role"] for m in session.history.messages()] == ["system"]


async def test_shutdown_interrupts_a_running_turn(make_session) -> None:
    slow = SlowTool()
    session, rec = make_session([{"tool_calls": [call("slow")]}], tools=[slow.spec()])
    turn = asyncio.create_task(session.submit(UserInput("sleep")))
    await asyncio.wait_for(slow.started.wait(), 5)
    await asyncio.wait_for(session.submit(Shutdown()), 5)
    outcome = await turn
    assert outcome.stop_reason == "interrupted" and slow.cancelled
    assert rec.types()[-1] == "shutdown" and "interrupted" in rec.types()
    assert session.history.unanswered_tool_calls() == []
    assert ToolState.CANCELLED in [e.state for e in rec.of("tool_state_change")]


async def test_unknown_operation_is_a_type_error(make_session) -> None:
    session, _ = make_session([])
    with pytest.raises(TypeError, match="unknown operation"):
        await session.submit(Operation())


# ----------------------------------------------------------------- emit


async def test_emit_survives_a_sink_that_raises(make_session, caplog) -> None:
    session, rec = make_session([{"text": "fine"}])
    broken_calls: list[str] = []

    def broken(event: Event) -> None:
        broken_calls.append(event.type)
        raise RuntimeError("renderer bug")

    later = Recorder()
    session.add_sink(broken)
    session.add_sink(later)
    with caplog.at_level(logging.ERROR):
        outcome = await session.submit(UserInput("hi"))
    assert outcome.final_text == "fine"
    assert later.types() == rec.types()[1:] == broken_calls  # both joined after session_started
    assert "renderer bug" in caplog.text


async def test_events_carry_increasing_seq_and_the_session_id(make_session) -> None:
    session, rec = make_session([{"text": "a"}, {"text": "b"}])
    stamped = session.emit(protocol.Ready())
    assert stamped.seq == 2 and stamped.session_id == session.id  # 1 is session_started
    await session.submit(UserInput("one"))
    await session.submit(Undo())
    await session.submit(UserInput("two"))
    assert [e.seq for e in rec.events] == list(range(1, len(rec.events) + 1))
    assert {e.session_id for e in rec.events} == {session.id}


async def test_removed_sink_gets_nothing(make_session) -> None:
    session, rec = make_session([{"text": "a"}])
    session.remove_sink(rec)
    session.remove_sink(rec)  # removing twice is harmless
    await session.submit(UserInput("hi"))
    assert rec.types() == ["session_started"]  # emitted before the sink was removed


# ----------------------------------------------------------------- protocol


def test_protocol_has_the_sixteen_seed_events_plus_ours() -> None:
    names = [cls.type for cls in EVENT_TYPES]
    assert len(names) == len(set(names)) == 16 + len(OUR_EVENTS)
    assert [n for n in names[:16]] == [n for n in names if n in SEED_EVENTS]
    assert set(names) == SEED_EVENTS | OUR_EVENTS
    assert set(Event.__subclasses__()) == set(EVENT_TYPES)


@pytest.mark.parametrize("cls", EVENT_TYPES, ids=lambda c: c.type)
def test_every_event_is_documented_and_json_serialisable(cls) -> None:
    doc = cls.__dict__.get("__doc__") or ""
    assert doc.strip() and not doc.startswith(cls.__name__ + "(")  # not dataclass's generated text
    event = cls()
    data = event.to_dict()
    assert data["type"] == cls.type and {"seq", "session_id", "timestamp"} <= set(data)
    assert set(data) == {"type"} | {f.name for f in dataclasses.fields(cls)}
    loaded = json.loads(json.dumps(data))  # raises if anything is not JSON-serialisable
    assert set(loaded) == set(data) and loaded["type"] == cls.type
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.seq = 5  # type: ignore[misc]


def test_to_dict_with_payloads() -> None:
    event = protocol.ToolStateChange(tool_call_id="c", name="bash", state=ToolState.REJECTED, seq=3)
    assert event.to_dict()["state"] == "rejected"
    message = protocol.AssistantMessage(
        content="x", tool_calls=({"id": "c", "function": {"name": "n", "arguments": "{}"}},)
    )
    assert json.loads(json.dumps(message.to_dict()))["tool_calls"][0]["id"] == "c"
    plan = protocol.PlanUpdate(todos=({"content": "step", "status": "pending"},))
    assert json.loads(json.dumps(plan.to_dict()))["todos"] == [{"content": "step", "status": "pending"}]


def test_operations_cover_the_foundation_list_and_are_documented() -> None:
    ops = Operation.__subclasses__()
    assert {op.op for op in ops} == OPERATIONS | OUR_OPERATIONS and len(ops) == len(OPERATIONS | OUR_OPERATIONS)
    for op in ops:
        doc = op.__dict__.get("__doc__") or ""
        assert doc.strip() and not doc.startswith(op.__name__ + "(")

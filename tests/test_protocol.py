"""Operations and events round-trip through JSON; malformed JSON is refused with a reason."""

from __future__ import annotations

import dataclasses
import json

import pytest

from ml_intern_jupyter import protocol
from ml_intern_jupyter.protocol import (
    EVENT_TYPES,
    OPERATION_TYPES,
    PROTOCOL_VERSION,
    ApprovalScope,
    AssistantMessage,
    ExecApproval,
    ProtocolError,
    ToolState,
    ToolStateChange,
    TurnOptions,
    UserInput,
    event_from_dict,
    operation_from_dict,
)

REQUIRED = {"text": "hi", "tool_call_id": "c1", "approved": True, "model": "scripted/x.json", "enabled": True}


def _through_json(data: dict) -> dict:
    return json.loads(json.dumps(data))


@pytest.mark.parametrize("cls", EVENT_TYPES, ids=lambda c: c.type)
def test_every_event_round_trips(cls) -> None:
    event = cls(seq=7, session_id="s1", timestamp=12.5)
    assert event_from_dict(_through_json(event.to_dict())) == event


@pytest.mark.parametrize("cls", OPERATION_TYPES, ids=lambda c: c.op)
def test_every_operation_round_trips(cls) -> None:
    required = {
        f.name: REQUIRED[f.name]
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    operation = cls(**required)
    assert operation_from_dict(_through_json(operation.to_dict())) == operation


def test_payloads_round_trip_with_tuples_enums_and_nested_options() -> None:
    message = AssistantMessage(
        content="done",
        tool_calls=({"id": "a", "type": "function", "function": {"name": "python", "arguments": "{}"}},),
        finish_reason="tool_calls",
        prompt_tokens=10,
        completion_tokens=3,
    )
    assert event_from_dict(_through_json(message.to_dict())) == message
    state = ToolStateChange(tool_call_id="a", name="python", state=ToolState.REJECTED)
    assert event_from_dict(_through_json(state.to_dict())).state is ToolState.REJECTED
    turn = UserInput("go", TurnOptions(model="m", max_iterations=3, stream=False, yolo=True))
    assert turn.to_dict()["options"] == {"model": "m", "max_iterations": 3, "stream": False, "yolo": True}
    assert operation_from_dict(_through_json(turn.to_dict())) == turn
    approval = ExecApproval("a", True, edited_arguments={"code": "x = 1"}, scope=ApprovalScope.SESSION)
    assert operation_from_dict(_through_json(approval.to_dict())) == approval


def test_the_version_is_checked_when_given() -> None:
    assert PROTOCOL_VERSION == 1
    assert operation_from_dict({"op": "interrupt", "v": PROTOCOL_VERSION}) == protocol.Interrupt()
    with pytest.raises(ProtocolError, match="version 99"):
        operation_from_dict({"op": "interrupt", "v": 99})


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ([1, 2], "must be an object"),
        ({"op": "launch"}, "unknown operation 'launch'"),
        ({"op": "user_input"}, "missing required field 'text'"),
        ({"op": "user_input", "text": 5}, "user_input.text: expected str"),
        ({"op": "user_input", "text": "x", "surprise": 1}, "unknown field"),
        ({"op": "user_input", "text": "x", "options": {"max_iterations": "3"}}, "expected an integer"),
        ({"op": "exec_approval", "tool_call_id": "c", "approved": "yes"}, "expected bool"),
        ({"op": "exec_approval", "tool_call_id": "c", "approved": True, "scope": "forever"}, "not one of"),
        ({"op": "resume", "messages": "not a list"}, "expected a list"),
    ],
)
def test_malformed_operations_are_refused_with_a_reason(data, reason) -> None:
    with pytest.raises(ProtocolError, match=reason):
        operation_from_dict(data)


def test_malformed_events_are_refused() -> None:
    with pytest.raises(ProtocolError, match="unknown event type"):
        event_from_dict({"type": "telepathy"})
    with pytest.raises(ProtocolError, match="expected an integer"):
        event_from_dict({"type": "turn_complete", "iterations": 1.5})
    with pytest.raises(ProtocolError, match="object of strings"):
        event_from_dict({"type": "approval_required", "details": {"server": 3}})

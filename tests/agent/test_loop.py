"""The agentic loop, driven end to end by the scripted model."""

from __future__ import annotations

import asyncio
import json
import time

from ml_intern_jupyter.agent.history import EntryKind
from ml_intern_jupyter.protocol import ApprovalScope, ExecApproval, Interrupt, ToolState, Undo, UserInput

from ..conftest import GENEROUS_SECONDS, RiskyTool, SlowTool, echo_tool, say


def call(name: str, **arguments):
    return {"name": name, "arguments": arguments}


async def test_loop_with_tool_calls_runs_tools_and_feeds_results_back(make_session):
    session, rec = make_session(
        [
            {"text": "Let me echo that for you.", "tool_calls": [call("echo", text="hi")]},
            {"text": "The tool said: echo: hi"},
        ]
    )
    outcome = await session.submit(UserInput("say hi"))

    assert outcome.stop_reason == "done"
    assert outcome.final_text == "The tool said: echo: hi"
    assert outcome.iterations == 2
    types = rec.types()
    assert types[:2] == ["session_started", "processing"]
    assert types[-2:] == ["turn_complete", "ready"]
    assert types.index("assistant_chunk") < types.index("assistant_stream_end") < types.index("assistant_message")
    assert types.index("tool_call") < types.index("tool_log") < types.index("tool_output")
    assert [e.seq for e in rec.events] == list(range(1, len(rec.events) + 1))
    assert all(e.session_id == session.id for e in rec.events)
    states = [e.state for e in rec.of("tool_state_change")]
    assert states == [ToolState.RUNNING, ToolState.DONE]
    chunks = "".join(e.content for e in rec.of("assistant_chunk"))
    assert chunks == "Let me echo that for you.The tool said: echo: hi"

    roles = [m["role"] for m in session.history.messages()]
    assert roles == ["system", "user", "assistant", "tool", "assistant"]
    tool_msg = session.history.messages()[3]
    assert tool_msg["content"] == "echo: hi"
    assert tool_msg["tool_call_id"] == session.history.messages()[2]["tool_calls"][0]["id"]
    complete = rec.of("turn_complete")[0]
    assert complete.prompt_tokens > 0 and complete.completion_tokens > 0


async def test_conversation_continues_across_turns(make_session):
    session, _ = make_session([{"text": "first"}, {"text": "second"}])
    await say(session, "one")
    outcome = await say(session, "two")
    assert outcome.final_text == "second"
    assert [m["role"] for m in session.history.messages()] == ["system", "user", "assistant", "user", "assistant"]


async def test_rejected_approval_sends_feedback_to_the_model(make_session):
    risky = RiskyTool()
    session, rec = make_session(
        [{"tool_calls": [call("risky", code="rm -rf /")]}, {"text": "Understood, I will not."}],
        tools=[risky.spec()],
    )

    def reject(event):
        if event.type == "approval_required":
            decision = ExecApproval(event.tool_call_id, approved=False, feedback="never delete files")
            asyncio.get_running_loop().create_task(session.submit(decision))

    session.add_sink(reject)
    outcome = await say(session, "clean up")

    assert outcome.stop_reason == "done"
    assert risky.calls == []
    result = session.history.messages()[3]
    assert result["role"] == "tool"
    assert "rejected" in result["content"] and "never delete files" in result["content"]
    states = [e.state for e in rec.of("tool_state_change")]
    assert states == [ToolState.PENDING_APPROVAL, ToolState.REJECTED]
    approval = rec.of("approval_required")[0]
    assert approval.arguments == {"code": "rm -rf /"} and approval.reason == "runs code"


async def test_approval_waits_for_a_later_decision_and_runs_edited_arguments(make_session):
    risky = RiskyTool()
    session, rec = make_session(
        [{"tool_calls": [call("risky", code="print(1)")]}, {"text": "done"}], tools=[risky.spec()]
    )
    turn = asyncio.create_task(say(session, "go"))
    while not rec.of("approval_required"):
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    assert not turn.done() and risky.calls == []
    call_id = rec.of("approval_required")[0].tool_call_id
    assert await session.submit(ExecApproval(call_id, approved=True, edited_arguments={"code": "print(2)"}))
    outcome = await turn
    assert outcome.stop_reason == "done"
    assert risky.calls == [{"code": "print(2)"}]
    assert "edited the arguments" in session.history.messages()[3]["content"]


async def test_yolo_and_approve_all_skip_the_question(make_session):
    risky = RiskyTool()
    session, _rec = make_session(
        [{"tool_calls": [call("risky", code="a"), call("risky", code="b")]}, {"text": "ok"}],
        tools=[risky.spec()],
    )

    def approve_all(event):
        if event.type == "approval_required":
            decision = ExecApproval(event.tool_call_id, approved=True, scope=ApprovalScope.SESSION)
            asyncio.get_running_loop().create_task(session.submit(decision))

    session.add_sink(approve_all)
    await say(session, "go")
    assert sorted(c["code"] for c in risky.calls) == ["a", "b"]
    assert session.status().yolo is True
    session2, rec2 = make_session(
        [{"tool_calls": [call("risky", code="c")]}, {"text": "ok"}], tools=[risky.spec()], yolo=True
    )
    await say(session2, "go")
    assert rec2.of("approval_required") == []


async def test_doom_loop_guard_injects_a_corrective_message(make_session):
    same = {"tool_calls": [call("echo", text="again")]}
    session, _ = make_session([same, same, same, {"text": "I changed approach."}])
    outcome = await say(session, "loop")
    assert outcome.stop_reason == "done"
    guards = [e for e in session.history.entries() if e.kind is EntryKind.GUARD]
    assert len(guards) == 1
    assert "loop guard" in guards[0].message["content"] and "`echo`" in guards[0].message["content"]
    assert session.guards.fired == 1


async def test_repeating_sequence_is_detected(make_session):
    a = {"tool_calls": [call("echo", text="a")]}
    b = {"tool_calls": [call("echo", text="b")]}
    session, _ = make_session([a, b, a, b, a, b, {"text": "stop"}])
    await say(session, "pattern")
    guards = [e.message["content"] for e in session.history.entries() if e.kind is EntryKind.GUARD]
    assert len(guards) == 1 and "sequence of 2 tool calls" in guards[0]


async def test_malformed_arguments_and_unknown_tools_become_tool_errors(make_session):
    session, rec = make_session(
        [
            {"tool_calls": [{"name": "echo", "arguments": '{"text": "unterminated'}]},
            {"tool_calls": [call("nope", x=1), call("echo", wrong=1)]},
            {"text": "recovered"},
        ]
    )
    outcome = await say(session, "try")
    assert outcome.stop_reason == "done" and outcome.final_text == "recovered"
    outputs = rec.of("tool_output")
    assert "not valid JSON" in outputs[0].output and not outputs[0].ok
    assert "unknown tool 'nope'" in outputs[1].output and "echo" in outputs[1].output
    assert "invalid arguments for echo" in outputs[2].output
    for message in session.history.messages():
        for tc in message.get("tool_calls") or []:
            json.loads(tc["function"]["arguments"])  # history always holds valid JSON
    assert session.history.unanswered_tool_calls() == []


async def test_rate_limit_is_retried_then_succeeds(make_session):
    session, rec = make_session([{"error": "rate_limit"}, {"error": "server_error"}, {"text": "made it"}])
    outcome = await say(session, "hi")
    assert outcome.stop_reason == "done" and outcome.final_text == "made it"
    assert rec.of("error") == []


async def test_auth_error_gives_one_clear_error_and_takes_the_unanswered_message_out(make_session):
    session, rec = make_session([{"error": "auth"}, {"text": "after fixing the key"}])
    outcome = await say(session, "hi")
    assert outcome.stop_reason == "error"
    errors = rec.of("error")
    assert len(errors) == 1 and errors[0].kind == "auth"
    assert "API key" in errors[0].fix and errors[0].remedies == ("model",)
    assert "taken out of the history" in errors[0].message
    assert [m["role"] for m in session.history.messages()] == ["system"]
    [undo] = rec.of("undo_complete")
    assert undo.reason == "model_error" and undo.user_message == "hi"
    assert (await say(session, "again")).final_text == "after fixing the key"


async def test_context_window_error_says_what_to_do(make_session):
    session, rec = make_session([{"error": "context_window"}])
    outcome = await say(session, "hi")
    assert outcome.stop_reason == "error"
    [error] = rec.of("error")
    assert error.kind == "context_window" and "Compact" in error.fix
    assert error.remedies == ("compact", "undo", "new")


async def test_running_out_of_script_is_a_clear_error(make_session):
    session, rec = make_session([{"text": "only one"}])
    await say(session, "a")
    outcome = await say(session, "b")
    assert outcome.stop_reason == "error"
    [error] = rec.of("error")
    assert "all were used" in error.message


async def test_finish_reason_length_asks_the_model_to_continue(make_session):
    session, _ = make_session([{"text": "part one…", "finish_reason": "length"}, {"text": "part two."}])
    outcome = await say(session, "write a lot")
    assert outcome.final_text == "part two." and outcome.iterations == 2
    guards = [e for e in session.history.entries() if e.kind is EntryKind.GUARD]
    assert len(guards) == 1 and "cut off" in guards[0].message["content"]


async def test_max_iterations_stops_the_turn(make_session):
    turns = [{"tool_calls": [call("echo", text=str(i))]} for i in range(5)]
    session, rec = make_session(turns, max_iterations=2)
    outcome = await say(session, "forever")
    assert outcome.stop_reason == "max_iterations" and outcome.iterations == 2
    assert rec.of("turn_complete")[0].stop_reason == "max_iterations"
    assert session.history.unanswered_tool_calls() == []


async def test_no_stream_emits_whole_messages_only(make_session):
    session, rec = make_session([{"text": "whole reply here"}], stream=False)
    await say(session, "hi")
    assert rec.of("assistant_chunk") == [] and rec.of("assistant_stream_end") == []
    assert rec.of("assistant_message")[0].content == "whole reply here"


async def test_compaction_with_low_threshold_keeps_head_and_tail(make_session):
    filler = "x " * 1000  # ~500 tokens per reply
    probe, _ = make_session([])
    system_tokens = probe.history.token_count()
    session, rec = make_session(
        [
            {"text": "reply one " + filler},
            {"text": "reply two " + filler},
            {"text": "SUMMARY: user asked three things."},  # consumed by the summariser
            {"text": "reply three"},
        ],
        compaction_threshold=system_tokens + 700,  # passed only before the third turn
        compaction_keep_recent=1,
    )
    await say(session, "first question")
    await say(session, "second question")
    await say(session, "third question")
    [compacted] = rec.of("compacted")
    assert compacted.old_tokens > compacted.new_tokens > 0
    messages = session.history.messages()
    assert messages[0]["role"] == "system"
    assert messages[1] == {"role": "user", "content": "first question"}
    assert "SUMMARY: user asked three things." in messages[2]["content"]
    assert messages[-1]["content"] == "reply three"
    assert messages[-2] == {"role": "user", "content": "third question"}


async def test_undo_after_a_guard_message_removes_the_whole_user_turn(make_session):
    same = {"tool_calls": [call("echo", text="again")]}
    session, rec = make_session([{"text": "first answer"}, same, same, same, {"text": "changed"}])
    await say(session, "first")
    before = session.history.messages()
    await say(session, "loop please")
    assert any(e.kind is EntryKind.GUARD for e in session.history.entries())
    result = await session.submit(Undo())
    assert result.user_message == "loop please"
    assert session.history.messages() == before
    assert rec.of("undo_complete")[0].removed_messages == result.removed_messages > 5


async def test_interrupt_during_slow_tool_is_fast_and_leaves_history_consistent(make_session):
    slow = SlowTool()
    session, rec = make_session(
        [
            {"tool_calls": [call("slow", seconds=30), call("echo", text="quick")]},
            {"text": "after the interrupt"},
        ],
        tools=[slow.spec(), echo_tool()],
    )
    turn = asyncio.create_task(say(session, "sleep"))
    await asyncio.wait_for(slow.started.wait(), 5)
    await asyncio.sleep(0.05)
    start = time.monotonic()
    assert await session.submit(Interrupt()) is True
    outcome = await turn
    elapsed = time.monotonic() - start
    assert elapsed < GENEROUS_SECONDS
    assert outcome.stop_reason == "interrupted" and slow.cancelled
    assert rec.of("interrupted") and rec.types()[-1] == "ready"
    assert session.history.unanswered_tool_calls() == []
    results = {m["tool_call_id"]: m["content"] for m in session.history.messages() if m["role"] == "tool"}
    assert sorted(results.values(), key=len)[0] == "echo: quick"
    assert any("interrupted" in text for text in results.values())
    assert ToolState.CANCELLED in [e.state for e in rec.of("tool_state_change")]
    assert (await say(session, "continue")).final_text == "after the interrupt"


async def test_interrupt_while_waiting_for_the_model(make_session):
    session, _rec = make_session([{"text": "too late", "delay": 30}, {"text": "fresh"}])
    turn = asyncio.create_task(say(session, "hi"))
    await asyncio.sleep(0.2)
    start = time.monotonic()
    await session.submit(Interrupt())
    outcome = await turn
    assert time.monotonic() - start < GENEROUS_SECONDS
    assert outcome.stop_reason == "interrupted"
    assert session.history.messages()[-1] == {"role": "user", "content": "hi"}


async def test_cancelling_the_caller_interrupts_the_turn(make_session):
    slow = SlowTool()
    session, rec = make_session([{"tool_calls": [call("slow")]}, {"text": "ok"}], tools=[slow.spec()])
    caller = asyncio.create_task(say(session, "x"))
    await asyncio.wait_for(slow.started.wait(), 5)
    caller.cancel()
    await asyncio.gather(caller, return_exceptions=True)
    assert rec.of("interrupted") and not session.busy
    assert session.history.unanswered_tool_calls() == []


async def test_second_turn_while_busy_is_refused(make_session):
    slow = SlowTool()
    session, rec = make_session([{"tool_calls": [call("slow", seconds=0.3)]}, {"text": "ok"}], tools=[slow.spec()])
    turn = asyncio.create_task(say(session, "x"))
    await asyncio.wait_for(slow.started.wait(), 5)
    refused = await say(session, "y")
    assert refused.stop_reason == "busy"
    assert rec.of("error")[0].kind == "busy"
    assert (await turn).stop_reason == "done"


async def test_a_crashing_tool_or_internal_error_keeps_the_session_usable(make_session, monkeypatch):
    session, rec = make_session([{"text": "first"}, {"text": "second"}])

    async def broken() -> None:
        raise RuntimeError("provider module missing")

    monkeypatch.setattr(session.provider(), "prepare", broken)
    outcome = await say(session, "hi")
    assert outcome.stop_reason == "error"
    [error] = rec.of("error")
    assert error.kind == "internal" and "provider module missing" in error.message
    assert session.history.messages()[-1] == {"role": "user", "content": "hi"}
    monkeypatch.undo()
    assert (await say(session, "again")).final_text == "first"

"""The session record: each event written once (redacted in the writer thread), replayed to the same history."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from ml_intern_jupyter.agent.config import load_config
from ml_intern_jupyter.agent.history import replay
from ml_intern_jupyter.agent.session import Session
from ml_intern_jupyter.protocol import ApprovalRequired, Compact, New, Ready, Resume, Undo, event_from_dict
from ml_intern_jupyter.tools.spec import ToolRouter
from ml_intern_jupyter.traces.recorder import RecordWriter, SessionRecorder, list_sessions, read_events

from ..conftest import Recorder, echo_tool, say


@pytest.fixture
def writer():
    w = RecordWriter()
    yield w
    w.close()


def make(write_script, factory, tmp_path: Path, writer: RecordWriter, turns, **overrides):
    config = load_config(overrides={"retry": {"base_delay": 0.001}, **overrides}, load_env_files=False)
    recorder = SessionRecorder(tmp_path / "sessions", writer)
    live = Recorder()
    session = Session(
        config,
        factory=factory,
        model=write_script(turns),
        tools=ToolRouter([echo_tool()]),
        sinks=[recorder, live],
        records=recorder,
    )
    return session, recorder, live


async def test_record_replays_to_the_live_history_after_turns_undo_and_compaction(
    write_script, factory, tmp_path, writer
):
    call = {"tool_calls": [{"name": "echo", "arguments": {"text": "x"}}]}
    session, recorder, live = make(
        write_script,
        factory,
        tmp_path,
        writer,
        [call, {"text": "one"}, {"text": "two"}, {"text": "three"}, {"text": "SUMMARY"}],
        compaction_keep_recent=2,
    )
    await say(session, "first")
    await say(session, "second")
    await session.submit(Undo())
    await say(session, "second again")
    await session.submit(Compact())
    assert writer.flush()
    path = recorder.path_for(session.id)
    events, notes = read_events(path)
    assert notes == []
    assert replay(events).messages() == session.history.messages()
    assert [e.seq for e in events] == [e.seq for e in live.events if e.type != "assistant_chunk"]
    lines = path.read_text().splitlines()
    assert len(lines) == len(events) and all(json.loads(line)["v"] == 1 for line in lines)
    assert "assistant_chunk" not in {e.type for e in events} and "compacted" in {e.type for e in events}
    [summary] = list_sessions(tmp_path / "sessions")
    assert (summary.session_id, summary.turns, summary.first_message) == (session.id, 2, "first")


async def test_a_replayed_record_gives_the_same_event_sequence(write_script, factory, tmp_path, writer):
    call = {"tool_calls": [{"name": "echo", "arguments": {"text": "x"}}]}
    session, recorder, live = make(write_script, factory, tmp_path, writer, [call, {"text": "done"}])
    await say(session, "go")
    assert writer.flush()
    events, _ = read_events(recorder.path_for(session.id))
    assert events == [e for e in live.events if e.type != "assistant_chunk"]
    assert [event_from_dict(e.to_dict()) for e in events] == events


async def test_the_turn_buffer_holds_this_turns_events_chunks_included(write_script, factory, tmp_path, writer):
    session, recorder, live = make(write_script, factory, tmp_path, writer, [{"text": "a b c"}, {"text": "d e"}])
    await say(session, "one")
    await say(session, "two")
    buffered = recorder.turn_events()
    assert buffered[0].type == "processing" and buffered[0].user_message == "two"
    assert buffered == live.events[-len(buffered) :]
    assert "".join(e.content for e in buffered if e.type == "assistant_chunk") == "d e"


async def test_resume_by_id_continues_the_same_file(write_script, factory, tmp_path, writer):
    session, recorder, _ = make(write_script, factory, tmp_path, writer, [{"text": "hello"}])
    await say(session, "hi")
    assert writer.flush()
    fresh, _, _ = make(write_script, factory, tmp_path, writer, [{"text": "welcome back"}])
    resumed = await fresh.submit(Resume(session_id=session.id[:15]))
    assert resumed is not None and resumed.notes == ()
    assert fresh.id == session.id
    assert [m["content"] for m in fresh.history.messages()[1:]] == ["hi", "hello"]
    await say(fresh, "again")
    assert writer.flush()
    events, _ = read_events(recorder.path_for(session.id))
    assert [m["content"] for m in replay(events).messages()[1:]] == ["hi", "hello", "again", "welcome back"]
    seqs = [e.seq for e in events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)  # numbering continues after the resume


async def test_resume_of_an_unknown_id_is_a_clear_error(write_script, factory, tmp_path, writer):
    session, _, live = make(write_script, factory, tmp_path, writer, [])
    assert await session.submit(Resume(session_id="nope")) is None
    [error] = live.of("error")
    assert "No session match 'nope'" in error.message


async def test_new_conversation_gets_its_own_file_and_listing_is_newest_first(write_script, factory, tmp_path, writer):
    session, recorder, _ = make(write_script, factory, tmp_path, writer, [{"text": "a"}, {"text": "b"}])
    await say(session, "old conversation")
    first = recorder.path_for(session.id)
    await session.submit(New())
    await say(session, "new conversation")
    assert writer.flush()
    assert recorder.path_for(session.id) != first
    listed = list_sessions(tmp_path / "sessions")
    assert [s.first_message for s in listed] == ["new conversation", "old conversation"]


def test_a_line_cut_off_by_a_crash_is_skipped_with_a_note(tmp_path):
    path = tmp_path / "s.jsonl"
    records = [
        {"v": 1, "type": "session_started", "seq": 1, "session_id": "s", "timestamp": 1.0, "system_prompt": "sys"},
        {"v": 1, "type": "processing", "seq": 2, "session_id": "s", "timestamp": 2.0, "user_message": "hi"},
    ]
    path.write_text("\n".join(json.dumps(x) for x in records) + '\n{"v": 1, "type": "assistant_mes')
    events, notes = read_events(path)
    assert [m["content"] for m in replay(events).messages()] == ["sys", "hi"]
    assert len(notes) == 1 and "line 3" in notes[0]


async def test_redaction_runs_in_the_writer_thread_before_writing(write_script, factory, tmp_path):
    threads: list[str] = []

    def redact(record):
        threads.append(threading.current_thread().name)
        return json.loads(json.dumps(record).replace("SECRET", "[R]"))

    writer = RecordWriter(redact)
    try:
        recorder = SessionRecorder(tmp_path / "s", writer)
        config = load_config(load_env_files=False)
        session = Session(
            config, factory=factory, model=write_script([{"text": "the SECRET is safe"}]), sinks=[recorder]
        )
        await say(session, "my SECRET")
        assert writer.flush()
    finally:
        writer.close()
    text = recorder.path_for(session.id).read_text()
    assert "SECRET" not in text and "[R]" in text
    assert threads and set(threads) == {"ml-intern-record-writer"}


async def test_no_file_until_the_first_user_message(write_script, factory, tmp_path, writer):
    session, recorder, _ = make(write_script, factory, tmp_path, writer, [{"text": "hi"}])
    session.emit(Ready())
    session.emit(ApprovalRequired(tool_call_id="x"))
    assert writer.flush()
    path = recorder.path_for(session.id)
    assert not path.exists()
    await say(session, "now")
    assert writer.flush()
    types = [json.loads(line)["type"] for line in path.read_text().splitlines()]
    assert types[:4] == ["session_started", "ready", "approval_required", "processing"]  # held, then in order


async def test_no_corpus_secret_reaches_the_session_file(write_script, factory, tmp_path):
    from ml_intern_jupyter.traces.redact import Redactor

    from .secret_corpus import fake_secrets

    secrets = [secret for _, secret in fake_secrets()]
    writer = RecordWriter(Redactor(env={}).value)
    config = load_config(overrides={"yolo": True}, load_env_files=False)
    recorder = SessionRecorder(tmp_path / "s", writer)
    turns = [
        {
            "text": f"I will echo {secrets[0]}",
            "tool_calls": [{"name": "echo", "arguments": {"text": " ".join(secrets)}}],
        },
        {"text": "done: " + " ".join(secrets[:3])},
    ]
    session = Session(
        config, factory=factory, model=write_script(turns), tools=ToolRouter([echo_tool()]), sinks=[recorder]
    )
    await say(session, "keys: " + ", ".join(secrets))
    assert writer.flush()
    writer.close()
    written = recorder.path_for(session.id).read_text()
    assert "[REDACTED:" in written
    assert [s for s in secrets if s in written] == []

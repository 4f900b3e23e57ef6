"""The local session record: written as things happen, replayed for resume and history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ml_intern_jupyter.agent.config import load_config
from ml_intern_jupyter.agent.session import Session
from ml_intern_jupyter.protocol import Ready
from ml_intern_jupyter.tools.spec import ToolRouter
from ml_intern_jupyter.traces.store import SessionStore, SessionWriter, list_sessions, read_session

from ..conftest import Recorder, echo_tool


@pytest.fixture
def writer():
    w = SessionWriter()
    yield w
    w.close()


def make(write_script, tmp_path: Path, writer: SessionWriter, turns, **overrides):
    config = load_config(overrides={"retry": {"base_delay": 0.001}, **overrides}, load_env_files=False)
    store = SessionStore(tmp_path / "sessions", writer)
    recorder = Recorder()
    session = Session(config, model=write_script(turns), tools=ToolRouter([echo_tool()]), sinks=[recorder], store=store)
    return session, store


async def test_record_replays_to_the_live_history_after_turns_undo_and_compaction(write_script, tmp_path, writer):
    call = {"tool_calls": [{"name": "echo", "arguments": {"text": "x"}}]}
    session, store = make(
        write_script,
        tmp_path,
        writer,
        [call, {"text": "one"}, {"text": "two"}, {"text": "three"}, {"text": "SUMMARY"}],
        compaction_keep_recent=2,
    )
    await session.run_turn("first")
    await session.run_turn("second")
    session.undo()
    await session.run_turn("second again")
    await session.compact()
    assert writer.flush()
    saved = read_session(store.path)
    assert saved.messages == session.context.messages()
    assert saved.session_id == session.id and saved.turns == 2
    assert saved.first_message == "first"
    kinds = [json.loads(line)["kind"] for line in store.path.read_text().splitlines()]
    assert kinds[0] == "meta" and {"message", "truncate", "replace", "event"} <= set(kinds)
    events = [json.loads(line)["event"]["type"] for line in store.path.read_text().splitlines() if '"event"' in line]
    assert "assistant_chunk" not in events and "turn_complete" in events


async def test_resume_restores_messages_and_keeps_writing_to_the_same_file(write_script, tmp_path, writer):
    session, store = make(write_script, tmp_path, writer, [{"text": "hello"}])
    await session.run_turn("hi")
    assert writer.flush()
    saved = read_session(store.path)

    fresh, fresh_store = make(write_script, tmp_path, writer, [{"text": "welcome back"}])
    notes = fresh.resume(saved.messages, saved.session_id)
    assert notes == []
    assert fresh.id == saved.session_id
    assert [m["content"] for m in fresh.context.messages()[1:]] == ["hi", "hello"]
    await fresh.run_turn("again")
    assert writer.flush()
    replayed = read_session(fresh_store.path)
    assert fresh_store.path == store.path
    assert [m["content"] for m in replayed.messages[1:]] == ["hi", "hello", "again", "welcome back"]


async def test_new_conversation_gets_its_own_file_and_listing_is_newest_first(write_script, tmp_path, writer):
    session, store = make(write_script, tmp_path, writer, [{"text": "a"}, {"text": "b"}])
    await session.run_turn("old conversation")
    first_path = store.path
    session.new()
    await session.run_turn("new conversation")
    assert writer.flush()
    assert store.path != first_path
    listed = list_sessions(tmp_path / "sessions")
    assert [s.first_message for s in listed] == ["new conversation", "old conversation"]
    assert read_session(first_path).first_message == "old conversation"


def test_a_line_cut_off_by_a_crash_is_skipped_with_a_note(tmp_path):
    path = tmp_path / "s.jsonl"
    lines = [
        {"kind": "meta", "session_id": "s", "started": 1.0, "model": "m"},
        {"kind": "message", "entry_kind": "system", "message": {"role": "system", "content": "sys"}},
        {"kind": "message", "entry_kind": "user", "message": {"role": "user", "content": "hi"}},
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines) + '\n{"kind": "message", "entry_ki')
    saved = read_session(path)
    assert [m["content"] for m in saved.messages] == ["sys", "hi"]
    assert len(saved.notes) == 1 and "line 4" in saved.notes[0]


async def test_redaction_applies_before_writing(write_script, tmp_path, writer):
    config = load_config(load_env_files=False)
    store = SessionStore(
        tmp_path / "s", writer, redact=lambda rec: json.loads(json.dumps(rec).replace("SECRET", "[R]"))
    )
    session = Session(config, model=write_script([{"text": "the SECRET is safe"}]), store=store)
    await session.run_turn("my SECRET")
    assert writer.flush()
    text = store.path.read_text()
    assert "SECRET" not in text and "[R]" in text


async def test_no_file_until_the_first_user_message(write_script, tmp_path, writer):
    session, store = make(write_script, tmp_path, writer, [{"text": "hi"}])
    session.emit(Ready())
    assert writer.flush()
    assert not store.path.exists()
    await session.run_turn("now")
    assert writer.flush()
    lines = [json.loads(line) for line in store.path.read_text().splitlines()]
    assert lines[0]["kind"] == "meta" and lines[1]["messages"][0]["message"]["role"] == "system"
    assert any(r.get("event", {}).get("type") == "ready" for r in lines)  # held, then written in order


async def test_no_corpus_secret_reaches_the_session_file(write_script, tmp_path, writer):
    from ml_intern_jupyter.traces.redact import Redactor

    from .secret_corpus import fake_secrets

    secrets = [secret for _, secret in fake_secrets()]
    config = load_config(overrides={"yolo": True}, load_env_files=False)
    store = SessionStore(tmp_path / "s", writer, redact=Redactor(env={}).value)
    turns = [
        {
            "text": f"I will echo {secrets[0]}",
            "tool_calls": [{"name": "echo", "arguments": {"text": " ".join(secrets)}}],
        },
        {"text": "done: " + " ".join(secrets[:3])},
    ]
    session = Session(config, model=write_script(turns), tools=ToolRouter([echo_tool()]), store=store)
    await session.run_turn("keys: " + ", ".join(secrets))
    assert writer.flush()
    written = store.path.read_text()
    assert "[REDACTED:" in written
    leaked = [s for s in secrets if s in written]
    assert leaked == []

"""The local session record: one JSONL file per session, appended as things happen.

Records (one JSON object per line):

- ``{"kind": "meta", "session_id", "started", "model", "cwd", "version"}``: first line.
- ``{"kind": "message", "entry_kind", "message"}``: a message appended to the history.
- ``{"kind": "truncate", "length"}``: the history was cut to ``length`` messages (undo).
- ``{"kind": "replace", "messages": [{"entry_kind", "message"}, ...]}``: the history was
  rewritten (compaction, resume, new).
- ``{"kind": "event", "event": {...}}``: an agent event (streamed ``assistant_chunk``
  events are left out: the ``assistant_message`` that follows holds the same text).

A writer thread appends and flushes each record, so the event loop never waits for
the disk and a crash loses at most the record in flight. Every record passes through
``redact`` before it is written.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

Redact = Callable[[Any], Any]
SKIPPED_EVENTS = frozenset({"assistant_chunk"})
_STOP = object()


class SessionWriter:
    """Appends records to files from a background thread, flushing after each one."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="ml-intern-session-writer", daemon=True)
        self._thread.start()

    def append(self, path: Path, record: dict[str, Any]) -> None:
        """Queue one record for ``path`` (never blocks)."""
        self._queue.put((path, record))

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything queued so far is on disk (for tests and shutdown)."""
        done = threading.Event()
        self._queue.put(done)
        return done.wait(timeout)

    def close(self) -> None:
        """Write what is queued, then stop the thread."""
        self._queue.put(_STOP)
        self._thread.join(timeout=5)

    def _run(self) -> None:
        handles: dict[Path, Any] = {}
        try:
            while True:
                item = self._queue.get()
                if item is _STOP:
                    return
                if isinstance(item, threading.Event):
                    item.set()
                    continue
                path, record = item
                try:
                    handle = handles.get(path)
                    if handle is None:
                        path.parent.mkdir(parents=True, exist_ok=True)
                        handle = handles[path] = open(path, "a", encoding="utf-8")  # noqa: SIM115
                    handle.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
                    handle.flush()
                except OSError:
                    log.exception("could not write the session record %s", path)
        finally:
            for handle in handles.values():
                handle.close()


class SessionStore:
    """Where one session's record goes; the Session calls these as its history changes."""

    def __init__(self, directory: Path, writer: SessionWriter, redact: Redact = lambda value: value) -> None:
        self.directory = directory
        self._writer = writer
        self._redact = redact
        self.path: Path | None = None
        self._pending: list[dict[str, Any]] | None = None  # held until the first user message

    def start(self, session_id: str, *, model: str, cwd: str, version: str) -> None:
        """Begin (or continue) the file of ``session_id``.

        A new file is only created once the session has a user message, so opening
        and closing the agent leaves no empty records behind.
        """
        self.path = self.directory / f"{session_id}.jsonl"
        self._pending = None
        if not self.path.exists():
            self._pending = []
            self._write(
                {
                    "kind": "meta",
                    "session_id": session_id,
                    "started": time.time(),
                    "model": model,
                    "cwd": cwd,
                    "version": version,
                }
            )

    def _write(self, record: dict[str, Any]) -> None:
        if self.path is None:
            return
        if self._pending is not None:
            self._pending.append(record)
            if record.get("entry_kind") != "user":
                return
            records, self._pending = self._pending, None
        else:
            records = [record]
        for item in records:
            self._writer.append(self.path, self._redact(item))

    def message(self, message: dict[str, Any], entry_kind: str) -> None:
        """A message was appended to the history."""
        self._write({"kind": "message", "entry_kind": entry_kind, "message": message})

    def truncate(self, length: int) -> None:
        """The history was cut to ``length`` messages."""
        self._write({"kind": "truncate", "length": length})

    def replace(self, entries: Iterable[tuple[dict[str, Any], str]]) -> None:
        """The history was rewritten."""
        self._write({"kind": "replace", "messages": [{"entry_kind": k, "message": m} for m, k in entries]})

    def event(self, event_dict: dict[str, Any]) -> None:
        """An agent event (chunks are skipped)."""
        if event_dict.get("type") not in SKIPPED_EVENTS:
            self._write({"kind": "event", "event": event_dict})


@dataclass(frozen=True)
class SavedSession:
    """What a session file says, replayed."""

    session_id: str
    started: float
    model: str
    messages: list[dict[str, Any]]
    entry_kinds: list[str]
    notes: list[str]

    @property
    def turns(self) -> int:
        """Real user messages in the saved history."""
        return sum(1 for kind in self.entry_kinds if kind == "user")

    @property
    def first_message(self) -> str:
        """The first user message (for listings)."""
        return next(
            (m.get("content") or "" for m, k in zip(self.messages, self.entry_kinds, strict=True) if k == "user"), ""
        )


def read_session(path: Path) -> SavedSession:
    """Replay a session file; unreadable lines are skipped with a note."""
    meta: dict[str, Any] = {}
    entries: list[tuple[dict[str, Any], str]] = []
    notes: list[str] = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            try:
                record = json.loads(line)
            except ValueError:
                notes.append(f"line {number}: not valid JSON (probably cut off by a crash); skipped")
                continue
            kind = record.get("kind")
            if kind == "meta":
                meta = record
            elif kind == "message":
                entries.append((record["message"], record.get("entry_kind", "user")))
            elif kind == "truncate":
                del entries[record["length"] :]
            elif kind == "replace":
                entries = [(item["message"], item.get("entry_kind", "user")) for item in record["messages"]]
    return SavedSession(
        session_id=meta.get("session_id", path.stem),
        started=float(meta.get("started", path.stat().st_mtime)),
        model=meta.get("model", "?"),
        messages=[m for m, _ in entries],
        entry_kinds=[k for _, k in entries],
        notes=notes,
    )


def list_sessions(directory: Path) -> list[SavedSession]:
    """Every saved session in ``directory``, newest first."""
    if not directory.is_dir():
        return []
    sessions = []
    for path in directory.glob("*.jsonl"):
        try:
            sessions.append(read_session(path))
        except OSError:
            log.warning("could not read %s", path)
    return sorted(sessions, key=lambda s: s.started, reverse=True)


def sessions_dir(data_dir: Path) -> Path:
    """The directory that holds session files under the data directory."""
    return Path(os.fspath(data_dir)) / "sessions"

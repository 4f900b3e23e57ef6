"""The local session record: each session's events, one JSON line each, written once.

``<data dir>/sessions/<session_id>.jsonl`` holds the session's events in order (``{"v": 1,
"type": ..., ...}``, the protocol's JSON form). The history is whatever replaying them
builds, so nothing is written twice. Streamed ``assistant_chunk`` events are left out of the
file (the ``assistant_message`` that follows holds the same text), but the recorder keeps the
current turn's events, chunks included, in memory so that a front end that re-attaches
(a reloaded browser tab) can replay them.

A writer thread redacts, serialises, appends and flushes each record, so the event loop
never waits for the disk or the redactor, and a crash loses at most the record in flight.
A file is only created once its session has a user message: opening and closing the agent
leaves no empty records behind.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..protocol import PROTOCOL_VERSION, Event, ProtocolError, event_from_dict

log = logging.getLogger(__name__)

Redact = Callable[[Any], Any]
SKIPPED_EVENTS = frozenset({"assistant_chunk"})
TURN_BUFFER = 20_000
"""Events of the current turn kept in memory for replay (the oldest go first beyond this)."""
_STOP = object()


def _identity(value: Any) -> Any:
    return value


class RecordWriter:
    """Appends events to files from a background thread: redact, serialise, write, flush."""

    def __init__(self, redact: Redact = _identity) -> None:
        self._redact = redact
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="ml-intern-record-writer", daemon=True)
        self._thread.start()

    def append(self, path: Path, event: Event) -> None:
        """Queue one event for ``path`` (never blocks)."""
        self._queue.put((path, event))

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything queued so far is on disk (for tests and shutdown)."""
        done = threading.Event()
        self._queue.put(done)
        return done.wait(timeout)

    def close(self) -> None:
        """Write what is queued, then stop the thread."""
        self._queue.put(_STOP)
        self._thread.join(timeout=5)

    def _line(self, event: Event) -> str:
        record = self._redact({"v": PROTOCOL_VERSION, **event.to_dict()})
        return json.dumps(record, ensure_ascii=False, default=str) + "\n"

    def _run(self) -> None:
        handles: dict[Path, Any] = {}
        try:
            while (item := self._queue.get()) is not _STOP:
                if isinstance(item, threading.Event):
                    item.set()
                    continue
                path, event = item
                try:
                    handle = handles.get(path)
                    if handle is None:
                        path.parent.mkdir(parents=True, exist_ok=True)
                        handle = handles[path] = open(path, "a", encoding="utf-8")  # noqa: SIM115
                    handle.write(self._line(event))
                    handle.flush()
                except Exception:
                    log.exception("could not write the session record %s", path)
        finally:
            for handle in handles.values():
                handle.close()


class SessionRecorder:
    """A session's event sink: writes its record and keeps the current turn's events for replay."""

    def __init__(self, directory: Path, writer: RecordWriter) -> None:
        self.directory = directory
        self._writer = writer
        self._open: set[Path] = set()  # files that exist or got their first user message
        self._pending: dict[Path, list[Event]] = {}
        self._turn: deque[Event] = deque(maxlen=TURN_BUFFER)

    def path_for(self, session_id: str) -> Path:
        """The record file of a session."""
        return self.directory / f"{session_id}.jsonl"

    def __call__(self, event: Event) -> None:
        if event.type == "processing":
            self._turn.clear()
        self._turn.append(event)
        if event.type in SKIPPED_EVENTS:
            return
        path = self.path_for(event.session_id)
        if path in self._open:
            self._writer.append(path, event)
            return
        if path not in self._pending and path.exists():  # a resumed session: continue its file
            self._open.add(path)
            self._writer.append(path, event)
            return
        pending = self._pending.setdefault(path, [])
        pending.append(event)
        if event.type == "processing":
            self._open.add(path)
            for held in self._pending.pop(path):
                self._writer.append(path, held)

    def turn_events(self) -> list[Event]:
        """The events since the current (or last) turn started, chunks included."""
        return list(self._turn)

    def find(self, prefix: str) -> list[Path]:
        """Record files whose session id starts with ``prefix``."""
        if not self.directory.is_dir():
            return []
        return sorted(self.directory.glob(f"{prefix}*.jsonl"))


def read_events(path: Path) -> tuple[list[Event], list[str]]:
    """The events of a record file, and notes on lines that could not be read (a crash cut one off)."""
    events: list[Event] = []
    notes: list[str] = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            try:
                events.append(event_from_dict(json.loads(line)))
            except (ValueError, ProtocolError) as exc:
                notes.append(f"line {number}: unreadable ({str(exc)[:80]}; probably cut off by a crash), skipped")
    return events, notes


@dataclass(frozen=True)
class SessionSummary:
    """What ``history`` lists about a saved session."""

    session_id: str
    started: float
    model: str
    turns: int
    first_message: str
    path: Path


def summarize(path: Path) -> SessionSummary:
    """A saved session's id, start, model, turns and first message."""
    events, _ = read_events(path)
    started = next((e.timestamp for e in events), path.stat().st_mtime)
    settings = [e for e in events if e.type in ("session_started", "settings_changed")]
    model = getattr(settings[-1], "model", "") if settings else ""
    messages = [e.user_message for e in events if e.type == "processing"]
    undone = sum(1 for e in events if e.type == "undo_complete" and e.removed_messages)
    return SessionSummary(
        path.stem, started, model or "?", max(0, len(messages) - undone), next(iter(messages), ""), path
    )


def list_sessions(directory: Path) -> list[SessionSummary]:
    """Every saved session in ``directory``, newest first (blocking: call it in a worker thread)."""
    if not directory.is_dir():
        return []
    found = []
    for path in directory.glob("*.jsonl"):
        try:
            found.append(summarize(path))
        except OSError:
            log.warning("could not read %s", path)
    return sorted(found, key=lambda s: s.started, reverse=True)


def sessions_dir(data_dir: Path) -> Path:
    """The directory that holds session records under the data directory."""
    return Path(os.fspath(data_dir)) / "sessions"

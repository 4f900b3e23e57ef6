"""Export, visibility and automatic sharing of a front end's sessions as Hub datasets."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Mapping
from pathlib import Path

from ..agent.history import Entry, EntryKind
from ..agent.session import Session
from ..traces.auto_share import AutoSharer
from ..traces.claude_code import TraceEntry
from ..traces.hub_export import ExportResult, HubExporter, HubExportError, RepoStatus
from ..traces.redact import Redactor
from ..traces.session_trace import session_trace_jsonl, trace_day, write_trace_file

Progress = Callable[[int, int], None]


def trace_entry(entry: Entry) -> TraceEntry:
    """What the trace needs of one history entry."""
    prompt, completion = entry.usage or (None, None)
    ok = entry.ok if entry.kind is EntryKind.TOOL else None
    return TraceEntry(entry.message, entry.timestamp or None, ok, prompt, completion, entry.finish_reason)


class TraceExports:
    """One per front end: builds redacted traces and talks to the Hub only when asked."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.redactor = Redactor(env=os.environ if env is None else env)
        self._sharers: dict[str, AutoSharer] = {}

    def jsonl(self, session: Session) -> str:
        """The session's redacted trace (CPU only; a few ms for long sessions; raises ``ValueError``)."""
        return session_trace_jsonl(
            [trace_entry(entry) for entry in session.history.entries()],
            session_id=session.id,
            model=session.model_id,
            cwd=str(session.workdir),
            started=session.started,
            redactor=self.redactor,
        )

    @staticmethod
    def exporter(session: Session) -> HubExporter:
        """An exporter for the session's trace repo (token from HF_TOKEN or the saved login)."""
        env = session.config.env
        template = session.config.personal_trace_repo_template
        return HubExporter(
            token=env.get("HF_TOKEN") or None, endpoint=env.get("HF_ENDPOINT") or None, template=template
        )

    async def _jsonl(self, session: Session) -> str:
        try:
            return await asyncio.to_thread(self.jsonl, session)
        except ValueError as exc:
            raise HubExportError(f"The trace of {session.id} could not be built: {exc}") from exc

    async def export(self, session: Session, progress: Progress | None = None) -> ExportResult:
        """Upload the session to the user's private dataset (every failure is a ``HubExportError``)."""
        jsonl = await self._jsonl(session)
        return await self.exporter(session).export(jsonl, session.id, trace_day(session.started), progress)

    async def export_to(self, session: Session, path: str) -> Path:
        """Write the same JSONL locally (no Hub); a failure is a ``HubExportError``."""
        jsonl = await self._jsonl(session)
        try:
            return await asyncio.to_thread(write_trace_file, Path(path), jsonl)
        except OSError as exc:
            raise HubExportError(f"Cannot write {path}: {exc}") from exc

    async def visibility(self, session: Session) -> tuple[str, bool | None]:
        """(repo id, private?) of the trace repo; None when it does not exist yet."""
        exporter = self.exporter(session)
        return await exporter.repo_id(), await exporter.visibility()

    async def set_visibility(self, session: Session, private: bool) -> RepoStatus:
        """Flip the trace repo to private or public."""
        return await self.exporter(session).set_visibility(private)

    def after_turn(self, session: Session) -> None:
        """With ``share_traces: true``, upload in the background (retries, never raises)."""
        if not session.config.share_traces:
            return
        sharer = self._sharers.get(session.id)
        if sharer is None:
            sharer = self._sharers[session.id] = AutoSharer(self.exporter(session))
        sharer.schedule(lambda: self.jsonl(session), session.id, trace_day(session.started))

    def sharer(self, session: Session) -> AutoSharer | None:
        """The background sharer of a session, if automatic sharing ran."""
        return self._sharers.get(session.id)

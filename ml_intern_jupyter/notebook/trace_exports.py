"""Export, visibility and automatic sharing of the kernel's sessions as Hub datasets."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path

from ..agent.session import Session
from ..traces.auto_share import AutoSharer
from ..traces.hub_export import ExportResult, HubExporter, RepoStatus
from ..traces.redact import Redactor
from ..traces.session_trace import session_trace_jsonl, trace_day, write_trace_file

Progress = Callable[[int, int], None]


class TraceExports:
    """One per kernel: builds redacted traces and talks to the Hub only when asked."""

    def __init__(self) -> None:
        self.redactor = Redactor(env=os.environ)
        self._sharers: dict[str, AutoSharer] = {}

    def jsonl(self, session: Session) -> str:
        """The session's redacted trace (CPU only; a few ms for long sessions)."""
        return session_trace_jsonl(
            session.context.messages(),
            session_id=session.id,
            model=session.model_id,
            cwd=str(session.workdir),
            started=session.started,
            redactor=self.redactor,
        )

    @staticmethod
    def exporter(session: Session) -> HubExporter:
        """An exporter for the session's trace repo (token from HF_TOKEN or the saved login)."""
        return HubExporter(token=None, template=session.config.personal_trace_repo_template)

    async def export(self, session: Session, progress: Progress | None = None) -> ExportResult:
        """Upload the session to the user's private dataset."""
        jsonl = await asyncio.to_thread(self.jsonl, session)
        return await self.exporter(session).export(jsonl, session.id, trace_day(session.started), progress)

    async def export_to(self, session: Session, path: str) -> Path:
        """Write the same JSONL locally (no Hub)."""
        jsonl = await asyncio.to_thread(self.jsonl, session)
        return await asyncio.to_thread(write_trace_file, Path(path), jsonl)

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

"""Automatic trace sharing (``share_traces: true``): background uploads after each turn.

Nothing is uploaded unless a caller uses ``AutoSharer.schedule``. Uploads run in one
background task per sharer: requests made while it is busy are coalesced (the newest
snapshot of each session wins), failures are retried with exponential backoff, and no
error ever reaches the caller; the last one is kept in ``last_error`` and logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date

from ml_intern_jupyter.traces.hub_export import ExportResult, HubExporter, HubExportError

log = logging.getLogger(__name__)

JsonlProvider = Callable[[], str]


class AutoSharer:
    """Uploads sessions in the background with retries; never raises into the caller."""

    def __init__(
        self, exporter: HubExporter, *, attempts: int = 4, base_delay: float = 2.0, max_delay: float = 60.0
    ) -> None:
        self.exporter = exporter
        self.attempts = max(1, attempts)
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.last_error: BaseException | None = None
        self.last_result: ExportResult | None = None
        self._pending: dict[str, tuple[JsonlProvider, date]] = {}
        self._task: asyncio.Task[None] | None = None

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    def schedule(self, jsonl_provider: JsonlProvider, session_id: str, day: date) -> None:
        """Upload ``jsonl_provider()`` soon; call from the event loop (e.g. after each turn)."""
        self._pending[session_id] = (jsonl_provider, day)
        if self.busy:
            return
        try:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="ml-intern-auto-share")
        except RuntimeError as exc:
            self.last_error = exc
            log.warning("Automatic trace sharing needs a running event loop: %s", exc)

    async def drain(self) -> None:
        """Wait until every scheduled upload has finished (or given up)."""
        while self._task is not None and not self._task.done():
            await asyncio.wait({self._task})

    def cancel(self) -> None:
        """Stop the background upload; pending snapshots are dropped."""
        self._pending.clear()
        if self._task is not None:
            self._task.cancel()

    async def aclose(self) -> None:
        self.cancel()
        await self.drain()

    async def _run(self) -> None:
        while self._pending:
            session_id = next(iter(self._pending))
            provider, day = self._pending.pop(session_id)
            await self._upload(provider, session_id, day)

    async def _upload(self, provider: JsonlProvider, session_id: str, day: date) -> None:
        for attempt in range(self.attempts):
            try:
                self.last_result = await self.exporter.export(provider(), session_id, day)
                self.last_error = None
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.last_error = exc
                retry = isinstance(exc, HubExportError) and exc.retryable and attempt + 1 < self.attempts
                if not retry:
                    log.warning("Automatic trace upload of session %s failed: %s", session_id, exc)
                    return
                delay = min(self.base_delay * 2**attempt, self.max_delay)
                log.info("Trace upload of %s failed (%s); retrying in %.1fs", session_id, exc, delay)
            await asyncio.sleep(delay)
            if session_id in self._pending:  # a newer snapshot arrived meanwhile: send that one
                provider, day = self._pending.pop(session_id)

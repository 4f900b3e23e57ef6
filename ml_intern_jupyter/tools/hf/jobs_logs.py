"""Reading a job's logs from the Hub's server-sent events stream, with httpx (cancellable).

The Hub replays every log event on each connection, so events already seen are skipped by
index. When the stream ends or stalls while the job still runs, the reader reconnects with a
growing pause; it never gives up on a running job by itself (jobs run for hours).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any

import httpx

from .access import HubAccess
from .http import USER_AGENT, check

TERMINAL_STAGES = frozenset({"COMPLETED", "CANCELED", "ERROR", "DELETED"})
FOLLOW_READ_TIMEOUT = 120.0  # the Hub sends a keep-alive every 30 s
DRAIN_IDLE_SECONDS = 3.0  # without follow: no event for this long means everything buffered was sent
FETCH_BUDGET_SECONDS = 10.0  # without follow: never read a busy job's live stream for longer
MAX_PAUSE = 10.0
MAX_DRAINS = 100
_STARTED = "===== Job started"
_TRANSIENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


class JobLogReader:
    """Streams the logs of one job to ``on_line``."""

    def __init__(self, access: HubAccess, namespace: str, job_id: str, *, pause: float = 0.5) -> None:
        self._access = access
        self._base = f"{access.endpoint}/api/jobs/{namespace}/{job_id}"
        self._job_id = job_id
        self._seen = 0
        self._pause = pause
        self.reconnects = 0

    def _client(self) -> httpx.AsyncClient:
        timeout = httpx.Timeout(30.0, read=FOLLOW_READ_TIMEOUT)
        return httpx.AsyncClient(timeout=timeout, headers={"User-Agent": USER_AGENT})

    async def stage(self, client: httpx.AsyncClient) -> str:
        """The job's current stage (``RUNNING``, ``COMPLETED``, ...)."""
        url = self._base
        response = check(
            await client.get(url, headers=self._access.auth_headers(url)), self._access, f"job {self._job_id}"
        )
        return str((response.json().get("status") or {}).get("stage", ""))

    async def _read_once(
        self,
        client: httpx.AsyncClient,
        on_line: Callable[[str], None],
        *,
        tail: int | None = None,
        bounded: bool = False,
    ) -> int:
        """One connection: new lines to ``on_line``; returns how many were new.

        ``bounded`` stops after :data:`DRAIN_IDLE_SECONDS` without a log event (keep-alives do not
        count) or :data:`FETCH_BUDGET_SECONDS` in all, for "the logs available now".
        """
        url = f"{self._base}/logs"
        params = {"tail": tail} if tail is not None else None
        async with client.stream("GET", url, params=params, headers=self._access.auth_headers(url)) as response:
            if not response.is_success:
                await response.aread()
                check(response, self._access, f"the logs of job {self._job_id}")
            return await self._consume(response, on_line, bounded)

    async def _consume(self, response: httpx.Response, on_line: Callable[[str], None], bounded: bool) -> int:
        loop = asyncio.get_running_loop()
        end = loop.time() + FETCH_BUDGET_SECONDS

        def deadline() -> float | None:
            return min(loop.time() + DRAIN_IDLE_SECONDS, end) if bounded else None

        new, index = 0, -1
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(deadline()) as window:
                async for raw in response.aiter_lines():
                    if not raw.startswith("data: {"):
                        continue
                    window.reschedule(deadline())
                    index += 1
                    if index < self._seen:
                        continue
                    self._seen += 1
                    line = _event_text(raw)
                    if line is not None:
                        new += 1
                        on_line(line)
        return new

    async def follow(self, on_line: Callable[[str], None]) -> str:
        """Stream until the job reaches a terminal stage; returns that stage."""
        pause = self._pause
        async with self._client() as client:
            while True:
                try:
                    if await self._read_once(client, on_line):
                        pause = self._pause
                except _TRANSIENT:
                    pass  # a dropped or silent stream: check the job, then reconnect
                try:
                    stage = await self.stage(client)
                except _TRANSIENT:
                    stage = ""  # the Hub is unreachable for now: keep trying
                if stage in TERMINAL_STAGES:
                    await self._drain(client, on_line)
                    return stage
                self.reconnects += 1
                await asyncio.sleep(pause)
                pause = min(MAX_PAUSE, pause * 2)

    async def _drain(self, client: httpx.AsyncClient, on_line: Callable[[str], None]) -> None:
        """After the end: read until a connection brings nothing new (lines logged after a dropped stream)."""
        for _ in range(MAX_DRAINS):
            try:
                if not await self._read_once(client, on_line, bounded=True):
                    return
            except _TRANSIENT:
                return

    async def fetch(self, on_line: Callable[[str], None], tail: int | None = None) -> None:
        """The logs available now (the last ``tail`` lines when given), without waiting for more."""
        async with self._client() as client:
            with contextlib.suppress(httpx.ReadTimeout):
                await self._read_once(client, on_line, tail=tail, bounded=True)


def _event_text(raw: str) -> str | None:
    try:
        event: Any = json.loads(raw[len("data: ") :])
    except ValueError:
        return None
    text = event.get("data") if isinstance(event, dict) else None
    if not isinstance(text, str) or text.startswith(_STARTED):
        return None
    return text

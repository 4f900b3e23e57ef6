"""The notebook's Stop button also stops background agents when no cell is running.

ipykernel ignores SIGINT between requests (``SIG_IGN``), and installs its own handler while a
cell runs. While this kernel has background runs, a watcher on the loop puts a handler in
place of the idle ``SIG_IGN``; ipykernel saves and restores it around each request like any
other, so a foreground cell is still interrupted the usual way, and an interrupt with no cell
running stops the background runs (waiting for approval, for the model, or on a tool). A
background ``python`` call running blocking code has Python's own handler for the time of the
run, so it gets the ``KeyboardInterrupt`` itself.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Awaitable, Callable
from typing import Any

WATCH_INTERVAL = 0.25


class BackgroundStop:
    """Arms an idle-time SIGINT handler while ``running()`` is true."""

    def __init__(self, running: Callable[[], bool], stop: Callable[[], Awaitable[Any]]) -> None:
        self._running, self._stop = running, stop
        self._watcher: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def watch(self) -> None:
        """Start watching (idempotent; call on the kernel's loop when a background run starts)."""
        if threading.current_thread() is not threading.main_thread():
            return  # signals can only be handled in the main thread
        if self._watcher is None or self._watcher.done():
            self._loop = asyncio.get_running_loop()
            self._watcher = self._loop.create_task(self._watch(), name="ml-intern-background-stop")

    async def _watch(self) -> None:
        try:
            while self._running():
                if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:  # idle: no request is being handled
                    signal.signal(signal.SIGINT, self._on_sigint)
                await asyncio.sleep(WATCH_INTERVAL)
        finally:
            if signal.getsignal(signal.SIGINT) == self._on_sigint:
                signal.signal(signal.SIGINT, signal.SIG_IGN)

    def _on_sigint(self, signum: int, frame: Any) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(lambda: self._loop.create_task(self._stop()))

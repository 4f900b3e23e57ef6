"""The bottom of an agent cell: blocks in order, a live footer last, and no blank left behind.

Jupyter only appends outputs. To keep the footer (status, tokens, elapsed time) below every
block, a new block takes the footer's own display slot and a fresh footer is shown after it,
so no emptied placeholder is left in the notebook. While a tool whose output reaches the cell
by itself runs (the kernel's ``python``), the footer's slot becomes that run's status line and
no footer is shown until the run ends, so its prints follow its card directly.

The footer ticks from the kernel's loop; when user code blocks the loop (a training step), a
clock thread started in the cell's context keeps it moving.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable
from typing import Any

from .cards import Footer, RunStatus

Display = Callable[..., Any]
STALE_AFTER = 1.0
"""Seconds without a loop tick after which the clock thread takes over."""


class LiveBottom:
    """The cell's display slots: ``show`` appends in order, keeping the footer (or a run's status) last."""

    def __init__(self, display: Display, footer: Footer, clock: Callable[[], float] = time.monotonic) -> None:
        self._display = display
        self.footer = footer
        self._clock = clock
        self._footer: Any = None
        self._footer_text = ""
        self.status: tuple[RunStatus, Any] | None = None
        self.lock = threading.RLock()
        self.last_sent = 0.0
        self.updates = 0  # display + update messages (for benchmarks)

    def _sent(self) -> None:
        self.updates += 1
        self.last_sent = self._clock()

    def show(self, obj: Any) -> Any:
        """Display ``obj`` as the next block (in the footer's slot when there is one)."""
        with self.lock:
            self._sent()
            if self._footer is None:
                return self._display(obj, display_id=True)
            handle, self._footer = self._footer, None
            handle.update(obj)
            if self.status is None:
                self._show_footer()
            return handle

    def update(self, handle: Any, obj: Any) -> None:
        """Re-render an earlier block."""
        with self.lock:
            self._sent()
            handle.update(obj)

    def _show_footer(self) -> None:
        self._footer_text = self.footer.text()
        self._sent()
        self._footer = self._display(self.footer, display_id=True)

    def refresh(self, elapsed: float, force: bool = False) -> None:
        """Re-render the footer or the run status when their text changed (skipped while output flows)."""
        with self.lock:
            if not force and self._clock() - self.last_sent < 1.0 and self._footer is not None:
                return
            self.footer.elapsed = elapsed
            if self.status is not None:
                status, handle = self.status
                if status.tick(self._clock()):
                    self.update(handle, status)
            elif self._footer is None:
                self._show_footer()
            elif self.footer.text() != self._footer_text:
                self._footer_text = self.footer.text()
                self.update(self._footer, self.footer)

    def begin_run(self, tool: str, call_id: str) -> None:
        """A tool that writes to the cell itself starts: its status line takes the footer's slot."""
        with self.lock:
            status = RunStatus(tool, call_id, self._clock())
            handle = self.show(status) if self._footer is None else self._take_footer(status)
            self.status = (status, handle)

    def _take_footer(self, status: RunStatus) -> Any:
        handle, self._footer = self._footer, None
        self._sent()
        handle.update(status)
        return handle

    def end_run(self, call_id: str, outcome: str) -> None:
        """The run ended (``done``, ``failed`` or ``stopped``): its line says so; a footer follows later."""
        with self.lock:
            if self.status is None or self.status[0].call_id != call_id:
                return
            status, handle = self.status
            status.finish(outcome, self._clock())
            self.status = None
            self.update(handle, status)

    def close(self, elapsed: float) -> None:
        """The final footer, last in the cell."""
        with self.lock:
            if self.status is not None:
                self.end_run(self.status[0].call_id, "stopped")
            self.refresh(elapsed, force=True)


class ClockThread:
    """Keeps the footer moving while user code blocks the kernel's loop (started in the cell's context)."""

    def __init__(self, refresh: Callable[[], None], heartbeat: Callable[[], float], interval: float = 0.5) -> None:
        self._refresh, self._heartbeat, self._interval = refresh, heartbeat, interval
        self._stop = threading.Event()
        context = contextvars.copy_context()  # the cell's parent header: updates land in this cell
        self._thread = threading.Thread(target=context.run, args=(self._run,), name="ml-intern-clock", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            if time.monotonic() - self._heartbeat() > STALE_AFTER:
                try:
                    self._refresh()
                except Exception:  # the cell may be gone (kernel shutting down): stop quietly
                    return

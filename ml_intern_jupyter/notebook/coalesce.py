"""When streamed text is drawn: one policy for the cell view and the chat panels.

Text that arrives is held until enough of it came and ``min_interval`` passed since the last
flush, or until ``max_interval`` passed; the first piece after a pause goes out at once, so
the first token is never delayed. A flush costs one message (iopub or websocket) and one
Markdown render of the whole reply in the page, so a slow model must not cost one per token.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Pace:
    """How often streamed text may be flushed."""

    min_interval: float
    max_interval: float
    min_chars: int


CELL_PACE = Pace(min_interval=1 / 15, max_interval=0.8, min_chars=160)
"""A cell re-renders its Markdown output per flush."""
PANEL_PACE = Pace(min_interval=0.1, max_interval=0.4, min_chars=80)
"""The sidebar draws a flush as it arrives: smoother than a cell, still far below one per token."""


class Coalescer:
    """Calls ``flush()`` for streamed text according to a :class:`Pace` (on the event loop)."""

    def __init__(self, flush: Callable[[], None], pace: Pace, clock: Callable[[], float] = time.monotonic) -> None:
        self._flush, self.pace, self._clock = flush, pace, clock
        self.pending_chars = 0
        self._last_flush = float("-inf")
        self._timer: asyncio.TimerHandle | None = None

    def add(self, chars: int, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """``chars`` more characters arrived: flush now, or make sure a flush is scheduled."""
        self.pending_chars += chars
        since = self._clock() - self._last_flush
        pace = self.pace
        if (since >= pace.min_interval and self.pending_chars >= pace.min_chars) or since >= pace.max_interval:
            self.flush_now()
        elif self._timer is None:
            delay = max(pace.max_interval - since, 0.0)
            self._timer = (loop or asyncio.get_running_loop()).call_later(delay, self.flush_now)

    def flush_now(self) -> None:
        """Flush what is pending (nothing if nothing is)."""
        self.cancel()
        if not self.pending_chars:
            return
        self.pending_chars = 0
        self._last_flush = self._clock()
        self._flush()

    def cancel(self) -> None:
        """Drop the scheduled flush (the pending count stays)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def reset(self) -> None:
        """Forget pending text (it was drawn another way)."""
        self.cancel()
        self.pending_chars = 0

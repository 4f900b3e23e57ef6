"""The flush policy of streamed text (cells and panels)."""

from __future__ import annotations

import asyncio

from ml_intern_jupyter.notebook.coalesce import CELL_PACE, PANEL_PACE, Coalescer, Pace


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def make(pace: Pace) -> tuple[Coalescer, list[float], Clock]:
    clock = Clock()
    flushes: list[float] = []
    return Coalescer(lambda: flushes.append(clock.now), pace, clock), flushes, clock


async def test_the_first_piece_goes_out_at_once_and_a_burst_is_held() -> None:
    coalescer, flushes, clock = make(PANEL_PACE)
    coalescer.add(5)
    assert flushes == [100.0]  # the first token is never delayed
    for _ in range(10):  # a burst of small pieces within a few milliseconds
        clock.now += 0.001
        coalescer.add(5)
    assert len(flushes) == 1 and coalescer.pending_chars == 50
    coalescer.flush_now()
    assert len(flushes) == 2 and coalescer.pending_chars == 0
    coalescer.flush_now()
    assert len(flushes) == 2  # nothing pending: no empty flush


async def test_enough_text_after_min_interval_flushes() -> None:
    coalescer, flushes, clock = make(PANEL_PACE)
    coalescer.add(1)
    clock.now += PANEL_PACE.min_interval / 2
    coalescer.add(PANEL_PACE.min_chars)  # enough text, too soon
    assert len(flushes) == 1
    clock.now += PANEL_PACE.min_interval
    coalescer.add(1)
    assert len(flushes) == 2
    coalescer.cancel()


async def test_a_trickle_is_flushed_by_the_timer_within_max_interval() -> None:
    pace = Pace(min_interval=0.01, max_interval=0.05, min_chars=1000)
    flushes: list[int] = []
    coalescer = Coalescer(lambda: flushes.append(1), pace)
    coalescer.add(3)
    coalescer.add(3)  # held: not enough text
    assert len(flushes) == 1
    await asyncio.sleep(0.2)
    assert len(flushes) == 2 and coalescer.pending_chars == 0


class Timer:
    def __init__(self, when: float, callback) -> None:
        self.when, self.callback, self.cancelled = when, callback, False

    def cancel(self) -> None:
        self.cancelled = True


class FakeLoop:
    """``call_later`` on the fake clock: timers fire when the simulation passes their time."""

    def __init__(self, clock: Clock) -> None:
        self.clock, self.timers = clock, []

    def call_later(self, delay, callback):
        timer = Timer(self.clock.now + delay, callback)
        self.timers.append(timer)
        return timer

    def advance(self, seconds: float) -> None:
        end = self.clock.now + seconds
        while due := sorted((t for t in self.timers if not t.cancelled and t.when <= end), key=lambda t: t.when):
            timer = due[0]
            self.timers.remove(timer)
            self.clock.now = timer.when
            timer.callback()
        self.clock.now = end


def simulated_flushes(pace: Pace, tokens_per_second: float, tokens: int = 1000, chars: int = 4) -> int:
    """Flushes for ``tokens`` pieces of ``chars`` characters at a steady rate, timers included."""
    coalescer, flushes, clock = make(pace)
    loop = FakeLoop(clock)
    for _ in range(tokens):
        coalescer.add(chars, loop)
        loop.advance(1 / tokens_per_second)
    loop.advance(pace.max_interval)
    assert coalescer.pending_chars == 0  # everything was flushed by the timer in the end
    return len(flushes)


def test_paced_streams_stay_far_below_one_message_per_token() -> None:
    counts = {(name, rate): simulated_flushes(pace, rate) for name, pace in (("cell", CELL_PACE), ("panel", PANEL_PACE))
              for rate in (30, 100, 300)}  # fmt: skip
    assert all(count <= 50 for (name, _), count in counts.items() if name == "cell"), counts
    assert all(count <= 110 for count in counts.values()), counts
    assert counts["panel", 30] > counts["cell", 30]  # the panel is the smoother of the two

"""One ``python`` tool run's output: shown in its cell as it happens, bounded, copied for the model.

Text goes on to the kernel's own stream at once (ipykernel sends it within its 0.2 s flush
interval), so a training loop's prints appear while it runs. Past the limits (lines or bytes),
the cell gets no more raw text: a live tail (the last lines and how many are hidden) is updated
at most four times a second, and everything is written to a file whose path the tail and the
model's copy name. Displays pass through (counted, summarised for the model); ``clear_output``
would wipe the agent's whole cell, so after one the run's displays replace each other in one
slot instead. Each shown line and display is also an ``echoed`` event, for other views (the
sidebar) that cannot see the cell.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..tools.builtin._output import StreamTranscript
from ..tools.spec import RichDisplay, ToolContext

Forward = Callable[[str, str], None]
"""``forward(stream_name, text)``: write to the real stream."""
Publish = Callable[[dict[str, Any], str, bool], None]
"""``publish(data, display_id, update)``: a display of the capture's own, past the hooks."""


@dataclass(frozen=True)
class OutputLimits:
    """How much of one run the cell shows before it switches to the live tail."""

    lines: int = 2000
    bytes: int = 1_000_000
    tail_lines: int = 20
    tail_interval: float = 0.25
    displays: int = 200


def _fit(text: str, lines: int, chars: int) -> int:
    """How many characters of ``text`` fit in ``lines`` more newlines and ``chars`` more characters."""
    end = min(len(text), max(chars, 0))
    if lines <= 0:
        return 0 if "\n" in text[:end] else end
    index = -1
    for _ in range(lines):
        index = text.find("\n", index + 1, end)
        if index < 0:
            return end
    return index + 1


class ToolCapture:
    """Receives a run's writes (from any thread) and displays (from the kernel's main thread)."""

    def __init__(
        self,
        ctx: ToolContext,
        *,
        limits: OutputLimits,
        forward: Forward,
        publish: Publish,
        output_file: Path,
        loop: asyncio.AbstractEventLoop | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ctx, self.limits, self.output_file = ctx, limits, output_file
        self._forward, self._publish, self._clock = forward, publish, clock
        self._loop = loop
        self._loop_thread = threading.get_ident()
        self._context = contextvars.copy_context()  # the cell's: where a timer's tail update goes
        self._lock = threading.RLock()
        self._model = {"stdout": StreamTranscript(), "stderr": StreamTranscript()}
        self._head: list[str] = []
        self.shown_lines = self.shown_chars = self.hidden_lines = 0
        self._tail: deque[str] = deque(maxlen=limits.tail_lines)
        self._partial = ""
        self._file: Any = None
        self._displays: list[str] = []
        self._display_count = 0
        self._slot: str | None = None
        self._replace = False
        self._tail_id = f"ml-intern-tail-{ctx.tool_call_id}"
        self._last_tail = 0.0
        self._timer: threading.Timer | None = None
        self.closed = False

    @property
    def over_limit(self) -> bool:
        """True once the cell switched to the live tail."""
        return self._file is not None

    # -- text -------------------------------------------------------------------------------
    def write(self, name: str, text: str) -> None:
        """Take one write of ``sys.stdout``/``sys.stderr`` made by the run (or code it started)."""
        with self._lock:
            if self.closed:
                self._forward(name, text)
                return
            logged = self._model[name].feed(text)
            if not self.over_limit:
                fits = _fit(text, self.limits.lines - self.shown_lines, self.limits.bytes - self.shown_chars)
                shown, text = text[:fits], text[fits:]
                if shown:
                    self._forward(name, shown)
                    self._head.append(shown)
                    self.shown_lines += shown.count("\n")
                    self.shown_chars += len(shown)
                    self._log(logged)
                if not text:
                    return
                self._start_file()
            self._file.write(text)
            self._add_tail(text)
        self._tail_soon()

    def _on_loop(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` now when on the loop's thread (events are emitted there), else hand it over."""
        if threading.get_ident() == self._loop_thread or self._loop is None:
            fn()
        else:
            self._loop.call_soon_threadsafe(fn)

    def _log(self, lines: list[str]) -> None:
        for line in lines:
            self._on_loop(lambda line=line: self.ctx.log(line, echoed=True))

    def _start_file(self) -> None:
        self.output_file.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(self.output_file, "w", encoding="utf-8", buffering=65536)  # noqa: SIM115
        self._file.writelines(self._head)
        self._head = []

    def _add_tail(self, text: str) -> None:
        parts = (self._partial + text).split("\n")
        self._partial = parts.pop()
        self.hidden_lines += len(parts)
        self._tail.extend(part.rsplit("\r", 1)[-1] for part in parts)

    def _tail_text(self, final: bool) -> str:
        tail = [*self._tail, *([self._partial.rsplit("\r", 1)[-1]] if self._partial else [])]
        unseen = self.hidden_lines + (1 if self._partial else 0) - len(tail)
        state = "" if final else " (still running)"
        head = f"… {unseen:,} more lines hidden{state} · full output: {self.output_file}"
        return "\n".join([head, *tail])

    def _tail_soon(self) -> None:
        now = self._clock()
        if now - self._last_tail >= self.limits.tail_interval:
            self._publish_tail(final=False)
        elif self._timer is None:  # a run that prints once and then computes still gets its tail shown
            delay = self.limits.tail_interval - (now - self._last_tail)
            self._timer = threading.Timer(delay, lambda: self._context.copy().run(self._timed_tail))
            self._timer.daemon = True
            self._timer.start()

    def _timed_tail(self) -> None:
        with self._lock:
            self._timer = None
            if not self.closed:
                self._publish_tail(final=False)

    def _publish_tail(self, final: bool) -> None:
        with self._lock:
            first = self._last_tail == 0.0
            self._last_tail = self._clock()
            text = self._tail_text(final)
        self._publish({"text/plain": text}, self._tail_id, not first)
        shown = RichDisplay({"text/plain": text}, display_id=self._tail_id, update=not first, echoed=True)
        self._on_loop(lambda: self.ctx.show(shown))

    # -- displays ---------------------------------------------------------------------------
    def on_display(self, msg: dict[str, Any]) -> dict[str, Any] | None:
        """A display the run made: pass it on (within the limits), summarise it; None drops it."""
        content = msg.get("content", {})
        display_id = (content.get("transient") or {}).get("display_id") or ""
        if display_id.startswith("ml-intern-"):
            return msg  # the agent's own view of the cell
        kind = msg.get("msg_type") or msg.get("header", {}).get("msg_type")
        if kind == "clear_output":
            self._replace = True  # wiping the cell would wipe the agent's cards: reuse one slot instead
            return None
        if kind != "display_data":
            return msg
        self._display_count += 1
        data = content.get("data") or {}
        if self._display_count > self.limits.displays:
            return None
        self._displays.append(_summary(data))
        if self._replace:
            msg = self._into_slot(msg)
        metadata = dict(content.get("metadata") or {})
        self.ctx.show(RichDisplay(dict(data), metadata, display_id=display_id or None, echoed=True))
        return msg

    def _into_slot(self, msg: dict[str, Any]) -> dict[str, Any]:
        content = dict(msg["content"])
        first = self._slot is None
        self._slot = self._slot or f"ml-intern-slot-{self.ctx.tool_call_id}"
        content["transient"] = {**(content.get("transient") or {}), "display_id": self._slot}
        header = {**msg["header"], "msg_type": "display_data" if first else "update_display_data"}
        return {**msg, "header": header, "msg_type": header["msg_type"], "content": content}

    # -- the end ----------------------------------------------------------------------------
    def close(self) -> None:
        """Flush the file and show the final tail (idempotent)."""
        with self._lock:
            if self.closed:
                return
            self.closed = True
            if self._timer is not None:
                self._timer.cancel()
            over = self.over_limit
            if over:
                self._file.close()
        if over:
            self._publish_tail(final=True)

    def model_text(self) -> str:
        """What the model learns of the output: bounded streams, display summaries, where the rest is."""
        for transcript in self._model.values():
            transcript.close()
        parts = []
        if out := self._model["stdout"].render():
            parts.append(out)
        if err := self._model["stderr"].render():
            parts.append("[stderr]\n" + err)
        parts += self._displays
        if self._display_count > self.limits.displays:
            parts.append(f"[{self._display_count - self.limits.displays} more displays were not shown]")
        if self.over_limit:
            total = self.shown_lines + self.hidden_lines
            parts.append(f"[{total:,} lines of output; the cell shows the first {self.shown_lines:,} and the last few; "
                         f"all of it is in {self.output_file}]")  # fmt: skip
        return "\n".join(parts)


def _summary(data: dict[str, Any]) -> str:
    kinds = [k for k in data if k != "text/plain"]
    text = str(data.get("text/plain", "")).strip()
    if not kinds:
        return text
    shown = ", ".join(kinds)
    return f"[displayed in the notebook: {shown}] {text[:500]}".rstrip()

"""Bounded transcripts of streamed output, shared by the shell and Python tools."""

from __future__ import annotations

import re
from collections import deque

MAX_OUTPUT_CHARS = 30_000
"""Cap on the text a tool returns to the model (head and tail are kept)."""

MAX_LOG_LINE_CHARS = 2_000
"""Cap on one ``tool_log`` line."""

_MAX_PENDING_CHARS = 65_536
_SEPARATOR = re.compile(r"(\r|\n)")


class HeadTailBuffer:
    """Keeps the first and last ``limit // 2`` characters of a stream of lines."""

    def __init__(self, limit: int = MAX_OUTPUT_CHARS) -> None:
        self._head_room = limit // 2
        self._tail_max = limit - self._head_room
        self._head: list[str] = []
        self._tail: deque[str] = deque()
        self._tail_len = 0
        self._omitted = 0

    def add_line(self, line: str) -> None:
        """Append one line (given without its newline)."""
        text = line + "\n"
        if self._head_room:
            taken = text[: self._head_room]
            self._head.append(taken)
            self._head_room -= len(taken)
            text = text[len(taken) :]
            if not text:
                return
            self._head_room = 0
        if len(text) > self._tail_max:
            self._omitted += len(text) - self._tail_max
            text = text[-self._tail_max :]
        self._tail.append(text)
        self._tail_len += len(text)
        while self._tail_len > self._tail_max:
            dropped = self._tail.popleft()
            self._tail_len -= len(dropped)
            self._omitted += len(dropped)

    def render(self) -> str:
        """The kept text, with a marker saying how much was left out."""
        head = "".join(self._head)
        tail = "".join(self._tail)
        if self._omitted:
            marker = f"\n[... {self._omitted} characters omitted ...]\n"
            return (head.rstrip("\n") + marker + tail).rstrip("\n")
        return (head + tail).rstrip("\n")


class StreamTranscript:
    """Turns raw output chunks into log lines and a capped transcript.

    Carriage-return updates (progress bars) are logged as they come, but only
    the last one of each line is kept in the transcript.
    """

    def __init__(self, limit: int = MAX_OUTPUT_CHARS) -> None:
        self._buffer = HeadTailBuffer(limit)
        self._pending = ""
        self._last_update = ""

    def feed(self, text: str) -> list[str]:
        """Add a chunk; return the lines (and progress updates) it completed."""
        parts = _SEPARATOR.split(self._pending + text)
        self._pending = parts.pop()
        logs: list[str] = []
        for piece, sep in zip(parts[::2], parts[1::2], strict=True):
            if sep == "\r":
                if piece:
                    self._last_update = piece
                    logs.append(_clip(piece))
            else:
                self._end_line(piece)
                if piece:
                    logs.append(_clip(piece))
        if len(self._pending) > _MAX_PENDING_CHARS:
            logs.extend(self.close())
        return logs

    def close(self) -> list[str]:
        """Flush an unterminated last line; return it for logging."""
        piece, self._pending = self._pending, ""
        if not piece and not self._last_update:
            return []
        self._end_line(piece)
        return [_clip(piece)] if piece else []

    def render(self) -> str:
        """The transcript so far (call :meth:`close` first for the last line)."""
        return self._buffer.render()

    def _end_line(self, piece: str) -> None:
        self._buffer.add_line(piece or self._last_update)
        self._last_update = ""


def _clip(line: str) -> str:
    if len(line) <= MAX_LOG_LINE_CHARS:
        return line
    return line[:MAX_LOG_LINE_CHARS] + f"… [{len(line) - MAX_LOG_LINE_CHARS} more chars]"

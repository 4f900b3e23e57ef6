"""A stdio server's stderr, kept as a bounded tail in memory: it explains a failed start or a crash.

The server writes into a pipe that the event loop drains as data arrives (the server never
blocks on a full pipe, and a chatty server costs at most ``KEEP_BYTES`` of memory, no disk).
"""

from __future__ import annotations

import asyncio
import os
from contextlib import AsyncExitStack
from typing import IO

KEEP_BYTES = 8192
TAIL_LINES = 6
TAIL_CHARS = 600
SETTLE_SECONDS = 0.05  # lets the loop read what a process wrote just before it died


class _Drain(asyncio.Protocol):
    def __init__(self, buffer: bytearray) -> None:
        self._buffer = buffer

    def data_received(self, data: bytes) -> None:
        self._buffer.extend(data)
        del self._buffer[:-KEEP_BYTES]


class StderrTail:
    """Where a stdio server's stderr goes (``file``), and its last lines (``await tail()``)."""

    def __init__(self, file: IO[str], buffer: bytearray | None) -> None:
        self.file = file
        self._buffer = buffer

    @classmethod
    async def open(cls, stack: AsyncExitStack) -> StderrTail:
        """A pipe drained by the running loop (``os.devnull`` where the loop cannot read pipes)."""
        read_fd, write_fd = os.pipe()
        reader, writer = os.fdopen(read_fd, "rb", buffering=0), os.fdopen(write_fd, "w")
        buffer = bytearray()
        try:
            transport, _ = await asyncio.get_running_loop().connect_read_pipe(lambda: _Drain(buffer), reader)
        except (NotImplementedError, OSError):
            reader.close()
            writer.close()
            devnull = open(os.devnull, "w")  # noqa: SIM115 (closed by the stack)
            stack.callback(devnull.close)
            return cls(devnull, None)
        stack.callback(transport.close)
        stack.callback(writer.close)
        return cls(writer, buffer)

    async def tail(self) -> str:
        """The last few lines the server wrote ('' if none)."""
        if self._buffer is None:
            return ""
        await asyncio.sleep(SETTLE_SECONDS)
        lines = bytes(self._buffer).decode("utf-8", "replace").strip().splitlines()
        return " | ".join(line.strip() for line in lines[-TAIL_LINES:] if line.strip())[-TAIL_CHARS:]

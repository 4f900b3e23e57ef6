"""Run a blocking producer in a worker thread and consume it from asyncio.

Items cross to the event loop with ``loop.call_soon_threadsafe`` into an ``asyncio.Queue``.
The consumer receives them in batches (everything queued since it last looked), so a slow
consumer costs one wake-up per batch, not per token. Cancelling or closing the consumer sets
the producer's stop flag; the producer checks it between tokens.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

Producer = Callable[[threading.Event], Iterator[T]]

_DONE = object()


async def stream_in_thread(produce: Producer[T], name: str = "local-llm") -> AsyncIterator[list[T]]:
    """Yield batches of the items ``produce(stop_flag)`` makes in a daemon thread."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Any] = asyncio.Queue()
    stop = threading.Event()

    def post(item: Any) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError:  # the loop is closed: nobody is listening any more
            stop.set()

    def work() -> None:
        try:
            for item in produce(stop):
                post(item)
                if stop.is_set():
                    break
        except BaseException as exc:  # handed to the consumer, raised there
            post(_Failure(exc))
        finally:
            post(_DONE)

    thread = threading.Thread(target=work, name=name, daemon=True)
    thread.start()
    try:
        while True:
            items = [await queue.get()]
            while not queue.empty():
                items.append(queue.get_nowait())
            done = _DONE in items
            batch = [item for item in items if item is not _DONE]
            for item in batch:
                if isinstance(item, _Failure):
                    raise item.exc
            if batch:
                yield batch
            if done:
                return
    finally:
        stop.set()


async def run_in_thread(produce: Producer[T], name: str = "local-llm") -> list[T]:
    """All items of ``produce`` (cancellable: cancelling the caller stops the producer)."""
    out: list[T] = []
    stream = stream_in_thread(produce, name)
    try:
        async for batch in stream:
            out.extend(batch)
    finally:
        with contextlib.suppress(Exception):
            await stream.aclose()
    return out


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc

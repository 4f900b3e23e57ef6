"""``python{code}``: run code in the user's live namespace, its output live in the cell.

``await ip.run_cell_async(code, store_history=False)`` runs on the kernel's loop, so top-level
``await`` works and comm messages (widget clicks) are still handled. While it runs, the
:class:`~.output_router.OutputRouter` routes this run's prints and displays, and nothing
else, to a :class:`~.tool_capture.ToolCapture`: the cell shows them as they happen (bounded),
the model gets a bounded copy. For blocking code, Python's default SIGINT handler is
installed around the run, so the notebook's Stop raises ``KeyboardInterrupt`` in it
(ipykernel alone would only cancel the awaiting task).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import linecache
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from IPython.core.interactiveshell import InteractiveShell
from IPython.lib.pretty import pretty

from ..common import head_tail
from ..tools.spec import ToolContext, ToolResult, ToolSpec
from .output_router import OutputRouter
from .tool_capture import OutputLimits, ToolCapture

OWN_FILES = ("ml_intern_jupyter", "IPython/core", "asyncio")
VALUE_LIMIT = 4000

DESCRIPTION = (
    "Run Python code in the user's live Jupyter kernel. Variables, imports and functions persist and are "
    "shared with the user's notebook (e.g. their DataFrames). Top-level `await` works. Output (prints, "
    "plots, progress bars) appears in the notebook as it happens; you get stdout, stderr, a summary of "
    "rich outputs, the value of the last expression and a compact traceback on error. Long-running code "
    "(training) is fine: there is no timeout. Keep printed output small."
)


@contextlib.contextmanager
def python_sigint() -> Iterator[None]:
    """Let SIGINT raise KeyboardInterrupt inside blocking user code (ipykernel only cancels tasks)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def evicted_from_linecache(ip: InteractiveShell, code: str, transformed: str) -> Iterator[None]:
    """Drop the source IPython caches for this run when it ends (unless a cell of the user has it too)."""
    name = ip.compile.get_code_name(code, transformed, ip.execution_count)
    present = name in linecache.cache
    try:
        yield
    finally:
        if not present:
            linecache.cache.pop(name, None)


@contextlib.contextmanager
def users_last_error_kept() -> Iterator[None]:
    """Keep ``sys.last_value`` & co. as the user's (``%intern fix`` must see their error, not the agent's)."""
    names = ("last_type", "last_value", "last_traceback", "last_exc")
    saved = {name: getattr(sys, name) for name in names if hasattr(sys, name)}
    try:
        yield
    finally:
        for name in names:
            if name in saved:
                setattr(sys, name, saved[name])
            elif hasattr(sys, name):
                delattr(sys, name)


def compact_traceback(error: BaseException, max_frames: int = 6) -> str:
    """The user-code frames of a traceback and the error line, without tool internals."""
    tb = traceback.TracebackException.from_exception(error)
    frames = [f for f in tb.stack if not any(part in f.filename for part in OWN_FILES)]
    tb.stack = traceback.StackSummary.from_list(frames[-max_frames:])
    return "".join(tb.format()).strip()


def model_view(capture: ToolCapture, result: Any) -> str:
    """What the model learns from one run: output, rich outputs, last value, error."""
    parts = [capture.model_text()] if capture.model_text() else []
    if result.result is not None:
        parts.append(head_tail(pretty(result.result, max_seq_length=50), VALUE_LIMIT))
    error = result.error_before_exec or result.error_in_exec
    if error is not None:
        parts.append("[error]\n" + compact_traceback(error))
    return "\n".join(parts) or "(no output)"


def output_file(directory: Path, call_id: str) -> Path:
    """Where the full output of one run goes when the cell shows only its head and tail."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return directory / f"{stamp}-{call_id}.txt"


def make_kernel_python_tool(
    ip: InteractiveShell, router: OutputRouter, outputs: Callable[[], Path], limits: OutputLimits
) -> ToolSpec:
    """The ``python`` tool of the kernel; ``outputs()`` is the directory of full outputs."""

    def publish(data: dict[str, Any], display_id: str, update: bool) -> None:
        ip.display_pub.publish(data, transient={"display_id": display_id}, update=update)

    def forward(name: str, text: str) -> None:
        router.stream(name).write(text)

    async def run(arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        code = arguments["code"]
        transformed = ip.transform_cell(code)
        blocking = not ip.should_run_async(code, transformed_cell=transformed)
        target = output_file(outputs(), ctx.tool_call_id)
        loop = asyncio.get_running_loop()
        capture = ToolCapture(ctx, limits=limits, forward=forward, publish=publish, output_file=target, loop=loop)
        sigint = python_sigint() if blocking else contextlib.nullcontext()
        try:
            with (
                router.capturing(capture),
                sigint,
                evicted_from_linecache(ip, code, transformed),
                users_last_error_kept(),
            ):
                result = await ip.run_cell_async(code, store_history=False, transformed_cell=transformed)
        finally:
            capture.close()
        if isinstance(result.error_in_exec, KeyboardInterrupt):
            raise asyncio.CancelledError("interrupted by the user")
        return ToolResult(model_view(capture, result), ok=result.success)

    return ToolSpec(
        name="python",
        description=DESCRIPTION,
        parameters={
            "type": "object",
            "properties": {"code": {"type": "string", "description": "Python code to run"}},
            "required": ["code"],
            "additionalProperties": False,
        },
        handler=run,
        needs_approval=True,
        approval_reason="runs code in your notebook's namespace",
        exclusive=True,
    )

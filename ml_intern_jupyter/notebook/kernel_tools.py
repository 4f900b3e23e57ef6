"""Tools bound to the live kernel: ``python``, ``notebook_variables``, ``insert_cell``."""

from __future__ import annotations

import asyncio
import contextlib
import linecache
import signal
import threading
import traceback
from collections.abc import Iterator
from typing import Any

from IPython.core.interactiveshell import InteractiveShell
from IPython.lib.pretty import pretty
from IPython.utils.capture import capture_output

from ..tools.spec import ToolContext, ToolResult, ToolSpec
from ..traces.redact import Redactor
from .variables import describe_variables

_OWN_FILES = ("ml_intern_jupyter", "IPython/core", "asyncio")


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


def compact_traceback(error: BaseException, max_frames: int = 6) -> str:
    """The user-code frames of a traceback and the error line, without tool internals."""
    tb = traceback.TracebackException.from_exception(error)
    frames = [f for f in tb.stack if not any(part in f.filename for part in _OWN_FILES)]
    tb.stack = traceback.StackSummary.from_list(frames[-max_frames:])
    return "".join(tb.format()).strip()


def _summarise_outputs(captured: Any) -> list[str]:
    parts = []
    for output in captured.outputs:
        data = output.data or {}
        kinds = [k for k in data if k != "text/plain"]
        text = data.get("text/plain", "")
        if kinds:
            parts.append(f"[{', '.join(kinds)} output shown to the user] {text}".strip())
        elif text:
            parts.append(text)
    return parts


def model_view(captured: Any, result: Any, limit: int = 4000) -> str:
    """What the model learns from one run: streams, rich outputs, last value, error."""
    parts = []
    if captured.stdout:
        parts.append(captured.stdout.rstrip())
    if captured.stderr:
        parts.append("[stderr]\n" + captured.stderr.rstrip())
    parts += _summarise_outputs(captured)
    if result.result is not None:
        value = pretty(result.result, max_seq_length=50)
        parts.append(value if len(value) <= limit else value[:limit] + "…")
    error = result.error_before_exec or result.error_in_exec
    if error is not None:
        parts.append("[error]\n" + compact_traceback(error))
    return "\n".join(parts) or "(no output)"


def make_kernel_python_tool(ip: InteractiveShell) -> ToolSpec:
    """``python{code}``: run code in the user's namespace with ``run_cell_async``."""

    async def run(arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        code = arguments["code"]
        transformed = ip.transform_cell(code)
        blocking = not ip.should_run_async(code, transformed_cell=transformed)
        sigint = python_sigint() if blocking else contextlib.nullcontext()
        with capture_output(display=True) as captured, sigint, evicted_from_linecache(ip, code, transformed):
            result = await ip.run_cell_async(code, store_history=False, transformed_cell=transformed)
        captured.show()
        if isinstance(result.error_in_exec, KeyboardInterrupt):
            raise asyncio.CancelledError("interrupted by the user")
        return ToolResult(model_view(captured, result), ok=result.success)

    return ToolSpec(
        name="python",
        description=(
            "Run Python code in the user's live Jupyter kernel. Variables, imports and functions persist "
            "and are shared with the user's notebook (e.g. their DataFrames). Top-level `await` works. "
            "Returns stdout, the value of the last expression, rich outputs summarised, and a compact "
            "traceback on error. Long-running code (training) is fine: there is no timeout."
        ),
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


def make_variables_tool(ip: InteractiveShell, hidden: set[str]) -> ToolSpec:
    """``notebook_variables{names?}``: names, types, shapes of the user's variables (secrets hidden)."""
    redactor = Redactor()

    async def run(arguments: dict[str, Any], ctx: ToolContext) -> str:
        return describe_variables(ip.user_ns, arguments.get("names"), hidden=hidden, redactor=redactor)

    return ToolSpec(
        name="notebook_variables",
        description=(
            "List the variables defined in the user's notebook: name, type, shape/dtype, a short value, "
            "and the columns and head of DataFrames. Pass `names` for specific variables."
        ),
        parameters={
            "type": "object",
            "properties": {"names": {"type": "array", "items": {"type": "string"}}},
            "additionalProperties": False,
        },
        handler=run,
    )


def make_insert_cell_tool(ip: InteractiveShell) -> ToolSpec:
    """``insert_cell{code}``: propose code as a new cell below, for the user to keep."""

    async def run(arguments: dict[str, Any], ctx: ToolContext) -> str:
        payload = {"source": "set_next_input", "text": arguments["code"], "replace": False}
        manager = getattr(ip, "payload_manager", None)
        if manager is None:
            return "This front end cannot insert cells; the code is shown in the tool card instead."
        manager.write_payload(payload, single=False)
        return "The code was proposed as a new cell below the current one (it has not been run)."

    return ToolSpec(
        name="insert_cell",
        description="Propose code as a new notebook cell below the current one, without running it.",
        parameters={
            "type": "object",
            "properties": {"code": {"type": "string", "description": "the cell's code"}},
            "required": ["code"],
            "additionalProperties": False,
        },
        handler=run,
    )


def kernel_tools(ip: InteractiveShell, hidden: set[str]) -> list[ToolSpec]:
    """The three kernel-bound tools."""
    return [make_kernel_python_tool(ip), make_variables_tool(ip, hidden), make_insert_cell_tool(ip)]

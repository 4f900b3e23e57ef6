"""The plain-Python ``python`` tool for the headless CLI (the notebook binds its own)."""

from __future__ import annotations

import ast
import asyncio
import builtins
import contextlib
import ctypes
import io
import linecache
import threading
import traceback
from collections.abc import Callable
from typing import Any

from ..spec import ToolContext, ToolResult, ToolSpec
from ._output import StreamTranscript

MAX_TRACEBACK_FRAMES = 8
"""Frames kept from the innermost end of a traceback."""

DESCRIPTION = """\
Run Python code in a persistent interpreter and return what it printed.

- Variables, imports and functions persist between calls, like cells of a notebook.
- If the last statement is an expression its repr is shown, as in a REPL (end the line \
with `;` to hide it).
- stdout and stderr are captured; long output keeps its head and tail (about 30,000 \
characters). An exception returns a short traceback.
- Top-level `await` is not supported. Use `bash` for shell commands and `pip install`."""

PARAMETERS: dict[str, Any] = {
    "type": "object",
    "properties": {"code": {"type": "string", "description": "The Python source to run."}},
    "required": ["code"],
    "additionalProperties": False,
}


class PythonNamespace:
    """A persistent globals dict in which code runs like REPL cells.

    :meth:`run` is blocking and meant for a worker thread. It captures output by
    swapping ``sys.stdout``/``sys.stderr`` (``contextlib.redirect_stdout``), which
    is process-wide: while a cell runs, prints from other threads land in its
    output too, and output written by C code or subprocesses is not captured.
    Runs are serialised by a lock, so a cell that keeps running after its call
    was cancelled delays the next one instead of racing it.
    """

    def __init__(self, namespace: dict[str, Any] | None = None) -> None:
        self.globals: dict[str, Any] = namespace if namespace is not None else {}
        self.globals.setdefault("__name__", "__main__")
        self.globals.setdefault("__builtins__", builtins)
        self._run_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._thread_id: int | None = None
        self._cells = 0

    def run(self, code: str, out: io.TextIOBase) -> bool:
        """Run ``code``; prints, the trailing value's repr and any traceback go to ``out``."""
        with self._run_lock:
            with self._state_lock:
                self._cells += 1
                self._thread_id = threading.get_ident()
            filename = f"<python-{self._cells}>"
            try:
                with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                    return self._execute(code, filename, out)
            finally:
                with self._state_lock:
                    self._thread_id = None

    def interrupt(self) -> bool:
        """Raise ``KeyboardInterrupt`` in the running cell; False if none runs.

        Takes effect at the next Python bytecode: a cell blocked in C (``time.sleep``,
        a socket read) stops only when that call returns.
        """
        with self._state_lock:
            if self._thread_id is None:
                return False
            hit = ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(self._thread_id), ctypes.py_object(KeyboardInterrupt)
            )
            return hit == 1

    def _execute(self, code: str, filename: str, out: io.TextIOBase) -> bool:
        # Registered so tracebacks and inspect.getsource can show the cell's lines.
        linecache.cache[filename] = (len(code), None, code.splitlines(keepends=True), filename)
        try:
            tree = ast.parse(code, filename)
            last = None
            if tree.body and isinstance(tree.body[-1], ast.Expr):
                last = ast.Expression(tree.body.pop().value)
            exec(compile(tree, filename, "exec"), self.globals)
            if last is not None:
                value = eval(compile(last, filename, "eval"), self.globals)
                if value is not None and not code.rstrip().endswith(";"):
                    out.write(repr(value) + "\n")
        except BaseException as exc:  # user code may raise anything, SystemExit included
            out.write(format_user_exception(exc))
            return False
        return True


def format_user_exception(exc: BaseException) -> str:
    """A traceback without this module's frames, keeping the innermost frames."""
    if isinstance(exc, SyntaxError):
        return "".join(traceback.format_exception_only(type(exc), exc))
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    summary = traceback.TracebackException(type(exc), exc, tb, limit=-MAX_TRACEBACK_FRAMES)
    return "".join(summary.format())


class _LogStream(io.TextIOBase):
    """A thread-safe text stream feeding a transcript and logging completed lines."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, transcript: StreamTranscript, log: Callable[[str], None]) -> None:
        self._transcript = transcript
        self._log = log
        self._lock = threading.Lock()

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        with self._lock:
            lines = self._transcript.feed(text)
        for line in lines:
            self._log(line)
        return len(text)


def make_python_tool(namespace: PythonNamespace | None = None) -> ToolSpec:
    """The ``python`` tool spec, running code in ``namespace`` (a fresh one by default)."""
    namespace = namespace if namespace is not None else PythonNamespace()

    async def run_python(arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        loop = asyncio.get_running_loop()

        def log(line: str) -> None:
            with contextlib.suppress(RuntimeError):  # the loop may be closed after a cancel
                loop.call_soon_threadsafe(ctx.log, line)

        transcript = StreamTranscript()
        try:
            ok = await asyncio.to_thread(namespace.run, arguments["code"], _LogStream(transcript, log))
        except asyncio.CancelledError:
            namespace.interrupt()
            raise
        for line in transcript.close():
            ctx.log(line)
        return ToolResult(transcript.render() or "(no output)", ok=ok)

    return ToolSpec(
        name="python",
        description=DESCRIPTION,
        parameters=PARAMETERS,
        handler=run_python,
        needs_approval=True,
        approval_reason="runs Python code",
        exclusive=True,
    )

"""The plain python tool: persistent namespace, REPL-style value, capture, errors."""

from __future__ import annotations

import asyncio
import io

import pytest

from ml_intern_jupyter.tools.builtin import PythonNamespace, make_python_tool
from ml_intern_jupyter.tools.spec import ToolRouter


@pytest.fixture
def router() -> ToolRouter:
    return ToolRouter([make_python_tool()])


def test_spec_flags():
    spec = make_python_tool()
    assert spec.name == "python"
    assert spec.exclusive is True
    assert spec.requires_approval({"code": "1"}) is True
    assert spec.approval_reason == "runs Python code"


async def test_namespace_persists_across_calls(router, recorder):
    first = await router.execute("python", {"code": "import math\nx = 21"}, recorder.ctx)
    second = await router.execute("python", {"code": "def double(v):\n    return 2 * v\ndouble(x)"}, recorder.ctx)
    third = await router.execute("python", {"code": "math.floor(double(x) / 4)"}, recorder.ctx)
    assert first.output == "(no output)"
    assert second.output == "42"
    assert third.output == "10"


async def test_shared_namespace_object(recorder):
    namespace = PythonNamespace({"df": [1, 2, 3]})
    tool = make_python_tool(namespace)
    result = await tool.handler({"code": "total = sum(df)\ntotal"}, recorder.ctx)
    assert result.output == "6"
    assert namespace.globals["total"] == 6


async def test_trailing_expression_repr_and_semicolon(router, recorder):
    shown = await router.execute("python", {"code": "s = 'hi'\ns"}, recorder.ctx)
    hidden = await router.execute("python", {"code": "s;"}, recorder.ctx)
    none = await router.execute("python", {"code": "None"}, recorder.ctx)
    assert shown.output == "'hi'"
    assert hidden.output == "(no output)"
    assert none.output == "(no output)"


async def test_stdout_and_stderr_captured_and_logged(router, recorder):
    code = "import sys\nprint('out line')\nprint('err line', file=sys.stderr)\n[1, 2]"
    result = await router.execute("python", {"code": code}, recorder.ctx)
    assert result.ok
    assert result.output == "out line\nerr line\n[1, 2]"
    assert recorder.log_lines == ["out line", "err line", "[1, 2]"]


async def test_exception_gives_compact_traceback(router, recorder):
    code = "print('before')\ndef f(d):\n    return d['missing']\nf({})"
    result = await router.execute("python", {"code": code}, recorder.ctx)
    assert result.ok is False
    assert result.output.startswith("before\nTraceback (most recent call last):")
    assert "KeyError: 'missing'" in result.output
    assert "return d['missing']" in result.output  # source lines of the cell are shown
    assert "python_exec.py" not in result.output  # no tool internals


async def test_syntax_error(router, recorder):
    result = await router.execute("python", {"code": "def broken(:\n    pass"}, recorder.ctx)
    assert result.ok is False
    assert "SyntaxError" in result.output
    assert "Traceback" not in result.output


async def test_system_exit_is_reported_not_raised(router, recorder):
    result = await router.execute("python", {"code": "raise SystemExit(3)"}, recorder.ctx)
    assert result.ok is False
    assert "SystemExit: 3" in result.output


async def test_long_output_is_capped(router, recorder):
    result = await router.execute("python", {"code": "for i in range(50000): print(i)"}, recorder.ctx)
    assert len(result.output) < 31_000
    assert result.output.startswith("0\n1\n")
    assert result.output.endswith("49999")
    assert "characters omitted" in result.output


async def test_runs_off_the_event_loop(router, recorder):
    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    await router.execute("python", {"code": "import time\ntime.sleep(0.3)"}, recorder.ctx)
    task.cancel()
    assert ticks >= 10


async def test_cancel_interrupts_a_python_loop(recorder):
    namespace = PythonNamespace()
    tool = make_python_tool(namespace)
    code = "import time\nstarted = True\nwhile True:\n    time.sleep(0.01)"
    task = asyncio.create_task(tool.handler({"code": code}, recorder.ctx))
    while not namespace.globals.get("started"):
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # The worker thread stops at its next bytecode; the next cell then runs.
    out = io.StringIO()
    ok = await asyncio.wait_for(asyncio.to_thread(namespace.run, "1 + 1", out), timeout=2)
    assert ok and out.getvalue() == "2\n"
    assert namespace.interrupt() is False  # nothing running now

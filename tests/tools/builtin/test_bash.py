"""The bash tool: output, exit codes, streaming, timeout and cancellation."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import time
from pathlib import Path

import pytest

from ml_intern_jupyter.tools.builtin import make_bash_tool
from ml_intern_jupyter.tools.builtin.bash import run_bash
from ml_intern_jupyter.tools.spec import ToolRouter

from ...conftest import GENEROUS_SECONDS


def _alive(pid: int) -> bool:
    """True if ``pid`` runs and is not a zombie (PID 1 here may not reap orphans)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


async def _wait_for_file(path: Path, seconds: float = 5.0) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return path.read_text().strip()
        await asyncio.sleep(0.02)
    raise AssertionError(f"{path} never appeared")


async def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        await asyncio.sleep(0.02)
    return False


def test_spec_needs_approval_with_reason():
    spec = make_bash_tool()
    assert spec.name == "bash"
    assert spec.requires_approval({"command": "ls"}) is True
    assert spec.approval_reason == "runs a shell command"
    assert spec.parameters["required"] == ["command"]
    assert spec.parameters["additionalProperties"] is False


async def test_success_returns_output_and_exit_code(recorder):
    result = await run_bash({"command": "echo hello; echo oops >&2"}, recorder.ctx)
    assert result.ok is True
    assert result.output == "hello\noops\n[exit code 0]"


async def test_runs_in_workdir(recorder, tmp_path):
    result = await run_bash({"command": "pwd"}, recorder.ctx)
    assert result.output.splitlines()[0] == str(tmp_path)


async def test_nonzero_exit_is_failure(recorder):
    result = await run_bash({"command": "echo partial; exit 2"}, recorder.ctx)
    assert result.ok is False
    assert result.output.endswith("partial\n[exit code 2]")


async def test_no_output_is_said(recorder):
    result = await run_bash({"command": "true"}, recorder.ctx)
    assert result.output == "(no output)\n[exit code 0]"


async def test_lines_stream_as_tool_log_events_while_running(recorder, tmp_path):
    gate = tmp_path / "gate"
    command = f"echo first; echo second >&2; while [ ! -e {gate} ]; do sleep 0.02; done; echo third"
    task = asyncio.create_task(run_bash({"command": command}, recorder.ctx))
    deadline = time.monotonic() + 5
    while recorder.log_lines != ["first", "second"] and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    assert recorder.log_lines == ["first", "second"]  # seen before the command ends
    assert not task.done()
    gate.touch()
    result = await task
    assert recorder.log_lines == ["first", "second", "third"]
    assert result.ok


async def test_progress_bar_updates_collapse_in_output(recorder):
    result = await run_bash({"command": r"printf '10%%\r50%%\r100%%\ndone\n'"}, recorder.ctx)
    assert recorder.log_lines == ["10%", "50%", "100%", "done"]
    assert result.output == "100%\ndone\n[exit code 0]"


async def test_long_output_keeps_head_and_tail(recorder):
    result = await run_bash({"command": "seq 1 100000"}, recorder.ctx)
    assert len(result.output) < 31_000
    assert result.output.startswith("1\n2\n3\n")
    assert "characters omitted" in result.output
    assert result.output.endswith("99999\n100000\n[exit code 0]")


async def test_timeout_kills_process_group(recorder, tmp_path):
    pidfile = tmp_path / "child.pid"
    command = f"sleep 30 & echo $! > {pidfile}; echo started; wait"
    start = time.monotonic()
    result = await run_bash({"command": command, "timeout": 0.5}, recorder.ctx)
    assert time.monotonic() - start < GENEROUS_SECONDS
    assert result.ok is False
    assert "started" in result.output
    assert "timed out after 0.5 s" in result.output
    assert await _gone_within(int(pidfile.read_text()), 2)


async def test_cancel_kills_process_group_quickly(recorder, tmp_path):
    pidfile = tmp_path / "child.pid"
    command = f"sleep 30 & echo $! > {pidfile}; wait"
    task = asyncio.create_task(run_bash({"command": command}, recorder.ctx))
    child = int(await _wait_for_file(pidfile))
    assert _alive(child)
    start = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - start < GENEROUS_SECONDS
    assert await _gone_within(child, 0.5)


async def test_cancel_escalates_to_sigkill(recorder, tmp_path):
    pidfile = tmp_path / "child.pid"
    command = f"trap '' TERM; sleep 30 & echo $! > {pidfile}; wait"
    task = asyncio.create_task(run_bash({"command": command}, recorder.ctx))
    child = int(await _wait_for_file(pidfile))
    start = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - start < GENEROUS_SECONDS
    assert await _gone_within(child, 0.5)


async def test_cancel_through_router_propagates(recorder, tmp_path):
    pidfile = tmp_path / "sleep.pid"
    router = ToolRouter([make_bash_tool()])
    task = asyncio.create_task(router.execute("bash", {"command": f"echo $$ > {pidfile}; exec sleep 30"}, recorder.ctx))
    pid = int(await _wait_for_file(pidfile))
    start = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - start < GENEROUS_SECONDS
    assert await _gone_within(pid, 0.5)


async def test_background_job_holding_pipe_does_not_hang(recorder, tmp_path):
    pidfile = tmp_path / "bg.pid"
    start = time.monotonic()
    result = await run_bash({"command": f"sleep 30 & echo $! > {pidfile}; echo ok"}, recorder.ctx)
    assert time.monotonic() - start < 2 * GENEROUS_SECONDS
    assert result.ok
    assert result.output.startswith("ok\n[background processes still hold the output open")
    assert result.output.endswith("[exit code 0]")
    os.kill(int(pidfile.read_text()), 9)


async def test_missing_workdir_is_a_clear_error(recorder, tmp_path):
    recorder.ctx = dataclasses.replace(recorder.ctx, workdir=tmp_path / "nope")
    result = await run_bash({"command": "echo hi"}, recorder.ctx)
    assert result.ok is False
    assert "Could not start bash" in result.output

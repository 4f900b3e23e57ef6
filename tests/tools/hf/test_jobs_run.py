"""hf_jobs run against LocalHub: streamed logs, final status, script modes, interrupts, reconnects, tokens."""

from __future__ import annotations

import asyncio
import base64
import time

import pytest

from ml_intern_jupyter.tools.hf import HubAccess, jobs_logs
from ml_intern_jupyter.tools.hf.jobs import make_jobs_tool
from ml_intern_jupyter.tools.spec import ToolRouter

from ...hub_server import TEST_TOKEN, JobScript, LocalHub


async def run(access: HubAccess, calls, **arguments):
    return await make_jobs_tool(access).handler({"operation": "run", **arguments}, calls.ctx)


async def wait_for(condition, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.02)


def only_job(hub: LocalHub):
    [job] = hub.jobs.values()
    return job


async def test_run_streams_the_logs_and_waits_for_the_end(hub: LocalHub, access: HubAccess, calls) -> None:
    hub.job_script = JobScript(lines=["epoch 1 loss 0.9", "epoch 2 loss 0.5", "saved model"], interval=0.05)
    result = await run(access, calls, command=["python", "train.py"], hardware_flavor="a10g-small", timeout="2h")
    job = only_job(hub)
    assert result.ok and f"Job {job.id} COMPLETED" in result.output and "on a10g-small" in result.output
    assert "epoch 2 loss 0.5\nsaved model" in result.output and result.structured["stage"] == "COMPLETED"
    assert calls.log_lines[0].startswith(f"Started job {job.id} on a10g-small (timeout 2h)")
    assert calls.log_lines[1:] == ["epoch 1 loss 0.9", "epoch 2 loss 0.5", "saved model"]  # each once, in order
    spec = job.spec
    assert spec["command"] == ["python", "train.py"] and spec["dockerImage"] == "python:3.12"
    assert spec["flavor"] == "a10g-small" and spec["timeoutSeconds"] == 7200
    assert spec["secrets"] == {"HF_TOKEN": TEST_TOKEN} and spec["environment"]["PYTHONUNBUFFERED"] == "1"
    assert "Job started" not in result.output  # the Hub's banner line is dropped


async def test_a_failed_job_is_a_failed_call(hub: LocalHub, access: HubAccess, calls) -> None:
    hub.job_script = JobScript(lines=["Traceback ...", "KeyError: 'text'"], final="ERROR", message="exit code 1")
    result = await run(access, calls, command=["python", "-c", "boom"])
    assert not result.ok and "ERROR (exit code 1)" in result.output and "KeyError: 'text'" in result.output


async def test_script_modes(hub: LocalHub, access: HubAccess, calls) -> None:
    inline = "import sys\nprint('hi', sys.argv[1:])\n"
    assert (await run(access, calls, script=inline, dependencies=["trl"], script_args=["--lr", "1e-5"])).ok
    spec = only_job(hub).spec
    assert spec["dockerImage"] == "ghcr.io/astral-sh/uv:python3.12-bookworm"
    shell, program, line = spec["command"]
    assert (shell, program) == ("/bin/sh", "-c")
    encoded = line.split("echo ")[1].split(" ")[0]
    assert base64.b64decode(encoded).decode() == inline
    assert line.endswith("> /tmp/ml_intern_job.py && exec uv run --with trl /tmp/ml_intern_job.py --lr 1e-5")
    (calls.ctx.workdir / "train.py").write_text("print('from a file')\n")
    hub.jobs.clear()
    assert (await run(access, calls, script="train.py", python="3.11")).ok
    encoded = only_job(hub).spec["command"][2].split("echo ")[1].split(" ")[0]
    assert base64.b64decode(encoded).decode() == "print('from a file')\n"
    assert "--python 3.11" in only_job(hub).spec["command"][2]
    hub.jobs.clear()
    assert (await run(access, calls, script="https://example.com/sft.py", dependencies=["trl"])).ok
    assert only_job(hub).spec["command"] == ["uv", "run", "--with", "trl", "https://example.com/sft.py"]


async def test_detach_returns_at_once(hub: LocalHub, access: HubAccess, calls) -> None:
    hub.job_script = JobScript(lines=["working"] * 1000, interval=0.05, final=None)
    result = await run(access, calls, command=["sleep", "3600"], detach=True)
    job = only_job(hub)
    assert result.ok and "detached" in result.output and result.structured["job_id"] == job.id
    assert job.stage == "RUNNING" and not hub.requests_to("/logs")


async def test_interrupt_cancels_the_job_on_the_hub(hub: LocalHub, access: HubAccess, calls) -> None:
    hub.job_script = JobScript(lines=[f"step {i}" for i in range(10_000)], interval=0.05, final=None)
    task = asyncio.create_task(run(access, calls, command=["python", "train.py"], timeout="8h"))
    await wait_for(lambda: len(calls.log_lines) >= 3)  # started, and logs are streaming
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    job = only_job(hub)
    assert job.stage == "CANCELED" and job.cancel_requests == 1
    assert hub.requests_to(f"/api/jobs/alice/{job.id}/cancel", "POST")
    assert calls.log_lines[-1] == f"Interrupted: cancelled job {job.id} on the Hub."


async def test_interrupt_while_the_job_is_being_created(hub: LocalHub, access: HubAccess, calls) -> None:
    hub.job_create_delay = 0.5
    hub.job_script = JobScript(lines=["x"] * 1000, interval=0.05, final=None)
    task = asyncio.create_task(run(access, calls, command=["python", "train.py"]))
    await wait_for(lambda: bool(hub.requests_to("/api/jobs/alice", "POST")))
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    job = only_job(hub)  # created after the interrupt, then cancelled by the tool
    assert job.stage == "CANCELED" and job.cancel_requests == 1


async def test_dropped_streams_reconnect_without_duplicates(hub: LocalHub, access: HubAccess, calls) -> None:
    hub.log_stream_limit = 1  # every connection ends after one new line
    lines = [f"line {i}" for i in range(4)]
    hub.job_script = JobScript(lines=lines, interval=0.05)
    result = await run(access, calls, command=["echo"])
    assert result.ok and calls.log_lines[1:] == lines
    assert len(hub.requests_to("/logs")) >= len(lines)


async def test_a_silent_job_is_followed_until_it_ends(
    hub: LocalHub, access: HubAccess, calls, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs_logs, "FOLLOW_READ_TIMEOUT", 0.2)  # the stream times out while the job is quiet
    hub.job_script = JobScript(lines=["loading", "trained"], interval=1.0)
    result = await run(access, calls, command=["python", "slow.py"])
    assert result.ok and calls.log_lines[1:] == ["loading", "trained"] and "COMPLETED" in result.output
    assert len(hub.requests_to("/logs")) >= 2


async def test_the_token_never_appears_in_logs(hub: LocalHub, access: HubAccess, calls) -> None:
    hub.job_script = JobScript(lines=[f"token is {TEST_TOKEN}"])
    result = await run(access, calls, command=["env"])
    assert TEST_TOKEN not in result.output and TEST_TOKEN not in "".join(calls.log_lines)
    assert "token is hf_***" in calls.log_lines


async def test_bad_arguments_start_nothing(hub: LocalHub, access: HubAccess, calls) -> None:
    router = ToolRouter([make_jobs_tool(access)])
    assert router.validate("hf_jobs", {"operation": "run", "command": "echo hi"}) is not None
    assert router.validate("hf_jobs", {"operation": "launch"}) is not None
    for arguments, expected in (
        ({"command": ["echo"], "script": "print(1)"}, "exactly one of"),
        ({}, "exactly one of"),
        ({"command": ["echo"], "hardware_flavor": "tpu-v9"}, "Unknown hardware_flavor 'tpu-v9'"),
        ({"command": ["echo"], "timeout": "soon"}, "timeout must be a duration"),
        ({"command": ["echo"], "timeout": "-1h"}, "timeout must be a duration"),
        ({"script": "missing.py"}, "is not a file"),
        ({"command": ["echo", 3]}, "list of strings"),
    ):
        result = await run(access, calls, **arguments)
        assert not result.ok and expected in result.output, arguments
    assert not hub.jobs and not hub.requests_to("/api/jobs/alice", "POST")


async def test_running_without_a_token(hub: LocalHub, anonymous: HubAccess, calls) -> None:
    result = await run(anonymous, calls, command=["echo"])
    assert not result.ok and "Running an HF Job needs a Hugging Face token" in result.output
    assert "%intern login" in result.output and not hub.requests and not hub.jobs


async def test_another_namespace_is_refused(hub: LocalHub, access: HubAccess, calls) -> None:
    result = await run(access, calls, command=["echo"], namespace="bigcorp")
    assert not result.ok and "403" in result.output and not hub.jobs
    hub.orgs["alice"] = ["bigcorp"]
    assert (await run(access, calls, command=["echo"], namespace="bigcorp")).ok
    assert only_job(hub).owner == "bigcorp"

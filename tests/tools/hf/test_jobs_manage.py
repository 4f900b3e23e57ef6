"""hf_jobs ps / logs / inspect / cancel and scheduled jobs against LocalHub; approval rules."""

from __future__ import annotations

import pytest

from ml_intern_jupyter.tools.hf import HubAccess, jobs_logs
from ml_intern_jupyter.tools.hf.jobs import READ_OPERATIONS, WRITE_OPERATIONS, make_jobs_tool

from ...hub_server import JobScript, LocalHub


async def jobs(access: HubAccess, calls, **arguments):
    return await make_jobs_tool(access).handler(arguments, calls.ctx)


@pytest.fixture
def quick_drain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs_logs, "DRAIN_IDLE_SECONDS", 0.5)  # `logs` returns sooner...
    monkeypatch.setattr(jobs_logs, "FETCH_BUDGET_SECONDS", 1.0)  # ...even for a job that keeps logging


async def test_ps_logs_inspect_and_cancel(hub: LocalHub, access: HubAccess, calls, quick_drain) -> None:
    hub.job_script = JobScript(lines=["first", "second"], interval=0.02)
    done = await jobs(access, calls, operation="run", command=["echo", "done"])
    hub.job_script = JobScript(lines=[f"tick {i}" for i in range(5_000)], interval=0.05, final=None)
    started = await jobs(access, calls, operation="run", command=["sleep", "9999"], detach=True)
    running_id, done_id = started.structured["job_id"], done.structured["job_id"]
    running = await jobs(access, calls, operation="ps")
    assert running_id in running.output and done_id not in running.output and "[RUNNING]" in running.output
    everything = await jobs(access, calls, operation="ps", all=True)
    assert running_id in everything.output and done_id in everything.output
    logs = await jobs(access, calls, operation="logs", job_id=done_id)
    assert logs.ok and logs.output.endswith("first\nsecond")
    tail = await jobs(access, calls, operation="logs", job_id=running_id, tail=2)  # returns while the job runs
    assert tail.ok and "tick" in tail.output and len(tail.output.splitlines()) == 3
    details = await jobs(access, calls, operation="inspect", job_id=running_id)
    assert f"Job {running_id}: RUNNING" in details.output and "Secrets: HF_TOKEN (values hidden)" in details.output
    cancelled = await jobs(access, calls, operation="cancel", job_id=running_id)
    assert cancelled.ok and hub.jobs[running_id].stage == "CANCELED"
    assert "No running jobs" in (await jobs(access, calls, operation="ps")).output


async def test_unknown_job_and_missing_ids(hub: LocalHub, access: HubAccess, calls) -> None:
    for operation in ("logs", "inspect", "cancel"):
        missing_id = await jobs(access, calls, operation=operation)
        assert not missing_id.ok and "Missing argument 'job_id'" in missing_id.output
        unknown = await jobs(access, calls, operation=operation, job_id="nope")
        assert not unknown.ok and "404" in unknown.output and "job nope" in unknown.output


async def test_reading_jobs_needs_a_token(hub: LocalHub, anonymous: HubAccess, calls) -> None:
    for operation in ("ps", "scheduled ps"):
        result = await jobs(anonymous, calls, operation=operation)
        assert not result.ok and "needs a Hugging Face token" in result.output
    assert not hub.requests


async def test_scheduled_jobs(hub: LocalHub, access: HubAccess, calls) -> None:
    no_schedule = await jobs(access, calls, operation="scheduled run", command=["echo"])
    assert not no_schedule.ok and "Missing argument 'schedule'" in no_schedule.output and not hub.scheduled_jobs
    created = await jobs(
        access, calls, operation="scheduled run", script="print('nightly')", schedule="0 3 * * *", timeout="1h"
    )
    assert created.ok and "Schedule: 0 3 * * *" in created.output and "Each run may cost up to $" in created.output
    job_id = created.structured["scheduled_job_id"]
    stored = hub.scheduled_jobs[job_id]
    assert stored.spec["timeoutSeconds"] == 3600 and stored.spec["secrets"]["HF_TOKEN"]
    assert job_id in (await jobs(access, calls, operation="scheduled ps")).output
    assert (await jobs(access, calls, operation="scheduled suspend", scheduled_job_id=job_id)).ok and stored.suspend
    assert "No active scheduled jobs" in (await jobs(access, calls, operation="scheduled ps")).output
    assert "[suspended]" in (await jobs(access, calls, operation="scheduled ps", all=True)).output
    assert (await jobs(access, calls, operation="scheduled resume", scheduled_job_id=job_id)).ok and not stored.suspend
    details = await jobs(access, calls, operation="scheduled inspect", scheduled_job_id=job_id)
    assert f"Scheduled job {job_id}: active" in details.output and "timeout: 3600 s" in details.output
    assert (await jobs(access, calls, operation="scheduled delete", scheduled_job_id=job_id)).ok
    assert not hub.scheduled_jobs
    gone = await jobs(access, calls, operation="scheduled inspect", scheduled_job_id=job_id)
    assert not gone.ok and "404" in gone.output


def test_approval_rules(access: HubAccess) -> None:
    tool = make_jobs_tool(access)
    for operation in READ_OPERATIONS:
        assert not tool.requires_approval({"operation": operation})
        assert not tool.asks_even_in_yolo({"operation": operation})
    for operation in WRITE_OPERATIONS:
        assert tool.requires_approval({"operation": operation})
    assert tool.requires_approval({"operation": "  Run "})  # normalized like the handler does
    scheduled = [op for op in WRITE_OPERATIONS if op.startswith("scheduled")]
    assert scheduled and all(tool.asks_even_in_yolo({"operation": op}) for op in scheduled)
    assert not tool.asks_even_in_yolo({"operation": "run"}) and not tool.asks_even_in_yolo({"operation": "cancel"})


async def test_unknown_operation(hub: LocalHub, access: HubAccess, calls) -> None:
    result = await jobs(access, calls, operation="restart", job_id="x")
    assert not result.ok and "Unknown operation 'restart'" in result.output and not hub.requests
    read_only = await make_jobs_tool(access, read_only=True).handler({"operation": "run", "command": ["x"]}, calls.ctx)
    assert not read_only.ok and "Unknown operation" in read_only.output and not hub.jobs

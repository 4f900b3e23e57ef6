"""The other ``hf_jobs`` operations: ps, logs, inspect, cancel and the scheduled-job ones."""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from ..builtin._output import StreamTranscript
from ..spec import ToolContext, ToolResult
from ._text import bounded_lines
from .access import HubAccess
from .errors import require, require_token
from .jobs_format import job_details, job_row, scheduled_details, scheduled_row
from .jobs_logs import JobLogReader
from .jobs_run import resolve_namespace

MAX_ROWS = 30
LOG_CHARS = 6_000
DEFAULT_TAIL = 200
ACTIVE_STAGES = ("RUNNING", "SCHEDULING")


async def _api_and_namespace(access: HubAccess, arguments: dict[str, Any], action: str) -> tuple[Any, str]:
    api = access.api(require_token(access, action))
    return api, await resolve_namespace(api, arguments)


async def list_jobs(access: HubAccess, arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
    """``ps``: running jobs (``all``: every job), newest first."""
    api, namespace = await _api_and_namespace(access, arguments, "Listing HF Jobs")
    status = None if arguments.get("all") else list(ACTIVE_STAGES)
    jobs = await asyncio.to_thread(lambda: list(api.list_jobs(namespace=namespace, status=status)))
    jobs.sort(key=lambda job: job.created_at.timestamp() if job.created_at else 0, reverse=True)
    if not jobs:
        hint = "" if arguments.get("all") else ' Pass "all": true to include finished jobs.'
        return ToolResult(f"No {'' if arguments.get('all') else 'running '}jobs in {namespace}.{hint}")
    lines = bounded_lines([job_row(job) for job in jobs], MAX_ROWS, "jobs")
    return ToolResult(f"Jobs of {namespace} ({len(jobs)}):\n" + "\n".join(lines))


async def job_logs(access: HubAccess, arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
    """``logs``: the logs available now (the last ``tail`` lines, default 200)."""
    require(arguments, "job_id", operation="logs")
    token = require_token(access, "Reading HF Job logs")
    namespace = await resolve_namespace(access.api(token), arguments)
    tail = int(arguments.get("tail") or DEFAULT_TAIL)
    last: deque[str] = deque(maxlen=tail)
    await JobLogReader(access, namespace, arguments["job_id"]).fetch(last.append, tail=tail)
    transcript = StreamTranscript(LOG_CHARS)
    transcript.feed("".join(line.replace(token, "hf_***") + "\n" for line in last))
    transcript.close()
    logs = transcript.render() or "(no logs yet)"
    return ToolResult(f"Logs of job {arguments['job_id']} (last {tail} lines at most):\n{logs}")


async def inspect_job(access: HubAccess, arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
    """``inspect``: stage, hardware, image, command and times of one job."""
    require(arguments, "job_id", operation="inspect")
    api, namespace = await _api_and_namespace(access, arguments, "Inspecting an HF Job")
    job = await asyncio.to_thread(api.inspect_job, job_id=arguments["job_id"], namespace=namespace)
    return ToolResult(job_details(job), structured={"job_id": job.id, "stage": str(job.status.stage)})


async def cancel_job(access: HubAccess, arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
    """``cancel``: stop a job."""
    require(arguments, "job_id", operation="cancel")
    api, namespace = await _api_and_namespace(access, arguments, "Cancelling an HF Job")
    await asyncio.to_thread(api.cancel_job, job_id=arguments["job_id"], namespace=namespace)
    return ToolResult(f"Cancel requested for job {arguments['job_id']}; check it with operation inspect.")


async def list_scheduled(access: HubAccess, arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
    """``scheduled ps``: active scheduled jobs (``all``: suspended ones too)."""
    api, namespace = await _api_and_namespace(access, arguments, "Listing scheduled HF Jobs")
    scheduled = await asyncio.to_thread(api.list_scheduled_jobs, namespace=namespace)
    if not arguments.get("all"):
        scheduled = [item for item in scheduled if not item.suspend]
    if not scheduled:
        return ToolResult(f"No {'' if arguments.get('all') else 'active '}scheduled jobs in {namespace}.")
    lines = bounded_lines([scheduled_row(item) for item in scheduled], MAX_ROWS, "scheduled jobs")
    return ToolResult(f"Scheduled jobs of {namespace}:\n" + "\n".join(lines))


async def scheduled_action(access: HubAccess, arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
    """``scheduled inspect``, ``scheduled delete``, ``scheduled suspend`` and ``scheduled resume``."""
    operation = arguments["operation"]
    require(arguments, "scheduled_job_id", operation=operation)
    api, namespace = await _api_and_namespace(access, arguments, "Managing scheduled HF Jobs")
    job_id = arguments["scheduled_job_id"]
    verb = operation.split()[-1]
    method = {
        "inspect": api.inspect_scheduled_job,
        "delete": api.delete_scheduled_job,
        "suspend": api.suspend_scheduled_job,
        "resume": api.resume_scheduled_job,
    }[verb]
    result = await asyncio.to_thread(method, scheduled_job_id=job_id, namespace=namespace)
    if verb == "inspect":
        return ToolResult(scheduled_details(result))
    done = {"delete": "Deleted", "suspend": "Suspended", "resume": "Resumed"}[verb]
    return ToolResult(f"{done} scheduled job {job_id}.")

"""Starting jobs: ``run`` (waits and streams the logs, or detaches) and ``scheduled run``.

An interrupt (the handler's task is cancelled) cancels the job on the Hub in a shielded step,
including a job whose creation was still in flight, then re-raises ``CancelledError``.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any

from ..builtin._output import StreamTranscript
from ..spec import ToolContext, ToolResult
from .access import HubAccess
from .errors import HubToolError, describe_error, require, require_token
from .jobs_command import JobCommand, build_command, job_env
from .jobs_cost import DEFAULT_FLAVOR, JobPrices, format_duration, parse_timeout
from .jobs_format import scheduled_details
from .jobs_logs import JobLogReader

LOG_CHARS = 4_000
"""How much of a job's log the model gets back (head and tail); the user sees every line."""


@dataclass(frozen=True)
class RunPlan:
    """A checked job: what runs, where, and for how long at most."""

    command: JobCommand
    flavor: str
    timeout_seconds: int
    env: dict[str, str]


async def known_flavors(prices: JobPrices) -> set[str]:
    """Flavors from the Hub's price list (or the static table) and huggingface_hub's enum."""
    from huggingface_hub import JobHardware

    return set((await prices.prices()).usd_per_hour) | {flavor.value for flavor in JobHardware}


async def plan_run(prices: JobPrices, arguments: dict[str, Any], ctx: ToolContext) -> RunPlan:
    """Check the arguments of a run; a :class:`HubToolError` says what is wrong."""
    flavor = str(arguments.get("hardware_flavor") or DEFAULT_FLAVOR)
    flavors = await known_flavors(prices)
    if flavor not in flavors:
        raise HubToolError(f"Unknown hardware_flavor {flavor!r}; choose one of: {', '.join(sorted(flavors))}.")
    try:
        seconds = parse_timeout(arguments.get("timeout"))
    except ValueError as exc:
        raise HubToolError(str(exc)) from None
    command = await asyncio.to_thread(build_command, arguments, ctx.workdir)
    return RunPlan(command, flavor, seconds, job_env(arguments))


async def resolve_namespace(api: Any, arguments: dict[str, Any]) -> str:
    """``namespace`` or the token's user."""
    if arguments.get("namespace"):
        return str(arguments["namespace"])
    return (await asyncio.to_thread(api.whoami))["name"]


async def cancel_quietly(api: Any, job_id: str, namespace: str, ctx: ToolContext) -> None:
    """Cancel a job on the Hub, shielded from a second interrupt; failures are only logged."""
    try:
        await asyncio.shield(asyncio.to_thread(api.cancel_job, job_id=job_id, namespace=namespace))
        ctx.log(f"Interrupted: cancelled job {job_id} on the Hub.")
    except Exception as exc:
        ctx.log(f"Interrupted, but cancelling job {job_id} failed: {type(exc).__name__}: {exc}")


async def _start(api: Any, plan: RunPlan, token: str, namespace: str, ctx: ToolContext) -> Any:
    creating = asyncio.ensure_future(
        asyncio.to_thread(
            api.run_job,
            image=plan.command.image,
            command=plan.command.command,
            env=plan.env,
            secrets={"HF_TOKEN": token},
            flavor=plan.flavor,
            timeout=plan.timeout_seconds,
            namespace=namespace,
        )
    )
    try:
        return await asyncio.shield(creating)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            job = await asyncio.shield(creating)  # the Hub may be creating it: wait, then cancel it
            await cancel_quietly(api, job.id, namespace, ctx)
        raise


def _log_sink(transcript: StreamTranscript, token: str, ctx: ToolContext):
    def on_line(line: str) -> None:
        for piece in transcript.feed(line.replace(token, "hf_***") + "\n"):
            ctx.log(piece)

    return on_line


async def _watch(access: HubAccess, api: Any, job: Any, namespace: str, plan: RunPlan, ctx: ToolContext) -> ToolResult:
    transcript = StreamTranscript(LOG_CHARS)
    try:
        await JobLogReader(access, namespace, job.id).follow(_log_sink(transcript, api.token, ctx))
        final = await asyncio.to_thread(api.inspect_job, job_id=job.id, namespace=namespace)
    except asyncio.CancelledError:
        await cancel_quietly(api, job.id, namespace, ctx)
        raise
    except Exception as exc:
        problem = describe_error(exc, what=f"job {job.id}", has_token=True, endpoint=access.endpoint)
        text = f"Lost track of job {job.id} ({problem}). It may still run: check it with operation inspect or logs."
        return ToolResult(text, ok=False, structured={"job_id": job.id, "url": job.url})
    transcript.close()
    stage = final.status.stage
    message = f" ({final.status.message})" if final.status.message else ""
    running = final.durations.running_secs if final.durations else None
    took = f" after {format_duration(running)}" if running else ""
    logs = transcript.render() or "(no logs)"
    text = (
        f"Job {job.id} {stage}{message}{took} on {plan.flavor}: {job.url}\nRan: {plan.command.summary}\n\nLogs:\n{logs}"
    )
    return ToolResult(text, ok=stage == "COMPLETED", structured={"job_id": job.id, "stage": str(stage), "url": job.url})


async def run_job(access: HubAccess, prices: JobPrices, arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
    """``run``: start the job, then stream its logs until it ends (or return at once with ``detach``)."""
    token = require_token(access, "Running an HF Job")
    plan = await plan_run(prices, arguments, ctx)
    api = access.api(token)
    namespace = await resolve_namespace(api, arguments)
    job = await _start(api, plan, token, namespace, ctx)
    limit = format_duration(plan.timeout_seconds)
    ctx.log(f"Started job {job.id} on {plan.flavor} (timeout {limit}): {job.url}")
    if arguments.get("detach"):
        text = (
            f"Started job {job.id} on {plan.flavor} (timeout {limit}), detached: {job.url}\n"
            f"Follow it with operation logs / inspect and job_id={job.id!r}; stop it with operation cancel."
        )
        return ToolResult(text, structured={"job_id": job.id, "url": job.url})
    return await _watch(access, api, job, namespace, plan, ctx)


async def schedule_job(access: HubAccess, prices: JobPrices, arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
    """``scheduled run``: a job that runs on ``schedule`` (cron or @hourly/@daily/@weekly/@monthly)."""
    require(arguments, "schedule", operation="scheduled run")
    token = require_token(access, "Scheduling an HF Job")
    plan = await plan_run(prices, arguments, ctx)
    api = access.api(token)
    namespace = await resolve_namespace(api, arguments)
    scheduled = await asyncio.to_thread(
        api.create_scheduled_job,
        image=plan.command.image,
        command=plan.command.command,
        schedule=str(arguments["schedule"]),
        env=plan.env,
        secrets={"HF_TOKEN": token},
        flavor=plan.flavor,
        timeout=plan.timeout_seconds,
        namespace=namespace,
    )
    estimate = await prices.estimate(arguments)
    text = f"{scheduled_details(scheduled)}\nEach run may cost {estimate.describe()}."
    return ToolResult(text, structured={"scheduled_job_id": scheduled.id})

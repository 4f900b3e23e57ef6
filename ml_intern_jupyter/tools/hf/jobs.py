"""``hf_jobs``: run Python (uv) or Docker jobs on Hugging Face hardware, follow and manage them.

``run`` needs approval (its card shows the hardware, the timeout and an estimated cost);
every ``scheduled`` write asks a human even in yolo mode. Reads (ps, logs, inspect) do not ask.
"""

from __future__ import annotations

import shlex
from collections.abc import Awaitable, Callable
from typing import Any

from ..spec import CallPreview, ToolContext, ToolResult, ToolSpec
from ._text import read_only_note
from .access import HubAccess
from .errors import checked_operation, guarded
from .jobs_command import DOCKER_IMAGE, UV_IMAGE
from .jobs_cost import DEFAULT_FLAVOR, DEFAULT_TIMEOUT, JobPrices, format_duration
from .jobs_ops import cancel_job, inspect_job, job_logs, list_jobs, list_scheduled, scheduled_action
from .jobs_run import run_job, schedule_job

READ_OPERATIONS = ("ps", "logs", "inspect", "scheduled ps", "scheduled inspect")
WRITE_OPERATIONS = ("run", "cancel", "scheduled run", "scheduled delete", "scheduled suspend", "scheduled resume")
SCHEDULED_WRITES = frozenset(op for op in WRITE_OPERATIONS if op.startswith("scheduled "))

DESCRIPTION = f"""\
Run Python scripts or Docker commands on Hugging Face hardware (HF Jobs), and follow or manage them.

- run: start a job. Python mode: `script` (code, a local .py path, or a URL) run with uv, plus \
`dependencies`, `python`, `script_args`. Docker mode: `command` (list) and `image` (default {DOCKER_IMAGE}). \
`hardware_flavor` (default {DEFAULT_FLAVOR}; GPUs: t4-small, a10g-small, a10g-large, l4x1, l40sx1, \
a100-large, h200, ...), `timeout` (default {DEFAULT_TIMEOUT}; training needs hours, e.g. "6h"), `env`. \
The call waits for the job and streams its logs while it runs, however long; pass `detach: true` to \
return right after it starts. Your HF token is passed to the job as the secret HF_TOKEN (push_to_hub works). \
Needs approval; the approval shows the hardware, timeout and estimated cost.
- ps (`all` for finished jobs too), logs (`job_id`, `tail`), inspect (`job_id`), cancel (`job_id`).
- scheduled run (`schedule`: cron like "0 3 * * *" or @hourly/@daily/@weekly/@monthly, plus the run \
arguments), scheduled ps, scheduled inspect/delete/suspend/resume (`scheduled_job_id`). Scheduled jobs \
always ask the user.
Job storage is temporary: push results (models, files) to the Hub from the script. Submit one job and \
check its logs before starting several."""

PARAMETERS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "operation": {"type": "string", "enum": [*READ_OPERATIONS, *WRITE_OPERATIONS]},
        "script": {"type": "string", "description": "Python code, a local .py path or a URL (Python mode)."},
        "dependencies": {"type": "array", "items": {"type": "string"}, "description": "pip packages (Python mode)."},
        "python": {"type": "string", "description": "Python version for uv, e.g. '3.11' (Python mode)."},
        "script_args": {"type": "array", "items": {"type": "string"}, "description": "Arguments for the script."},
        "image": {"type": "string", "description": f"Docker image (default {UV_IMAGE} or {DOCKER_IMAGE})."},
        "command": {"type": "array", "items": {"type": "string"}, "description": "Command list (Docker mode)."},
        "hardware_flavor": {"type": "string", "description": f"Hardware (default {DEFAULT_FLAVOR})."},
        "timeout": {
            "type": "string",
            "description": f"Maximum run time, e.g. '30m', '6h' (default {DEFAULT_TIMEOUT}).",
        },
        "env": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Environment."},
        "namespace": {"type": "string", "description": "User or org that runs and pays (default: you)."},
        "detach": {"type": "boolean", "description": "run: return once started instead of following the logs."},
        "job_id": {"type": "string", "description": "Job id (logs, inspect, cancel)."},
        "tail": {"type": "integer", "minimum": 1, "description": "logs: last lines to show (default 200)."},
        "all": {"type": "boolean", "description": "ps / scheduled ps: include finished or suspended jobs."},
        "scheduled_job_id": {"type": "string", "description": "Scheduled job id."},
        "schedule": {"type": "string", "description": "Cron expression or @hourly/@daily/@weekly/@monthly."},
    },
    "required": ["operation"],
    "additionalProperties": False,
}


def _parameters(operations: tuple[str, ...]) -> dict[str, Any]:
    operation = {"type": "string", "enum": list(operations), "description": "Operation to execute."}
    return {**PARAMETERS, "properties": {**PARAMETERS["properties"], "operation": operation}}


Operation = Callable[[HubAccess, dict[str, Any], ToolContext], Awaitable[ToolResult]]


def _operation(arguments: dict[str, Any]) -> str:
    return " ".join(str(arguments.get("operation") or "").lower().split())


def needs_jobs_approval(arguments: dict[str, Any]) -> bool:
    """Everything but ps, logs and inspect asks first."""
    return _operation(arguments) not in READ_OPERATIONS


def always_ask_jobs(arguments: dict[str, Any]) -> bool:
    """Scheduled writes ask a human even in yolo mode."""
    return _operation(arguments) in SCHEDULED_WRITES


async def job_preview(prices: JobPrices, arguments: dict[str, Any]) -> CallPreview:
    """The approval card: hardware, timeout, what runs and the estimated cost."""
    operation = _operation(arguments)
    if operation not in ("run", "scheduled run"):
        target = arguments.get("job_id") or arguments.get("scheduled_job_id") or ""
        return CallPreview(details={"operation": operation, **({"job": str(target)} if target else {})}, cost_usd=0.0)
    try:
        estimate = await prices.estimate(arguments)
    except ValueError as exc:
        return CallPreview(details={"operation": operation, "problem": str(exc)}, cost_usd=None, priced=True)
    what = " ".join(str(arguments.get("script") or "").split())[:120] or shlex.join(arguments.get("command") or [])
    details = {
        "operation": operation,
        "hardware": estimate.flavor,
        "timeout": format_duration(estimate.timeout_seconds),
        "estimated cost": estimate.describe() + (" per run" if operation == "scheduled run" else ""),
        "runs": what or "(nothing)",
        "secrets": "HF_TOKEN (your token, so the job can push to the Hub)",
    }
    if operation == "scheduled run":
        details["schedule"] = str(arguments.get("schedule") or "(missing)")
    if arguments.get("namespace"):
        details["namespace"] = str(arguments["namespace"])
    return CallPreview(details=details, cost_usd=estimate.cost_usd, priced=True)


def make_jobs_tool(access: HubAccess, prices: JobPrices | None = None, *, read_only: bool = False) -> ToolSpec:
    """``hf_jobs``; with ``read_only`` only ps, logs, inspect and the scheduled reads."""
    prices = prices or JobPrices(access)
    operations = READ_OPERATIONS if read_only else READ_OPERATIONS + WRITE_OPERATIONS

    async def run(a: HubAccess, arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        return await run_job(a, prices, arguments, ctx)

    async def schedule(a: HubAccess, arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        return await schedule_job(a, prices, arguments, ctx)

    table: dict[str, Operation] = {
        "run": run,
        "ps": list_jobs,
        "logs": job_logs,
        "inspect": inspect_job,
        "cancel": cancel_job,
        "scheduled run": schedule,
        "scheduled ps": list_scheduled,
        **{f"scheduled {verb}": scheduled_action for verb in ("inspect", "delete", "suspend", "resume")},
    }

    async def handler(arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        operation = checked_operation(_operation(arguments), operations)
        return await table[operation](access, {**arguments, "operation": operation}, ctx)

    async def preview(arguments: dict[str, Any]) -> CallPreview:
        try:
            return await job_preview(prices, arguments)
        except Exception as exc:  # malformed arguments: the card says so, the cost is unknown
            return CallPreview(details={"operation": _operation(arguments), "problem": str(exc)}, cost_usd=None)

    return ToolSpec(
        name="hf_jobs",
        description=DESCRIPTION + read_only_note(operations) if read_only else DESCRIPTION,
        parameters=_parameters(operations),
        handler=guarded(access, handler),
        needs_approval=False if read_only else needs_jobs_approval,
        approval_reason="runs paid compute on Hugging Face",
        always_ask=False if read_only else always_ask_jobs,
        preview=preview,
        read_only=read_only,
    )

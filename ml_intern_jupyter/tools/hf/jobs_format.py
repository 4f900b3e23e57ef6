"""Readable text for jobs and scheduled jobs (never their secret values)."""

from __future__ import annotations

import shlex
from typing import Any

from ._text import clip_inline


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None and hasattr(value, "strftime") else "-"


def _command(job: Any) -> str:
    parts = [*(job.command or []), *(job.arguments or [])]
    return clip_inline(shlex.join(parts), 160) if parts else "-"


def job_row(job: Any) -> str:
    """One line: id, stage, flavor, created, image and command."""
    image = job.docker_image or (f"space {job.space_id}" if job.space_id else "-")
    return f"- {job.id} [{job.status.stage}] {job.flavor or '-'} {_when(job.created_at)} {image}: {_command(job)}"


def job_details(job: Any) -> str:
    """Everything useful about one job, secrets by name only."""
    lines = [f"Job {job.id}: {job.status.stage}" + (f" ({job.status.message})" if job.status.message else "")]
    lines.append(f"URL: {job.url}")
    lines.append(f"Hardware: {job.flavor or '-'}")
    lines.append(f"Image: {job.docker_image or job.space_id or '-'}")
    lines.append(f"Command: {_command(job)}")
    lines.append(
        f"Created: {_when(job.created_at)}; started: {_when(job.started_at)}; finished: {_when(job.finished_at)}"
    )
    durations = job.durations
    if durations is not None and durations.running_secs is not None:
        lines.append(f"Running for {durations.running_secs:,} s")
    if job.environment:
        lines.append("Env: " + ", ".join(sorted(job.environment)))
    if job.secrets:
        lines.append("Secrets: " + ", ".join(sorted(job.secrets)) + " (values hidden)")
    if job.labels:
        lines.append("Labels: " + ", ".join(f"{key}={value}" for key, value in sorted(job.labels.items())))
    return "\n".join(lines)


def scheduled_row(scheduled: Any) -> str:
    """One line per scheduled job."""
    spec = scheduled.job_spec
    state = "suspended" if scheduled.suspend else "active"
    next_run = _when(scheduled.status.next_job_run_at)
    image = spec.docker_image or spec.space_id or "-"
    command = clip_inline(shlex.join([*(spec.command or []), *(spec.arguments or [])]), 120)
    return f"- {scheduled.id} [{state}] {scheduled.schedule} next {next_run} {spec.flavor or '-'} {image}: {command}"


def scheduled_details(scheduled: Any) -> str:
    """One scheduled job in full."""
    spec = scheduled.job_spec
    last = scheduled.status.last_job
    lines = [
        f"Scheduled job {scheduled.id}: {'suspended' if scheduled.suspend else 'active'}",
        f"Schedule: {scheduled.schedule}; next run: {_when(scheduled.status.next_job_run_at)}",
        f"Hardware: {spec.flavor or '-'}; timeout: {f'{spec.timeout} s' if spec.timeout else 'default'}",
        f"Image: {spec.docker_image or spec.space_id or '-'}",
        f"Command: {clip_inline(shlex.join([*(spec.command or []), *(spec.arguments or [])]), 160)}",
        f"Last job: {last.id} at {_when(last.at)}" if last else "Last job: none yet",
    ]
    if spec.secrets:
        lines.append("Secrets: " + ", ".join(sorted(spec.secrets)) + " (values hidden)")
    return "\n".join(lines)

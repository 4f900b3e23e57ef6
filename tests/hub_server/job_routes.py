"""HF Jobs: hardware with prices, create / list / inspect / cancel, logs as server-sent events, scheduled jobs.

A new job follows ``hub.job_script``: it logs its lines, one every ``interval`` seconds, then
reaches ``final`` (``None``: it runs until cancelled).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from .state import HubError, Job, ScheduledJob, now_iso

HARDWARE = [
    {"name": "cpu-basic", "prettyName": "CPU Basic", "cpu": "2 vCPU", "ram": "16 GB", "accelerator": None},
    {"name": "cpu-upgrade", "prettyName": "CPU Upgrade", "cpu": "8 vCPU", "ram": "32 GB", "accelerator": None},
    {
        "name": "a10g-small",
        "prettyName": "Nvidia A10G - small",
        "cpu": "4 vCPU",
        "ram": "15 GB",
        "accelerator": {"type": "gpu", "model": "A10G", "quantity": "1", "vram": "24 GB", "manufacturer": "Nvidia"},
    },
]
PRICES_PER_MINUTE = {"cpu-basic": 0.0002, "cpu-upgrade": 0.0005, "a10g-small": 0.0175}
for _item in HARDWARE:
    _item.update(
        unitCostUSD=PRICES_PER_MINUTE[_item["name"]],
        unitCostMicroUSD=int(PRICES_PER_MINUTE[_item["name"]] * 1e6),
        unitLabel="minute",
        ephemeralStorage="50 GB",
    )
KEEPALIVE_SECONDS = 0.5


def owner_of(name: str) -> dict[str, str]:
    return {"id": f"id-{name}", "name": name, "type": "user"}


class JobEndpoints:
    """The jobs endpoints of a ``LocalHub``."""

    def __init__(self, hub) -> None:
        self.hub = hub

    def routes(self) -> list[Route]:
        jobs, scheduled = "/api/jobs/{ns}", "/api/scheduled-jobs/{ns}"
        return [
            Route("/api/jobs/hardware", self.hardware),
            Route(jobs, self.jobs, methods=["GET", "POST"]),
            Route(jobs + "/{job_id}", self.inspect),
            Route(jobs + "/{job_id}/logs", self.logs),
            Route(jobs + "/{job_id}/cancel", self.cancel, methods=["POST"]),
            Route(scheduled, self.scheduled, methods=["GET", "POST"]),
            Route(scheduled + "/{job_id}", self.scheduled_one, methods=["GET", "DELETE"]),
            Route(scheduled + "/{job_id}/{action}", self.scheduled_action, methods=["POST"]),
        ]

    def _namespace(self, request: Request) -> str:
        user = self.hub.user(request, required=True)
        namespace = request.path_params["ns"]
        if not self.hub.can_act_for(user, namespace):
            raise HubError(403, f"You cannot run jobs in the namespace {namespace}")
        return namespace

    def _job(self, request: Request) -> Job:
        namespace = self._namespace(request)
        job = self.hub.jobs.get(request.path_params["job_id"])
        if job is None or job.owner != namespace:
            raise HubError(404, "Job not found", "JobNotFound")
        return job

    @staticmethod
    def job_json(job: Job) -> dict[str, Any]:
        spec = job.spec
        secrets = {name: None for name in spec.get("secrets") or {}}
        answer = {"id": job.id, "createdAt": job.created_at, "status": {"stage": job.stage, "message": job.message}}
        answer.update({"command": spec["command"], "arguments": spec.get("arguments", []), "flavor": spec["flavor"]})
        answer.update({"environment": spec.get("environment", {}), "secrets": secrets, "owner": owner_of(job.owner)})
        answer.update({"labels": spec.get("labels"), "timeoutSeconds": spec.get("timeoutSeconds")})
        answer["dockerImage" if "dockerImage" in spec else "spaceId"] = spec.get("dockerImage") or spec.get("spaceId")
        return answer

    def _validate_spec(self, spec: dict[str, Any]) -> None:
        names = {item["name"] for item in self.hub.hardware}
        if spec.get("flavor") not in names:
            raise HubError(400, f"Invalid flavor {spec.get('flavor')!r}; expected one of {sorted(names)}")
        if not spec.get("command") or not (spec.get("dockerImage") or spec.get("spaceId")):
            raise HubError(400, "A job needs a command and a dockerImage or spaceId")

    async def hardware(self, request: Request) -> Response:
        if not self.hub.hardware_available:
            return JSONResponse({"error": "unavailable"}, status_code=503)
        return JSONResponse(self.hub.hardware)

    async def jobs(self, request: Request) -> Response:
        namespace = self._namespace(request)
        if request.method == "GET":
            stages = request.query_params.getlist("stage")
            found = [j for j in self.hub.jobs.values() if j.owner == namespace and (not stages or j.stage in stages)]
            return JSONResponse([self.job_json(job) for job in found])
        spec = json.loads(await request.body())
        self._validate_spec(spec)
        await asyncio.sleep(self.hub.job_create_delay)
        job = Job(id=uuid.uuid4().hex[:24], owner=namespace, spec=spec)
        self.hub.jobs[job.id] = job
        asyncio.get_running_loop().create_task(self._drive(job))
        return JSONResponse(self.job_json(job))

    async def _drive(self, job: Job) -> None:
        script = self.hub.job_script
        for line in script.lines:
            await asyncio.sleep(script.interval)
            if job.finished:
                return
            job.logs.append(line)
        if script.final is None:
            return
        await asyncio.sleep(script.interval)
        if not job.finished:
            job.stage, job.message = script.final, script.message

    async def inspect(self, request: Request) -> Response:
        return JSONResponse(self.job_json(self._job(request)))

    async def cancel(self, request: Request) -> Response:
        job = self._job(request)
        job.cancel_requests += 1
        if not job.finished:
            job.stage = "CANCELED"
        return JSONResponse({})

    async def logs(self, request: Request) -> Response:
        job = self._job(request)
        tail = request.query_params.get("tail")
        job.log_connections += 1
        # with log_stream_limit, connection n drops after n * limit lines (the client must resume)
        limit = None if self.hub.log_stream_limit is None else job.log_connections * self.hub.log_stream_limit

        async def events():
            yield _event(f"===== Job started at {job.created_at} =====")
            sent = max(0, len(job.logs) - int(tail)) if tail else 0
            quiet = 0.0
            while not self.hub.closing:
                while sent < len(job.logs):
                    if limit is not None and sent >= limit:
                        return
                    yield _event(job.logs[sent])
                    sent, quiet = sent + 1, 0.0
                if job.finished:
                    return
                await asyncio.sleep(0.02)
                quiet += 0.02
                if quiet >= KEEPALIVE_SECONDS:
                    yield b": keep-alive\n\n"
                    quiet = 0.0

        return StreamingResponse(events(), media_type="text/event-stream")

    @staticmethod
    def scheduled_json(item: ScheduledJob) -> dict[str, Any]:
        next_run = (datetime.now(UTC) + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
        spec = {**item.spec, "secrets": {name: None for name in item.spec.get("secrets") or {}}}
        spec["timeout"] = item.spec.get("timeoutSeconds")  # what huggingface_hub's JobSpec reads
        answer = {"id": item.id, "createdAt": item.created_at, "jobSpec": spec, "schedule": item.schedule}
        answer.update({"suspend": item.suspend, "concurrency": item.concurrency, "owner": owner_of(item.owner)})
        answer["status"] = {"lastJob": None, "nextJobRunAt": next_run}
        return answer

    async def scheduled(self, request: Request) -> Response:
        namespace = self._namespace(request)
        if request.method == "GET":
            found = [item for item in self.hub.scheduled_jobs.values() if item.owner == namespace]
            return JSONResponse([self.scheduled_json(item) for item in found])
        body = json.loads(await request.body())
        self._validate_spec(body["jobSpec"])
        item = ScheduledJob(uuid.uuid4().hex[:24], namespace, body["jobSpec"], body["schedule"], created_at=now_iso())
        item.suspend = bool(body.get("suspend", False))
        self.hub.scheduled_jobs[item.id] = item
        return JSONResponse(self.scheduled_json(item))

    def _scheduled(self, request: Request) -> ScheduledJob:
        namespace = self._namespace(request)
        item = self.hub.scheduled_jobs.get(request.path_params["job_id"])
        if item is None or item.owner != namespace:
            raise HubError(404, "Scheduled job not found")
        return item

    async def scheduled_one(self, request: Request) -> Response:
        item = self._scheduled(request)
        if request.method == "DELETE":
            del self.hub.scheduled_jobs[item.id]
            return Response(status_code=204)
        return JSONResponse(self.scheduled_json(item))

    async def scheduled_action(self, request: Request) -> Response:
        item = self._scheduled(request)
        action = request.path_params["action"]
        if action not in ("suspend", "resume"):
            raise HubError(404, "Not found")
        item.suspend = action == "suspend"
        return JSONResponse(self.scheduled_json(item))


def _event(text: str) -> bytes:
    return b"data: " + json.dumps({"timestamp": now_iso(), "data": text}).encode() + b"\n\n"

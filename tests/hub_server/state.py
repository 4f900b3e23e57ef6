"""The in-memory state of the local Hub: repos with branches, tags and PRs; jobs; seeded content."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.responses import JSONResponse

TEST_TOKEN = "hf_localhubTestToken0123456789abcdef"
KINDS = {"models": "model", "datasets": "dataset", "spaces": "space"}
GITATTRIBUTES = b"*.bin filter=lfs diff=lfs merge=lfs -text\n"
LFS_SUFFIXES = (".bin", ".safetensors")
TERMINAL_STAGES = ("COMPLETED", "CANCELED", "ERROR", "DELETED")


def git_sha1(data: bytes) -> str:
    """The git blob id of ``data`` (what the Hub reports as a regular file's oid)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


class HubError(Exception):
    """Raised by an endpoint; answered like the Hub does (X-Error-Code / X-Error-Message)."""

    def __init__(self, status: int, message: str, code: str | None = None, **body: str) -> None:
        super().__init__(message)
        self.status, self.body = status, {"error": message, **body}
        self.headers = {"X-Error-Message": message, **({"X-Error-Code": code} if code else {})}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body, status_code=self.status, headers=self.headers)


@dataclass
class Discussion:
    """A discussion or pull request; a PR's commits live on ``refs/pr/<num>``."""

    num: int
    title: str
    author: str
    is_pr: bool
    status: str
    description: str = ""
    base: str = "main"
    created_at: str = field(default_factory=now_iso)
    events: list[dict] = field(default_factory=list)

    def add_event(self, author: str, kind: str, data: dict) -> dict:
        event = {"id": f"evt{self.num}-{len(self.events)}", "type": kind, "createdAt": now_iso()}
        event.update({"author": {"name": author}, "data": data})
        self.events.append(event)
        return event


@dataclass
class Repo:
    """A repo: snapshots by commit, branch heads (``main``, ``refs/pr/N``, ...), tags and discussions."""

    owner: str
    private: bool
    kind: str = "model"
    hub_tags: list[str] = field(default_factory=list)
    downloads: int = 0
    likes: int = 0
    gated: str | bool = False
    sdk: str | None = None
    pipeline_tag: str | None = None
    library_name: str | None = None
    created_at: str = field(default_factory=now_iso)
    snapshots: dict[str, dict[str, bytes]] = field(default_factory=dict)
    heads: dict[str, str] = field(default_factory=dict)
    git_tags: dict[str, str] = field(default_factory=dict)
    log: list[dict] = field(default_factory=list)
    discussions: list[Discussion] = field(default_factory=list)

    @property
    def sha(self) -> str:
        return self.heads["main"]

    @property
    def files(self) -> dict[str, bytes]:
        """The files on ``main``."""
        return self.snapshots.get(self.heads.get("main", ""), {})

    @property
    def commits(self) -> list[dict]:
        """The commits made on ``main``, oldest first."""
        return [commit for commit in self.log if commit["branch"] == "main"]

    def resolve(self, revision: str) -> str | None:
        """The commit of a branch, PR ref, tag or commit id."""
        revision = revision.removeprefix("refs/heads/").removeprefix("refs/tags/")
        if revision in self.heads:
            return self.heads[revision]
        if revision in self.git_tags:
            return self.git_tags[revision]
        return revision if revision in self.snapshots else None

    def files_at(self, revision: str) -> dict[str, bytes]:
        return self.snapshots[self.resolve(revision) or ""]

    def commit(self, message: str, changes: dict[str, bytes | None], branch: str = "main") -> str:
        files = dict(self.snapshots.get(self.heads.get(branch, ""), {}))
        files.update({path: data for path, data in changes.items() if data is not None})
        for path in [path for path, data in changes.items() if data is None]:
            files.pop(path, None)
        seed = json.dumps([len(self.log), message, sorted(changes), branch]).encode()
        oid = hashlib.sha1(seed + b"".join(git_sha1(d or b"").encode() for d in changes.values())).hexdigest()
        self.snapshots[oid] = files
        self.heads[branch] = oid
        self.log.append({"oid": oid, "message": message, "paths": sorted(changes), "branch": branch})
        return oid

    def discussion(self, num: int) -> Discussion:
        found = next((item for item in self.discussions if item.num == num), None)
        if found is None:
            raise HubError(404, "Discussion not found", "DiscussionNotFound")
        return found

    def open_pr(
        self, author: str, title: str, description: str, base: str = "main", status: str = "draft"
    ) -> Discussion:
        pr = Discussion(len(self.discussions) + 1, title, author, True, status, description, base)
        self.discussions.append(pr)
        self.heads[f"refs/pr/{pr.num}"] = self.heads[base]
        return pr


@dataclass
class Job:
    """An HF Job; the server appends ``logs`` as the job "runs" (see ``LocalHub.job_script``)."""

    id: str
    owner: str
    spec: dict[str, Any]
    stage: str = "RUNNING"
    message: str | None = None
    logs: list[str] = field(default_factory=list)
    created_at: str = field(default_factory=now_iso)
    cancel_requests: int = 0
    log_connections: int = 0

    @property
    def finished(self) -> bool:
        return self.stage in TERMINAL_STAGES


@dataclass
class JobScript:
    """How the next jobs behave: lines logged every ``interval`` seconds, then ``final`` (None: run until cancelled)."""

    lines: list[str] = field(default_factory=lambda: ["hello from the job"])
    interval: float = 0.02
    final: str | None = "COMPLETED"
    message: str | None = None


@dataclass
class ScheduledJob:
    id: str
    owner: str
    spec: dict[str, Any]
    schedule: str
    suspend: bool = False
    concurrency: bool = False
    created_at: str = field(default_factory=now_iso)


@dataclass
class ViewerDataset:
    """What the dataset viewer knows about one dataset: ``{config: {split: rows}}`` and features."""

    configs: dict[str, dict[str, list[dict]]]
    features: dict[str, dict[str, Any]] = field(default_factory=dict)

"""``LocalHub``: a Hugging Face Hub-compatible server on 127.0.0.1 (starlette + uvicorn in a thread).

Every request is recorded in ``requests``; ``fail_next`` injects failures. Seed content with
``add_repo``, ``add_paper``, ``add_docs`` and ``add_viewer_dataset``; ``job_script`` decides how
new jobs behave. The dataset viewer is served under ``datasets_server`` (same host).
"""

from __future__ import annotations

import socket
import threading
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request

from .content_routes import ContentEndpoints
from .discussion_routes import DiscussionEndpoints
from .job_routes import HARDWARE, JobEndpoints
from .oauth_routes import OAuthEndpoints
from .repo_routes import RepoEndpoints
from .state import (
    GITATTRIBUTES,
    KINDS,
    TEST_TOKEN,
    HubError,
    Job,
    JobScript,
    RecordedRequest,
    Repo,
    ScheduledJob,
    ViewerDataset,
)


class LocalHub:
    """In-memory Hub on 127.0.0.1. Use as a context manager; ``endpoint`` goes in ``HF_ENDPOINT``."""

    def __init__(self, users: dict[str, str] | None = None) -> None:
        self.users: dict[str, str] = dict(users or {TEST_TOKEN: "alice"})
        self.orgs: dict[str, list[str]] = {}
        self.repos: dict[str, Repo] = {}
        self.requests: list[RecordedRequest] = []
        self.jobs: dict[str, Job] = {}
        self.scheduled_jobs: dict[str, ScheduledJob] = {}
        self.job_script = JobScript()
        self.hardware: list[dict[str, Any]] = [dict(item) for item in HARDWARE]
        self.hardware_available = True
        self.log_stream_limit: int | None = None  # drop log stream n after n * this many lines
        self.job_create_delay = 0.0  # seconds a job creation takes (to interrupt it in flight)
        self.papers: dict[str, dict[str, Any]] = {}
        self.docs: dict[str, dict[str, tuple[str, str]]] = {}
        self.redirects: dict[str, str] = {}
        self.viewer: dict[str, ViewerDataset] = {}
        self.device_codes: dict[str, dict[str, str | None]] = {}  # OAuth device flow (notebook_login)
        self.closing = False
        self._failures: list[tuple[int, str]] = []
        self.lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.endpoint = ""
        routes = [
            *JobEndpoints(self).routes(),
            *ContentEndpoints(self).routes(),
            *DiscussionEndpoints(self).routes(),
            *RepoEndpoints(self).routes(),
            *OAuthEndpoints(self).routes(),
        ]
        self._app = Starlette(routes=routes, exception_handlers={HubError: lambda _, error: error.response()})

    @property
    def datasets_server(self) -> str:
        return f"{self.endpoint}/datasets-server"

    def start(self) -> LocalHub:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.endpoint = f"http://127.0.0.1:{sock.getsockname()[1]}"
        config = uvicorn.Config(self._asgi, interface="asgi3", log_level="warning", lifespan="off", access_log=False)
        config.timeout_graceful_shutdown = 2
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("LocalHub failed to start")
            self._thread.join(0.01)
        return self

    def stop(self) -> None:
        self.closing = True  # ends open log streams
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(5)

    def __enter__(self) -> LocalHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def authorize_device(self, user_code: str, token: str = TEST_TOKEN) -> None:
        """Play the user who opened the verification page and entered ``user_code``."""
        with self.lock:
            for entry in self.device_codes.values():
                if entry["user_code"] == user_code:
                    entry["token"] = token
                    return
        raise KeyError(f"no device login is waiting for code {user_code}")

    def fail_next(self, count: int, status: int = 500, path_contains: str = "") -> None:
        """Answer the next ``count`` requests whose path contains ``path_contains`` with ``status``."""
        with self.lock:
            self._failures.extend([(status, path_contains)] * count)

    def repo(self, repo_id: str, repo_type: str = "dataset") -> Repo:
        return self.repos[f"{repo_type}/{repo_id}"]

    def requests_to(self, fragment: str, method: str | None = None) -> list[RecordedRequest]:
        """Recorded requests whose path contains ``fragment`` (and of ``method``)."""
        return [r for r in self.requests if fragment in r.path and (method is None or r.method == method)]

    # -- seeding ---------------------------------------------------------------------------------

    def add_repo(
        self, repo_id: str, kind: str = "model", *, private: bool = False, files: dict[str, bytes] | None = None, **meta
    ) -> Repo:
        """A repo owned by its namespace, with ``files`` committed on ``main`` after ``.gitattributes``."""
        repo = Repo(owner=repo_id.split("/")[0], private=private, kind=kind, **meta)
        repo.commit("initial commit", {".gitattributes": GITATTRIBUTES})
        if files:
            repo.commit("add files", dict(files))
        self.repos[f"{kind}/{repo_id}"] = repo
        return repo

    def add_paper(self, arxiv_id: str, title: str, summary: str, **fields: Any) -> dict[str, Any]:
        """A paper; ``daily`` (YYYY-MM-DD) lists it in the daily papers, ``markdown`` is its page."""
        paper = {"id": arxiv_id, "title": title, "summary": summary, "authors": [{"name": "Ada Lovelace"}]}
        paper.update(fields)
        self.papers[arxiv_id] = paper
        return paper

    def add_docs(self, library: str, pages: dict[str, tuple[str, str]]) -> None:
        """Docs pages of ``library``: ``{slug: (title, markdown)}``."""
        self.docs[library] = dict(pages)

    def add_viewer_dataset(self, repo_id: str, configs: dict[str, dict[str, list[dict]]], **kwargs: Any) -> Repo:
        """A dataset repo the viewer knows: ``configs`` is ``{config: {split: rows}}``."""
        features = kwargs.pop("features", {})
        repo = self.add_repo(repo_id, "dataset", **kwargs)
        self.viewer[repo_id] = ViewerDataset(configs=configs, features=features)
        return repo

    # -- request plumbing ------------------------------------------------------------------------

    async def _asgi(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        record = RecordedRequest(scope["method"], scope["path"], scope["query_string"].decode(), headers, body)
        with self.lock:
            self.requests.append(record)
            failure = next((f for f in self._failures if f[1] in record.path), None)
            if failure:
                self._failures.remove(failure)
        if failure:
            await HubError(failure[0], "injected failure").response()(scope, receive, send)
            return
        pending = [{"type": "http.request", "body": body, "more_body": False}]

        async def replay() -> dict:
            return pending.pop() if pending else await receive()  # then wait for the real disconnect

        await self._app(scope, replay, send)

    def user(self, request: Request, *, required: bool = False) -> str | None:
        """The user of the bearer token; 401 for an unknown token (or none when ``required``)."""
        auth = request.headers.get("authorization", "")
        user = self.users.get(auth[7:]) if auth.lower().startswith("bearer ") else None
        if user is None and (auth or required):
            raise HubError(401, "Invalid credentials in Authorization header")
        return user

    def can_act_for(self, user: str, namespace: str) -> bool:
        return namespace == user or namespace in self.orgs.get(user, [])

    def lookup(self, request: Request, *, kind_key: str = "kind") -> tuple[Repo, str, str | None]:
        """The repo of a repo-scoped request, its id and user; anonymous reads see public repos only."""
        params = request.path_params
        kind = KINDS.get(params.get(kind_key) or "models")
        if kind is None:
            raise HubError(404, "Not found")
        repo_id = f"{params['ns']}/{params['name']}"
        user = self.user(request)
        repo = self.repos.get(f"{kind}/{repo_id}")
        if repo is None or (repo.private and user != repo.owner):
            raise HubError(404 if user else 401, "Repository not found", "RepoNotFound")
        return repo, repo_id, user

    @staticmethod
    def require_owner(repo: Repo, user: str | None) -> None:
        if user != repo.owner:
            raise HubError(403 if user else 401, "You don't have the rights to write to this repo")

    def url(self, kind: str, repo_id: str) -> str:
        return f"{self.endpoint}/{'' if kind == 'model' else kind + 's/'}{repo_id}"

"""A local Hugging Face Hub-compatible server for tests: starlette + uvicorn in a thread.

Serves what ``huggingface_hub`` 1.33 calls (routes in ``LocalHub.__init__``); preupload always
answers "regular", so file content arrives base64 inline. Every request is recorded.
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import threading
from dataclasses import dataclass, field
from urllib.parse import parse_qs

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

TEST_TOKEN = "hf_localhubTestToken0123456789abcdef"
KINDS = {"models": "model", "datasets": "dataset", "spaces": "space"}
GITATTRIBUTES = b"*.bin filter=lfs diff=lfs merge=lfs -text\n"


def git_sha1(data: bytes) -> str:
    """The git blob id of ``data`` (what the Hub reports as a regular file's oid)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Repo:
    owner: str
    private: bool
    files: dict[str, bytes] = field(default_factory=dict)
    commits: list[dict] = field(default_factory=list)

    @property
    def sha(self) -> str:
        return self.commits[-1]["oid"]

    def commit(self, message: str, changes: dict[str, bytes | None]) -> str:
        self.files.update({path: data for path, data in changes.items() if data is not None})
        for path in [path for path, data in changes.items() if data is None]:
            self.files.pop(path, None)
        seed = json.dumps([len(self.commits), message, sorted(changes)]).encode()
        oid = hashlib.sha1(seed + b"".join(git_sha1(d or b"").encode() for d in changes.values())).hexdigest()
        self.commits.append({"oid": oid, "message": message, "paths": sorted(changes)})
        return oid


class HubError(Exception):
    """Raised by an endpoint; answered like the Hub does (X-Error-Code / X-Error-Message)."""

    def __init__(self, status: int, message: str, code: str | None = None, **body: str) -> None:
        super().__init__(message)
        self.status, self.body = status, {"error": message, **body}
        self.headers = {"X-Error-Message": message, **({"X-Error-Code": code} if code else {})}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body, status_code=self.status, headers=self.headers)


class LocalHub:
    """In-memory Hub on 127.0.0.1. Use as a context manager; ``endpoint`` goes in ``HF_ENDPOINT``."""

    def __init__(self, users: dict[str, str] | None = None) -> None:
        self.users: dict[str, str] = dict(users or {TEST_TOKEN: "alice"})
        self.repos: dict[str, Repo] = {}
        self.requests: list[RecordedRequest] = []
        self._failures: list[tuple[int, str]] = []
        self._lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.endpoint = ""
        api = "/api/{kind}/{ns}/{name}"
        resolve = "/{ns}/{name}/resolve/{rev}/{path:path}"
        routes = [
            Route("/api/whoami-v2", self._whoami),
            Route("/api/repos/create", self._create, methods=["POST"]),
            Route("/api/validate-yaml", self._validate_yaml, methods=["POST"]),
            Route(api, self._info),
            Route(api + "/revision/{rev}", self._info),
            Route(api + "/settings", self._settings, methods=["PUT"]),
            Route(api + "/preupload/{rev}", self._preupload, methods=["POST"]),
            Route(api + "/commit/{rev}", self._commit, methods=["POST"]),
            Route(api + "/tree/{rev}", self._tree),
            Route(api + "/tree/{rev}/{path:path}", self._tree),
            Route(api + "/paths-info/{rev}", self._paths_info, methods=["POST"]),
            Route("/{prefix}" + resolve, self._resolve, methods=["GET", "HEAD"]),
            Route(resolve, self._resolve, methods=["GET", "HEAD"]),
        ]
        self._app = Starlette(routes=routes, exception_handlers={HubError: lambda _, error: error.response()})

    def start(self) -> LocalHub:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.endpoint = f"http://127.0.0.1:{sock.getsockname()[1]}"
        config = uvicorn.Config(self._asgi, interface="asgi3", log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("LocalHub failed to start")
            self._thread.join(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(5)

    def __enter__(self) -> LocalHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def fail_next(self, count: int, status: int = 500, path_contains: str = "") -> None:
        """Answer the next ``count`` requests whose path contains ``path_contains`` with ``status``."""
        with self._lock:
            self._failures.extend([(status, path_contains)] * count)

    def repo(self, repo_id: str, repo_type: str = "dataset") -> Repo:
        return self.repos[f"{repo_type}/{repo_id}"]

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
        with self._lock:
            self.requests.append(record)
            failure = next((f for f in self._failures if f[1] in record.path), None)
            if failure:
                self._failures.remove(failure)
        if failure:
            await HubError(failure[0], "injected failure").response()(scope, receive, send)
            return
        pending = [{"type": "http.request", "body": body, "more_body": False}]

        async def replay() -> dict:
            return pending.pop() if pending else {"type": "http.disconnect"}

        await self._app(scope, replay, send)

    def _user(self, request: Request, *, required: bool = False) -> str | None:
        """The user of the bearer token; 401 for an unknown token (or none when ``required``)."""
        auth = request.headers.get("authorization", "")
        user = self.users.get(auth[7:]) if auth.lower().startswith("bearer ") else None
        if user is None and (auth or required):
            raise HubError(401, "Invalid credentials in Authorization header")
        return user

    def _lookup(self, request: Request, *, write: bool = False) -> tuple[Repo, str]:
        """The repo of a repo-scoped request and its id; anonymous reads see public repos only."""
        params = request.path_params
        kind = KINDS.get(params.get("kind") or params.get("prefix") or "models")
        if kind is None:
            raise HubError(404, "Not found")
        repo_id = f"{params['ns']}/{params['name']}"
        user = self._user(request)
        repo = self.repos.get(f"{kind}/{repo_id}")
        if repo is None or (repo.private and user != repo.owner):
            raise HubError(404 if user else 401, "Repository not found", "RepoNotFound")
        if write and user != repo.owner:
            raise HubError(403 if user else 401, "You don't have the rights to write to this repo")
        if params.get("rev", "main") not in ("main", repo.sha):
            raise HubError(404, "Revision not found", "RevisionNotFound")
        return repo, repo_id

    def _url(self, kind: str, repo_id: str) -> str:
        return f"{self.endpoint}/{'' if kind == 'model' else kind + 's/'}{repo_id}"

    async def _whoami(self, request: Request) -> Response:
        user = self._user(request, required=True)
        role = {"type": "access_token", "accessToken": {"displayName": "test", "role": "write"}}
        return JSONResponse({"type": "user", "name": user, "fullname": user, "orgs": [], "auth": role})

    async def _create(self, request: Request) -> Response:
        user = self._user(request, required=True)
        payload = json.loads(await request.body())
        kind = payload.get("type") or "model"
        owner = payload.get("organization") or user
        if owner != user:
            raise HubError(403, f"You don't have the rights to create a repo under {owner}")
        repo_id = f"{owner}/{payload['name']}"
        url = self._url(kind, repo_id)
        with self._lock:
            if f"{kind}/{repo_id}" in self.repos:
                raise HubError(409, "You already created this repo", url=url)
            repo = Repo(owner=user, private=payload.get("visibility", "public") == "private")
            repo.commit("initial commit", {".gitattributes": GITATTRIBUTES})
            self.repos[f"{kind}/{repo_id}"] = repo
        return JSONResponse({"url": url, "name": repo_id, "id": repo_id})

    async def _validate_yaml(self, request: Request) -> Response:
        self._user(request, required=True)
        content = json.loads(await request.body()).get("content", "")
        if not content.startswith("---\n") or "\n---" not in content[3:]:
            return JSONResponse({"errors": [{"message": "missing YAML front matter"}]}, status_code=400)
        return JSONResponse({"errors": [], "warnings": []})

    async def _info(self, request: Request) -> Response:
        repo, repo_id = self._lookup(request)
        siblings = [{"rfilename": p, "size": len(d), "blobId": git_sha1(d)} for p, d in sorted(repo.files.items())]
        info = {"id": repo_id, "author": repo.owner, "sha": repo.sha, "private": repo.private}
        return JSONResponse({**info, "siblings": siblings})

    async def _settings(self, request: Request) -> Response:
        repo, _ = self._lookup(request, write=True)
        visibility = json.loads(await request.body()).get("visibility")
        repo.private = {"private": True, "public": False}.get(visibility, repo.private)
        return JSONResponse({})

    async def _preupload(self, request: Request) -> Response:
        repo, _ = self._lookup(request, write=True)
        paths = [item["path"] for item in json.loads(await request.body())["files"]]
        oids = {p: git_sha1(repo.files[p]) if p in repo.files else None for p in paths}
        answer = [{"path": p, "uploadMode": "regular", "shouldIgnore": False, "oid": oids[p]} for p in paths]
        return JSONResponse({"files": answer, "commitOid": repo.sha})

    async def _commit(self, request: Request) -> Response:
        repo, repo_id = self._lookup(request, write=True)
        lines = [json.loads(line) for line in (await request.body()).splitlines() if line.strip()]
        header = next((item["value"] for item in lines if item["key"] == "header"), {})
        changes: dict[str, bytes | None] = {}
        for item in lines:
            key, value = item["key"], item["value"]
            if key == "file":
                changes[value["path"]] = base64.b64decode(value["content"])
            elif key == "deletedFile":
                changes[value["path"]] = None
            elif key == "deletedFolder":
                changes.update({p: None for p in repo.files if p.startswith(value["path"].rstrip("/") + "/")})
            elif key != "header":
                raise HubError(400, f"LocalHub does not support commit operation {key!r}")
        if header.get("parentCommit") not in (None, repo.sha):
            raise HubError(412, "A commit has happened since. Please refresh and try again.")
        with self._lock:
            oid = repo.commit(header.get("summary", ""), changes)
        url = f"{self._url(KINDS[request.path_params['kind']], repo_id)}/commit/{oid}"
        return JSONResponse({"commitUrl": url, "commitOid": oid, "pullRequestUrl": None, "success": True})

    def _entries(self, repo: Repo, prefix: str, recursive: bool) -> list[dict]:
        base = prefix.strip("/") + "/" if prefix.strip("/") else ""
        files, folders = [], set()
        for path, data in sorted(repo.files.items()):
            if not path.startswith(base):
                continue
            parts = path[len(base) :].split("/")
            for depth in range(1, len(parts)):
                if recursive or depth == 1:
                    folders.add(base + "/".join(parts[:depth]))
            if recursive or len(parts) == 1:
                files.append({"type": "file", "path": path, "size": len(data), "oid": git_sha1(data)})
        dirs = [{"type": "directory", "path": p, "oid": git_sha1(p.encode())} for p in sorted(folders)]
        return dirs + files

    async def _tree(self, request: Request) -> Response:
        repo, _ = self._lookup(request)
        prefix = request.path_params.get("path", "")
        entries = self._entries(repo, prefix, request.query_params.get("recursive", "").lower() == "true")
        if prefix and not entries:
            raise HubError(404, "Entry not found", "EntryNotFound")
        return JSONResponse(entries)

    async def _paths_info(self, request: Request) -> Response:
        repo, _ = self._lookup(request)
        wanted = parse_qs((await request.body()).decode()).get("paths", [])
        return JSONResponse([entry for entry in self._entries(repo, "", recursive=True) if entry["path"] in wanted])

    async def _resolve(self, request: Request) -> Response:
        repo, _ = self._lookup(request)
        data = repo.files.get(request.path_params["path"])
        if data is None:
            raise HubError(404, "Entry not found", "EntryNotFound")
        headers = {"X-Repo-Commit": repo.sha, "ETag": f'"{git_sha1(data)}"', "Content-Length": str(len(data))}
        return Response(b"" if request.method == "HEAD" else data, headers=headers)

"""Repo endpoints: whoami, create, info, settings, preupload + commit, tree, paths-info, resolve.

Preupload always answers "regular", so file content arrives base64 inline in the commit.
Revisions may be branches, ``refs/pr/N``, tags or commit ids.
"""

from __future__ import annotations

import base64
import hashlib
import json
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .ref_routes import RefEndpoints
from .state import GITATTRIBUTES, KINDS, LFS_SUFFIXES, HubError, Repo, git_sha1

API = "/api/{kind}/{ns}/{name}"
RESOLVE = "/{ns}/{name}/resolve/{rest:path}"


def split_revision(repo: Repo, rest: str) -> tuple[str, str]:
    """``(revision, path)`` from ``<revision>/<path>`` where the revision may contain slashes."""
    parts = rest.split("/")
    for size in (3, 2):  # refs/pr/N, refs/heads/x
        if len(parts) >= size and repo.resolve("/".join(parts[:size])):
            return "/".join(parts[:size]), "/".join(parts[size:])
    return parts[0], "/".join(parts[1:])


def checked_revision(repo: Repo, revision: str) -> str:
    """The commit id of ``revision``, or the Hub's 404."""
    oid = repo.resolve(revision)
    if oid is None:
        raise HubError(404, f"Invalid rev id: {revision}", "RevisionNotFound")
    return oid


def file_entry(path: str, data: bytes) -> dict:
    entry = {"type": "file", "path": path, "size": len(data), "oid": git_sha1(data)}
    if path.endswith(LFS_SUFFIXES):
        entry["lfs"] = {"oid": hashlib.sha256(data).hexdigest(), "size": len(data), "pointerSize": 134}
    return entry


def tree_entries(files: dict[str, bytes], prefix: str, recursive: bool) -> list[dict]:
    base = prefix.strip("/") + "/" if prefix.strip("/") else ""
    found, folders = [], set()
    for path, data in sorted(files.items()):
        if not path.startswith(base):
            continue
        parts = path[len(base) :].split("/")
        for depth in range(1, len(parts)):
            if recursive or depth == 1:
                folders.add(base + "/".join(parts[:depth]))
        if recursive or len(parts) == 1:
            found.append(file_entry(path, data))
    dirs = [{"type": "directory", "path": p, "oid": git_sha1(p.encode())} for p in sorted(folders)]
    return dirs + found


class RepoEndpoints:
    """The repo endpoints of a ``LocalHub``."""

    def __init__(self, hub) -> None:
        self.hub = hub

    def routes(self) -> list[Route]:
        return [
            Route("/api/whoami-v2", self.whoami),
            Route("/api/repos/create", self.create, methods=["POST"]),
            Route("/api/validate-yaml", self.validate_yaml, methods=["POST"]),
            *RefEndpoints(self.hub).routes(),
            Route(API, self.info),
            Route(API + "/revision/{rev:path}", self.info),
            Route(API + "/settings", self.settings, methods=["PUT"]),
            Route(API + "/preupload/{rev:path}", self.preupload, methods=["POST"]),
            Route(API + "/commit/{rev:path}", self.commit, methods=["POST"]),
            Route(API + "/tree/{rest:path}", self.tree),
            Route(API + "/paths-info/{rev:path}", self.paths_info, methods=["POST"]),
            Route("/{kind}" + RESOLVE, self.resolve, methods=["GET", "HEAD"]),
            Route(RESOLVE, self.resolve, methods=["GET", "HEAD"]),
        ]

    async def whoami(self, request: Request) -> Response:
        user = self.hub.user(request, required=True)
        role = {"type": "access_token", "accessToken": {"displayName": "test", "role": "write"}}
        orgs = [{"name": org} for org in self.hub.orgs.get(user, [])]
        return JSONResponse({"type": "user", "name": user, "fullname": user, "orgs": orgs, "auth": role})

    async def create(self, request: Request) -> Response:
        user = self.hub.user(request, required=True)
        payload = json.loads(await request.body())
        kind = payload.get("type") or "model"
        if kind not in KINDS.values():
            raise HubError(400, f"Invalid repo type {kind!r}")
        owner = payload.get("organization") or user
        if not self.hub.can_act_for(user, owner):
            raise HubError(403, f"You don't have the rights to create a repo under {owner}")
        if kind == "space" and not payload.get("sdk"):
            raise HubError(400, "sdk is required for a Space")
        repo_id = f"{owner}/{payload['name']}"
        url = self.hub.url(kind, repo_id)
        private = payload.get("private", payload.get("visibility", "public") == "private") is True
        with self.hub.lock:
            if f"{kind}/{repo_id}" in self.hub.repos:
                raise HubError(409, "You already created this repo", url=url)
            repo = Repo(owner=owner, private=private, kind=kind, sdk=payload.get("sdk"))
            repo.commit("initial commit", {".gitattributes": GITATTRIBUTES})
            self.hub.repos[f"{kind}/{repo_id}"] = repo
        return JSONResponse({"url": url, "name": repo_id, "id": repo_id})

    async def validate_yaml(self, request: Request) -> Response:
        self.hub.user(request, required=True)
        content = json.loads(await request.body()).get("content", "")
        if not content.startswith("---\n") or "\n---" not in content[3:]:
            return JSONResponse({"errors": [{"message": "missing YAML front matter"}]}, status_code=400)
        return JSONResponse({"errors": [], "warnings": []})

    async def info(self, request: Request) -> Response:
        repo, repo_id, _ = self.hub.lookup(request)
        oid = checked_revision(repo, request.path_params.get("rev", "main"))
        files = repo.snapshots[oid]
        siblings = [{"rfilename": p, "size": len(d), "blobId": git_sha1(d)} for p, d in sorted(files.items())]
        info = {"id": repo_id, "author": repo.owner, "sha": oid, "private": repo.private, "gated": repo.gated}
        info.update({"tags": repo.hub_tags, "downloads": repo.downloads, "likes": repo.likes, "sdk": repo.sdk})
        return JSONResponse({**info, "siblings": siblings})

    async def settings(self, request: Request) -> Response:
        repo, _, user = self.hub.lookup(request)
        self.hub.require_owner(repo, user)
        payload = json.loads(await request.body())
        if "private" in payload:
            repo.private = bool(payload["private"])
        repo.private = {"private": True, "public": False}.get(payload.get("visibility"), repo.private)
        if "gated" in payload:
            if payload["gated"] not in ("auto", "manual", False):
                raise HubError(400, "gated must be auto, manual or false")
            repo.gated = payload["gated"]
        return JSONResponse({})

    def _writable(self, request: Request, repo: Repo, user: str | None, revision: str) -> None:
        """Owners write anywhere; others may open a PR or push to their own PR."""
        if user is None:
            raise HubError(401, "You must be authenticated to write")
        if user == repo.owner or request.query_params.get("create_pr") == "1":
            return
        if revision.startswith("refs/pr/") and repo.discussion(int(revision.split("/")[-1])).author == user:
            return
        self.hub.require_owner(repo, user)

    async def preupload(self, request: Request) -> Response:
        repo, _, user = self.hub.lookup(request)
        revision = request.path_params["rev"]
        self._writable(request, repo, user, revision)
        files = repo.snapshots[checked_revision(repo, revision)]
        paths = [item["path"] for item in json.loads(await request.body())["files"]]
        answer = [
            {
                "path": p,
                "uploadMode": "regular",
                "shouldIgnore": False,
                "oid": git_sha1(files[p]) if p in files else None,
            }
            for p in paths
        ]
        return JSONResponse({"files": answer, "commitOid": repo.resolve(revision)})

    @staticmethod
    def _changes(repo: Repo, revision: str, lines: list[dict]) -> dict[str, bytes | None]:
        changes: dict[str, bytes | None] = {}
        for item in lines:
            key, value = item["key"], item["value"]
            if key == "file":
                changes[value["path"]] = base64.b64decode(value["content"])
            elif key == "deletedFile":
                changes[value["path"]] = None
            elif key == "deletedFolder":
                folder = value["path"].rstrip("/") + "/"
                changes.update({p: None for p in repo.files_at(revision) if p.startswith(folder)})
            elif key != "header":
                raise HubError(400, f"LocalHub does not support commit operation {key!r}")
        return changes

    async def commit(self, request: Request) -> Response:
        repo, repo_id, user = self.hub.lookup(request)
        revision = request.path_params["rev"]
        self._writable(request, repo, user, revision)
        oid_before = checked_revision(repo, revision)
        if revision not in repo.heads:
            raise HubError(400, f"Cannot commit to {revision}: not a branch")
        lines = [json.loads(line) for line in (await request.body()).splitlines() if line.strip()]
        header = next((item["value"] for item in lines if item["key"] == "header"), {})
        changes = self._changes(repo, revision, lines)
        if header.get("parentCommit") not in (None, oid_before):
            raise HubError(412, "A commit has happened since. Please refresh and try again.")
        pr_url = None
        with self.hub.lock:
            if request.query_params.get("create_pr") == "1":
                pr = repo.open_pr(user, header.get("summary", ""), header.get("description", ""), revision, "open")
                revision = f"refs/pr/{pr.num}"
                pr_url = f"{self.hub.url(repo.kind, repo_id)}/discussions/{pr.num}"
            oid = repo.commit(header.get("summary", ""), changes, branch=revision)
        url = f"{self.hub.url(KINDS[request.path_params['kind']], repo_id)}/commit/{oid}"
        return JSONResponse({"commitUrl": url, "commitOid": oid, "pullRequestUrl": pr_url, "success": True})

    async def tree(self, request: Request) -> Response:
        repo, _, _ = self.hub.lookup(request)
        revision, prefix = split_revision(repo, request.path_params["rest"])
        files = repo.snapshots[checked_revision(repo, revision)]
        entries = tree_entries(files, prefix, request.query_params.get("recursive", "").lower() == "true")
        if prefix and not entries:
            raise HubError(404, "Entry not found", "EntryNotFound")
        return JSONResponse(entries)

    async def paths_info(self, request: Request) -> Response:
        repo, _, _ = self.hub.lookup(request)
        files = repo.snapshots[checked_revision(repo, request.path_params["rev"])]
        wanted = parse_qs((await request.body()).decode()).get("paths", [])
        return JSONResponse([entry for entry in tree_entries(files, "", recursive=True) if entry["path"] in wanted])

    async def resolve(self, request: Request) -> Response:
        repo, _, _ = self.hub.lookup(request)
        revision, path = split_revision(repo, request.path_params["rest"])
        oid = checked_revision(repo, revision)
        data = repo.snapshots[oid].get(path)
        if data is None:
            raise HubError(404, "Entry not found", "EntryNotFound")
        headers = {"X-Repo-Commit": oid, "ETag": f'"{git_sha1(data)}"', "Content-Length": str(len(data))}
        return Response(b"" if request.method == "HEAD" else data, headers=headers)

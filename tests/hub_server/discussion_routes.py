"""Discussions and pull requests: create, list, details, comment, status, merge."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .state import Discussion, HubError, Repo

BASE = "/api/{kind}/{ns}/{name}/discussions"


def summary(repo_id: str, repo: Repo, item: Discussion) -> dict:
    return {
        "num": item.num,
        "title": item.title,
        "author": {"name": item.author},
        "createdAt": item.created_at,
        "status": item.status,
        "repo": {"name": repo_id, "type": repo.kind},
        "isPullRequest": item.is_pr,
    }


def details(repo_id: str, repo: Repo, item: Discussion) -> dict:
    answer = {**summary(repo_id, repo, item), "events": item.events}
    if item.is_pr:
        head = repo.files_at(f"refs/pr/{item.num}")
        base = repo.files_at(item.base)
        changed = sorted(path for path in set(head) | set(base) if head.get(path) != base.get(path))
        answer["changes"] = {"base": f"refs/heads/{item.base}"}
        answer["filesWithConflicts"] = []
        answer["diff"] = "".join(f"diff --git a/{path} b/{path}\n" for path in changed)
    return answer


class DiscussionEndpoints:
    """The discussion endpoints of a ``LocalHub``."""

    def __init__(self, hub) -> None:
        self.hub = hub

    def routes(self) -> list[Route]:
        return [
            Route(BASE, self.collection, methods=["GET", "POST"]),
            Route(BASE + "/{num:int}", self.one),
            Route(BASE + "/{num:int}/comment", self.comment, methods=["POST"]),
            Route(BASE + "/{num:int}/status", self.status, methods=["POST"]),
            Route(BASE + "/{num:int}/merge", self.merge, methods=["POST"]),
        ]

    async def collection(self, request: Request) -> Response:
        repo, repo_id, user = self.hub.lookup(request)
        if request.method == "POST":
            if user is None:
                raise HubError(401, "You must be authenticated to open a discussion")
            body = json.loads(await request.body())
            if body.get("pullRequest"):
                item = repo.open_pr(user, body["title"], body.get("description", ""))
            else:
                item = Discussion(
                    len(repo.discussions) + 1, body["title"], user, False, "open", body.get("description")
                )
                repo.discussions.append(item)
            item.add_event(user, "comment", {"edited": False, "hidden": False, "latest": {"raw": item.description}})
            return JSONResponse({"num": item.num, "url": f"{self.hub.url(repo.kind, repo_id)}/discussions/{item.num}"})
        query = request.query_params
        kind, status = query.get("type", "all"), query.get("status", "all")
        found = [
            item
            for item in reversed(repo.discussions)
            if (kind == "all" or item.is_pr == (kind == "pull_request"))
            and (status == "all" or (item.status in ("open", "draft")) == (status == "open"))
            and (not query.get("author") or item.author == query["author"])
        ]
        page = [summary(repo_id, repo, item) for item in found]
        return JSONResponse({"discussions": page, "count": len(page), "start": 0})

    async def one(self, request: Request) -> Response:
        repo, repo_id, _ = self.hub.lookup(request)
        return JSONResponse(details(repo_id, repo, repo.discussion(request.path_params["num"])))

    async def comment(self, request: Request) -> Response:
        repo, _, user = self.hub.lookup(request)
        if user is None:
            raise HubError(401, "You must be authenticated to comment")
        item = repo.discussion(request.path_params["num"])
        text = json.loads(await request.body())["comment"]
        event = item.add_event(user, "comment", {"edited": False, "hidden": False, "latest": {"raw": text}})
        return JSONResponse({"newMessage": event})

    async def status(self, request: Request) -> Response:
        repo, _, user = self.hub.lookup(request)
        item = repo.discussion(request.path_params["num"])
        if user is None or user not in (repo.owner, item.author):
            raise HubError(403 if user else 401, "You cannot change the status of this discussion")
        body = json.loads(await request.body())
        if body.get("status") not in ("open", "closed") or item.status == "merged":
            raise HubError(400, f"Cannot set status {body.get('status')!r}")
        item.status = body["status"]
        return JSONResponse({"newStatus": item.add_event(user, "status-change", {"status": item.status})})

    async def merge(self, request: Request) -> Response:
        repo, _, user = self.hub.lookup(request)
        self.hub.require_owner(repo, user)
        item = repo.discussion(request.path_params["num"])
        if not item.is_pr or item.status != "open":
            raise HubError(400, f"Only open pull requests can be merged (this one is {item.status})")
        head = repo.files_at(f"refs/pr/{item.num}")
        base = repo.files_at(item.base)
        changes = {path: head.get(path) for path in set(head) | set(base) if head.get(path) != base.get(path)}
        oid = repo.commit(f"Merge PR #{item.num}: {item.title}", changes, branch=item.base)
        item.status = "merged"
        item.add_event(user, "status-change", {"status": "merged"})
        return JSONResponse({"mergeCommitId": oid})

"""Listing repos (``/api/models`` ...) and refs: branches and tags."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .state import KINDS, HubError, Repo

API = "/api/{kind}/{ns}/{name}"
SORT_KEYS = {
    "downloads": lambda repo: repo.downloads,
    "likes": lambda repo: repo.likes,
    "createdAt": lambda repo: repo.created_at,
    "lastModified": lambda repo: repo.created_at,
    "trendingScore": lambda repo: repo.likes,
}


def listing_item(repo_id: str, repo: Repo) -> dict:
    item = {"_id": repo_id, "id": repo_id, "author": repo.owner, "private": repo.private, "gated": repo.gated}
    item.update({"downloads": repo.downloads, "likes": repo.likes, "tags": list(repo.hub_tags)})
    item.update({"createdAt": repo.created_at, "lastModified": repo.created_at, "sha": repo.sha})
    if repo.pipeline_tag:
        item["pipeline_tag"] = repo.pipeline_tag
    if repo.library_name:
        item["library_name"] = repo.library_name
    if repo.kind == "space":
        item["sdk"] = repo.sdk
        item.pop("downloads")
    return item


class RefEndpoints:
    """Listing and ref endpoints of a ``LocalHub``."""

    def __init__(self, hub) -> None:
        self.hub = hub

    def routes(self) -> list[Route]:
        return [
            Route("/api/{kind}", self.listing),
            Route(API + "/refs", self.refs),
            Route(API + "/branch/{branch:path}", self.branch, methods=["POST", "DELETE"]),
            Route(API + "/tag/{ref:path}", self.tag, methods=["POST", "DELETE"]),
        ]

    async def listing(self, request: Request) -> Response:
        kind = KINDS.get(request.path_params["kind"])
        if kind is None:
            raise HubError(404, "Not found")
        user = self.hub.user(request)
        query = request.query_params
        terms = [term.lower() for term in query.getlist("search")]
        filters = query.getlist("filter")
        found = []
        for key, repo in self.hub.repos.items():
            repo_id = key.split("/", 1)[1]
            if repo.kind != kind or (repo.private and user != repo.owner):
                continue
            if query.get("author") and repo.owner != query["author"]:
                continue
            if any(term not in repo_id.lower() for term in terms):
                continue
            if any(value not in repo.hub_tags for value in filters):
                continue
            found.append((repo_id, repo))
        sort = query.get("sort")
        if sort:
            if sort not in SORT_KEYS:
                raise HubError(400, f"Invalid sort {sort!r}")
            found.sort(key=lambda pair: SORT_KEYS[sort](pair[1]), reverse=True)
        limit = int(query.get("limit") or 1000)
        return JSONResponse([listing_item(repo_id, repo) for repo_id, repo in found[:limit]])

    async def refs(self, request: Request) -> Response:
        repo, _, _ = self.hub.lookup(request)
        branches = [name for name in repo.heads if not name.startswith("refs/")]
        answer = {
            "branches": [{"name": b, "ref": f"refs/heads/{b}", "targetCommit": repo.heads[b]} for b in branches],
            "tags": [{"name": t, "ref": f"refs/tags/{t}", "targetCommit": oid} for t, oid in repo.git_tags.items()],
            "converts": [],
        }
        if request.query_params.get("include_prs"):
            prs = [name for name in repo.heads if name.startswith("refs/pr/")]
            answer["pullRequests"] = [{"name": p, "ref": p, "targetCommit": repo.heads[p]} for p in prs]
        return JSONResponse(answer)

    async def branch(self, request: Request) -> Response:
        repo, _, user = self.hub.lookup(request)
        self.hub.require_owner(repo, user)
        name = request.path_params["branch"]
        if request.method == "DELETE":
            if name == "main" or name not in repo.heads:
                raise HubError(404 if name != "main" else 403, f"Cannot delete branch {name}")
            del repo.heads[name]
            return JSONResponse({})
        if name in repo.heads:
            raise HubError(409, f"Reference already exists: refs/heads/{name}")
        body = json.loads(await request.body() or b"{}")
        start = repo.resolve(body.get("startingPoint") or "main")
        if start is None:
            raise HubError(404, f"Invalid rev id: {body.get('startingPoint')}", "RevisionNotFound")
        repo.heads[name] = start
        return JSONResponse({})

    async def tag(self, request: Request) -> Response:
        repo, _, user = self.hub.lookup(request)
        self.hub.require_owner(repo, user)
        ref = request.path_params["ref"]
        if request.method == "DELETE":
            if ref not in repo.git_tags:
                raise HubError(404, f"Tag {ref} not found")
            del repo.git_tags[ref]
            return JSONResponse({})
        body = json.loads(await request.body())
        target = repo.resolve(ref)
        if target is None:
            raise HubError(404, f"Invalid rev id: {ref}", "RevisionNotFound")
        if body["tag"] in repo.git_tags:
            raise HubError(409, f"Tag {body['tag']} already exists")
        repo.git_tags[body["tag"]] = target
        return JSONResponse({})

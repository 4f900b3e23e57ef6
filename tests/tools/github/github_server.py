"""A local GitHub REST API for tests: repos, trees, contents, code and repository search, owner lists.

It checks the bearer token (401 for a wrong one; code search needs one), hides private repos
from anonymous callers (404), and answers like GitHub when ``rate_limited`` is set.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ...hub_server.threaded import ThreadedServer

GH_TOKEN = "ghp_localGitHubTestToken0123456789abcd"
NOT_SEARCHABLE = (
    "The listed users and repositories cannot be searched either because the resources do not exist "
    "or you do not have permission to view them."
)


class GitHubFailure(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}

    def response(self) -> JSONResponse:
        body = {"message": self.message, "documentation_url": "https://docs.github.com/rest"}
        return JSONResponse(body, status_code=self.status, headers=self.headers)


@dataclass
class GHRepo:
    full_name: str
    files: dict[str, bytes]
    default_branch: str = "main"
    stars: int = 0
    forks: int = 0
    created_at: str = "2020-01-01T00:00:00Z"
    updated_at: str = "2024-01-01T00:00:00Z"
    description: str = ""
    private: bool = False
    tags: dict[str, dict[str, bytes]] = field(default_factory=dict)

    def json(self, endpoint: str) -> dict[str, Any]:
        owner, name = self.full_name.split("/")
        return {
            "name": name,
            "full_name": self.full_name,
            "owner": {"login": owner},
            "private": self.private,
            "html_url": f"{endpoint}/{self.full_name}",
            "description": self.description,
            "stargazers_count": self.stars,
            "forks_count": self.forks,
            "language": "Python",
            "default_branch": self.default_branch,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


class LocalGitHub:
    """``with LocalGitHub() as github: github.endpoint`` goes in ``GITHUB_API_URL``."""

    def __init__(self) -> None:
        self.repos: dict[str, GHRepo] = {}
        self.owner_types: dict[str, str] = {}
        self.rate_limited = False
        self.redirects: dict[str, str] = {}
        self.server = ThreadedServer(
            [
                Route("/search/code", self._wrap(self.search_code)),
                Route("/search/repositories", self._wrap(self.search_repos)),
                Route("/orgs/{owner}/repos", self._wrap(self.owner_repos)),
                Route("/users/{owner}/repos", self._wrap(self.owner_repos)),
                Route("/repos/{owner}/{name}", self._wrap(self.repo_info)),
                Route("/repos/{owner}/{name}/git/trees/{ref}", self._wrap(self.tree)),
                Route("/repos/{owner}/{name}/contents/{path:path}", self._wrap(self.contents)),
            ]
        )

    @property
    def endpoint(self) -> str:
        return self.server.endpoint

    @property
    def requests(self):
        return self.server.requests

    def __enter__(self) -> LocalGitHub:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()

    def add_repo(self, full_name: str, files: dict[str, str | bytes], owner_type: str = "org", **meta) -> GHRepo:
        data = {path: content.encode() if isinstance(content, str) else content for path, content in files.items()}
        repo = GHRepo(full_name, data, **meta)
        self.repos[full_name] = repo
        self.owner_types[full_name.split("/")[0]] = owner_type
        return repo

    # -- plumbing ------------------------------------------------------------------------------

    def _wrap(self, handler):
        async def endpoint(request: Request) -> Response:
            if request.url.path in self.redirects:
                return RedirectResponse(self.redirects[request.url.path], status_code=301)
            try:
                authed = self._authenticate(request)
                return await handler(request, authed)
            except GitHubFailure as failure:
                return failure.response()

        return endpoint

    def _authenticate(self, request: Request) -> bool:
        auth = request.headers.get("authorization", "")
        if auth and auth != f"Bearer {GH_TOKEN}":
            raise GitHubFailure(401, "Bad credentials")
        if self.rate_limited:
            reset = str(int(time.time()) + 600)
            headers = {"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}
            raise GitHubFailure(403, "API rate limit exceeded for 127.0.0.1.", headers)
        return bool(auth)

    def _repo(self, request: Request, authed: bool) -> GHRepo:
        full_name = f"{request.path_params['owner']}/{request.path_params['name']}"
        repo = self.repos.get(full_name)
        if repo is None or (repo.private and not authed):
            raise GitHubFailure(404, "Not Found")
        return repo

    def _files(self, repo: GHRepo, ref: str | None) -> dict[str, bytes]:
        if ref in (None, "", repo.default_branch):
            return repo.files
        if ref in repo.tags:
            return repo.tags[ref]
        raise GitHubFailure(404, f"No commit found for the ref {ref}")

    # -- endpoints -----------------------------------------------------------------------------

    async def repo_info(self, request: Request, authed: bool) -> Response:
        return JSONResponse(self._repo(request, authed).json(self.endpoint))

    async def tree(self, request: Request, authed: bool) -> Response:
        repo = self._repo(request, authed)
        files = self._files(repo, request.path_params["ref"])
        folders = sorted({"/".join(p.split("/")[:i]) for p in files for i in range(1, p.count("/") + 1)})
        tree = [{"path": f, "type": "tree", "sha": "0" * 40} for f in folders]
        tree += [{"path": p, "type": "blob", "sha": "1" * 40, "size": len(d)} for p, d in sorted(files.items())]
        return JSONResponse({"sha": "2" * 40, "tree": tree, "truncated": False})

    async def contents(self, request: Request, authed: bool) -> Response:
        repo = self._repo(request, authed)
        files = self._files(repo, request.query_params.get("ref"))
        path = request.path_params["path"].strip("/")
        if path in files:
            if "raw" in request.headers.get("accept", ""):
                return Response(files[path], media_type="application/vnd.github.raw")
            content = base64.b64encode(files[path]).decode()
            return JSONResponse({"type": "file", "path": path, "encoding": "base64", "content": content})
        children = sorted({p[len(path) + 1 :].split("/")[0] for p in files if p.startswith(path + "/")})
        if not children:
            raise GitHubFailure(404, "Not Found")
        kinds = [("file" if f"{path}/{c}" in files else "dir", c) for c in children]
        return JSONResponse([{"name": c, "path": f"{path}/{c}", "type": kind} for kind, c in kinds])

    def _visible(self, authed: bool) -> list[GHRepo]:
        return [repo for repo in self.repos.values() if authed or not repo.private]

    async def search_code(self, request: Request, authed: bool) -> Response:
        if not authed:
            raise GitHubFailure(401, "Requires authentication")
        terms, qualifiers = _parse_query(request.query_params.get("q", ""))
        text_match = "text-match" in request.headers.get("accept", "")
        items = []
        for repo in self._visible(authed):
            if "repo" in qualifiers and repo.full_name != qualifiers["repo"]:
                continue
            for path, data in sorted(repo.files.items()):
                if qualifiers.get("language") == "python" and not path.endswith((".py", ".ipynb")):
                    continue
                text = data.decode("utf-8", "replace")
                if all(term.lower() in text.lower() for term in terms):
                    items.append(_code_item(self.endpoint, repo, path, text, terms, text_match))
        return JSONResponse({"total_count": len(items), "incomplete_results": False, "items": items})

    async def search_repos(self, request: Request, authed: bool) -> Response:
        terms, qualifiers = _parse_query(request.query_params.get("q", ""))
        owner = qualifiers.get("org") or qualifiers.get("user")
        if owner and owner not in self.owner_types:
            raise GitHubFailure(422, f"Validation Failed: {NOT_SEARCHABLE}")
        found = [
            repo
            for repo in self._visible(authed)
            if (not owner or repo.full_name.split("/")[0] == owner)
            and all(term.lower() in repo.full_name.split("/")[1].lower() for term in terms)
        ]
        key = {"stars": lambda r: r.stars, "forks": lambda r: r.forks}.get(request.query_params.get("sort", "stars"))
        found.sort(key=key, reverse=request.query_params.get("order", "desc") == "desc")
        per_page = int(request.query_params.get("per_page", 30))
        items = [repo.json(self.endpoint) for repo in found[:per_page]]
        return JSONResponse({"total_count": len(found), "incomplete_results": False, "items": items})

    async def owner_repos(self, request: Request, authed: bool) -> Response:
        owner = request.path_params["owner"]
        wanted = "org" if request.url.path.startswith("/orgs/") else "user"
        if self.owner_types.get(owner) != wanted:
            raise GitHubFailure(404, "Not Found")
        found = [repo for repo in self._visible(authed) if repo.full_name.split("/")[0] == owner]
        field_name = {"created": "created_at", "updated": "updated_at"}.get(request.query_params.get("sort", "created"))
        if field_name is None:
            raise GitHubFailure(422, "Validation Failed: sort")
        found.sort(key=lambda r: getattr(r, field_name), reverse=request.query_params.get("direction") != "asc")
        per_page = int(request.query_params.get("per_page", 30))
        return JSONResponse([repo.json(self.endpoint) for repo in found[:per_page]])


def _parse_query(query: str) -> tuple[list[str], dict[str, str]]:
    terms, qualifiers = [], {}
    for token in query.split():
        key, sep, value = token.partition(":")
        if sep and key in ("repo", "org", "user", "language", "in"):
            qualifiers[key] = value
        else:
            terms.append(token.strip('"'))
    return terms, qualifiers


def _code_item(endpoint: str, repo: GHRepo, path: str, text: str, terms: list[str], text_match: bool) -> dict:
    item = {
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "sha": "3" * 40,
        "html_url": f"{endpoint}/{repo.full_name}/blob/{repo.default_branch}/{path}",
        "repository": {"full_name": repo.full_name},
    }
    if text_match:
        lines = [line for line in text.splitlines() if terms and terms[0].lower() in line.lower()]
        item["text_matches"] = [{"fragment": "\n".join(lines[:4]), "property": "content"}]
    return item

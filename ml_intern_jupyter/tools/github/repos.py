"""``github_list_repos``: the repositories of a user or organization, sorted."""

from __future__ import annotations

from typing import Any

from ..spec import ToolContext, ToolResult, ToolSpec
from ._guard import guarded
from ._text import clip_lines, clip_text
from .client import GitHubClient, GitHubConfig, GitHubError

DEFAULT_LIMIT = 30
MAX_LIMIT = 100

DESCRIPTION = """\
List the repositories of a GitHub organization or user, to find the right library for a task \
(e.g. owner "huggingface", sort "stars"). Sorts: stars (default), forks, updated, created; `order` \
desc (default) or asc; `limit` up to 100 (default 30). Then find usage examples with \
github_find_examples."""

PARAMETERS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "owner": {"type": "string", "description": "GitHub user or organization."},
        "owner_type": {"type": "string", "enum": ["org", "user"], "description": "Default: org."},
        "sort": {"type": "string", "enum": ["stars", "forks", "updated", "created"], "description": "Default: stars."},
        "order": {"type": "string", "enum": ["asc", "desc"], "description": "Default: desc."},
        "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "description": "Default 30."},
    },
    "required": ["owner"],
    "additionalProperties": False,
}


def _line(index: int, repo: dict[str, Any]) -> str:
    facts = [f"{repo.get('stargazers_count', 0):,} stars", f"{repo.get('forks_count', 0):,} forks"]
    if repo.get("language"):
        facts.append(repo["language"])
    if repo.get("updated_at"):
        facts.append(f"updated {str(repo['updated_at'])[:10]}")
    line = f"{index}. {repo['full_name']} ({', '.join(facts)}) {repo.get('html_url', '')}".rstrip()
    if repo.get("description"):
        line += "\n   " + clip_text(" ".join(str(repo["description"]).split()), 140)
    return line


async def fetch_repos(github: GitHubClient, arguments: dict[str, Any]) -> list[dict[str, Any]]:
    """Stars and forks sort through search; updated and created through the owner's list."""
    owner = str(arguments.get("owner") or "").strip()
    if not owner or "/" in owner or " " in owner:
        raise GitHubError(f"owner must be a GitHub user or organization name (got {owner!r}).")
    owner_type = arguments.get("owner_type") or "org"
    sort, order = arguments.get("sort") or "stars", arguments.get("order") or "desc"
    limit = min(max(int(arguments.get("limit") or DEFAULT_LIMIT), 1), MAX_LIMIT)
    what = f"the repositories of {owner_type} {owner}"
    if sort in ("stars", "forks"):
        qualifier = "org" if owner_type == "org" else "user"
        params = {"q": f"{qualifier}:{owner}", "sort": sort, "order": order, "per_page": limit}
        found = await github.get_json("/search/repositories", what=what, params=params)
        return list(found.get("items", []))[:limit]
    path = f"/orgs/{owner}/repos" if owner_type == "org" else f"/users/{owner}/repos"
    params = {"sort": sort, "direction": order, "per_page": limit}
    return list(await github.get_json(path, what=what, params=params))[:limit]


def make_list_repos_tool(config: GitHubConfig) -> ToolSpec:
    """The ``github_list_repos`` tool (read-only, no approval)."""

    async def handler(arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        async with GitHubClient(config) as github:
            repos = await fetch_repos(github, arguments)
        owner = arguments.get("owner")
        if not repos:
            return ToolResult(f"No public repositories found for {owner}.")
        sort = arguments.get("sort") or "stars"
        lines = [f"{len(repos)} repositories of {owner} by {sort}:", *(_line(i, r) for i, r in enumerate(repos, 1))]
        return ToolResult(clip_lines("\n".join(lines)), structured={"repos": [r["full_name"] for r in repos]})

    return ToolSpec(
        name="github_list_repos",
        description=DESCRIPTION,
        parameters=PARAMETERS,
        handler=guarded(handler),
        read_only=True,
    )

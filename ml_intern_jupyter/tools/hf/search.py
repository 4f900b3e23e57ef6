"""``hf_hub_search``: find models, datasets and Spaces on the Hub."""

from __future__ import annotations

from typing import Any

from ..spec import ToolContext, ToolResult, ToolSpec
from ._text import clip_middle
from .access import HubAccess
from .errors import HubToolError, guarded
from .listing import MAX_LIMIT, REPO_TYPES, SORTS, list_repos, repo_line

DESCRIPTION = """\
Search the Hugging Face Hub for models, datasets or Spaces.

- `repo_type`: model, dataset or space.
- `query`: words matched against repo ids (e.g. "qwen2.5 instruct", "imdb").
- `author`: a user or organization (e.g. "HuggingFaceTB").
- `filter`: Hub tags, e.g. "text-classification", "library:peft", "language:fr", "arxiv:2305.18290".
- `sort`: downloads (default; likes for Spaces), likes, trending_score, last_modified, created_at.
- `limit`: 1-50 (default 10).
Returns one line per repo with downloads, likes, task or library, date and URL. Then inspect a \
dataset with hf_inspect_dataset or list a repo's files with hf_repo_files."""

PARAMETERS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "repo_type": {"type": "string", "enum": list(REPO_TYPES), "description": "What to search."},
        "query": {"type": "string", "description": "Search words (matched against repo ids)."},
        "author": {"type": "string", "description": "Only repos of this user or organization."},
        "filter": {
            "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
            "description": "Tag filter(s), e.g. 'text-generation' or ['library:transformers', 'license:mit'].",
        },
        "sort": {"type": "string", "enum": list(SORTS), "description": "Sort key, descending (default downloads)."},
        "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "description": "Results (default 10)."},
    },
    "required": ["repo_type"],
    "additionalProperties": False,
}


def make_hub_search_tool(access: HubAccess) -> ToolSpec:
    """The ``hf_hub_search`` tool (read-only, no approval)."""

    async def handler(arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        repo_type = arguments.get("repo_type")
        if repo_type not in REPO_TYPES:
            raise HubToolError(f"repo_type must be one of {', '.join(REPO_TYPES)} (got {repo_type!r}).")
        sort = arguments.get("sort") or "downloads"
        if sort not in SORTS:
            raise HubToolError(f"sort must be one of {', '.join(SORTS)} (got {sort!r}).")
        limit = int(arguments.get("limit") or 10)
        found = await list_repos(
            access,
            repo_type,
            limit=limit,
            search=(arguments.get("query") or "").strip() or None,
            author=arguments.get("author"),
            filter=arguments.get("filter"),
            sort=sort,
        )
        asked = ", ".join(f"{k}={arguments[k]!r}" for k in ("query", "author", "filter") if arguments.get(k))
        if not found:
            return ToolResult(f"No {repo_type}s found ({asked or 'no filters'}). Try fewer words or another filter.")
        header = f"{len(found)} {repo_type}(s) sorted by {sort}" + (f" for {asked}" if asked else "") + ":"
        lines = [header, *(repo_line(access, repo_type, info) for info in found)]
        ids = [info.id for info in found]
        return ToolResult(clip_middle("\n".join(lines)), structured={"repo_type": repo_type, "ids": ids})

    return ToolSpec(
        name="hf_hub_search",
        description=DESCRIPTION,
        parameters=PARAMETERS,
        handler=guarded(access, handler),
        read_only=True,
    )

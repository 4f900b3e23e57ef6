"""``hf_papers``: Hugging Face Papers (search, daily papers, one paper, and what links to it)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any

from ..spec import ToolContext, ToolResult, ToolSpec
from ._text import MAX_RESULT_CHARS, clip_inline, clip_middle
from .access import HubAccess
from .errors import HubToolError, guarded, require
from .listing import list_repos, repo_line
from .paper_text import format_paper_detail, pick_section

OPERATIONS = (
    "trending",
    "search",
    "paper_details",
    "read_paper",
    "find_models",
    "find_datasets",
    "find_spaces",
    "find_all_resources",
)
DEFAULT_LIMIT = 10
MAX_LIMIT = 50
_ARXIV_ID = re.compile(r"(\d{4}\.\d{4,5})(v\d+)?")
_SORT_KEYS = {"downloads": "downloads", "likes": "likes", "trending": "trending_score"}

DESCRIPTION = """\
Hugging Face Papers: find ML papers and the models, datasets and Spaces that use them.

Operations:
- trending: the daily papers (optional `date` YYYY-MM-DD; optional `query` keeps matching ones).
- search: papers matching `query`.
- paper_details: one paper (`arxiv_id`): authors, abstract, AI summary, keywords, GitHub and project links.
- read_paper: the paper page as Markdown (`arxiv_id`); without `section` the headings and the start, \
with `section` (a heading or its number, e.g. "3" or "Experiments") that section.
- find_models / find_datasets / find_spaces: repos linked to the paper (`sort`: downloads, likes, trending).
- find_all_resources: models, datasets and Spaces linked to the paper, up to 10 of each.
`limit`: results (default 10, max 50). Typical flow: search -> paper_details -> find_all_resources -> \
hf_inspect_dataset."""

PARAMETERS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "operation": {"type": "string", "enum": list(OPERATIONS), "description": "Operation to execute."},
        "query": {"type": "string", "description": "Search words (search; optional filter for trending)."},
        "arxiv_id": {"type": "string", "description": "arXiv id, e.g. '2305.18290' (paper operations)."},
        "section": {"type": "string", "description": "Section heading or number to read (read_paper)."},
        "date": {"type": "string", "description": "YYYY-MM-DD for trending (default: the latest)."},
        "sort": {"type": "string", "enum": list(_SORT_KEYS), "description": "Order of linked repos."},
        "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "description": "Maximum results."},
    },
    "required": ["operation"],
    "additionalProperties": False,
}


def normalize_arxiv_id(value: str) -> str:
    """``2305.18290`` from an id, ``arxiv:`` tag or arXiv/HF URL; a :class:`HubToolError` otherwise."""
    match = _ARXIV_ID.search(value or "")
    if not match:
        raise HubToolError(f"arxiv_id must look like '2305.18290' (got {value!r}).")
    return match.group(1)


def _paper_line(access: HubAccess, index: int, paper: Any) -> str:
    facts = [f"arxiv_id: {paper.id}"]
    if paper.upvotes:
        facts.append(f"{paper.upvotes} upvotes")
    if paper.published_at:
        facts.append(f"published {paper.published_at.date().isoformat()}")
    title = clip_inline(paper.title or "(untitled)", 200)
    summary = clip_inline(paper.ai_summary or paper.summary or "", 220)
    lines = [f"{index}. {title} ({', '.join(facts)})", f"   {access.endpoint}/papers/{paper.id}"]
    return "\n".join([*lines, f"   {summary}"] if summary else lines)


def _matches(paper: Any, query: str) -> bool:
    words = query.lower().split()
    haystack = " ".join([paper.title or "", paper.summary or "", " ".join(paper.ai_keywords or [])]).lower()
    return all(word in haystack for word in words)


def _paper_list(access: HubAccess, papers: list[Any], title: str) -> ToolResult:
    if not papers:
        return ToolResult(f"No papers found: {title}.")
    lines = [f"{len(papers)} paper(s): {title}", *(_paper_line(access, i, p) for i, p in enumerate(papers, 1))]
    lines.append("Next: paper_details or find_all_resources with an arxiv_id.")
    return ToolResult(clip_middle("\n".join(lines)), structured={"arxiv_ids": [p.id for p in papers]})


async def _trending(access: HubAccess, arguments: dict[str, Any], limit: int) -> ToolResult:
    query = (arguments.get("query") or "").strip()
    fetch = max(limit * 3, 30) if query else limit
    papers = await asyncio.to_thread(
        lambda: list(access.api().list_daily_papers(date=arguments.get("date") or None, limit=fetch))
    )
    if query:
        papers = [paper for paper in papers if _matches(paper, query)]
    title = "daily papers" + (f" on {arguments['date']}" if arguments.get("date") else "")
    return _paper_list(access, papers[:limit], title + (f" matching {query!r}" if query else ""))


async def _search(access: HubAccess, arguments: dict[str, Any], limit: int) -> ToolResult:
    require(arguments, "query", operation="search")
    query = arguments["query"].strip()
    papers = await asyncio.to_thread(lambda: list(access.api().list_papers(query=query, limit=limit)))
    return _paper_list(access, papers[:limit], f"matching {query!r}")


async def _details(access: HubAccess, arguments: dict[str, Any], limit: int) -> ToolResult:
    arxiv_id = normalize_arxiv_id(arguments.get("arxiv_id", ""))
    paper = await asyncio.to_thread(access.api().paper_info, arxiv_id)
    return ToolResult(clip_middle(format_paper_detail(access.endpoint, paper)), structured={"arxiv_id": arxiv_id})


async def _read(access: HubAccess, arguments: dict[str, Any], limit: int) -> ToolResult:
    arxiv_id = normalize_arxiv_id(arguments.get("arxiv_id", ""))
    markdown = await asyncio.to_thread(access.api().read_paper, arxiv_id)
    text = pick_section(markdown, arguments.get("section"))
    header = f"Paper {arxiv_id}: {access.endpoint}/papers/{arxiv_id}\n\n"
    hint = "; pass `section` to read one section"
    return ToolResult(header + clip_middle(text, MAX_RESULT_CHARS, hint))


async def _linked(access: HubAccess, arxiv_id: str, repo_type: str, limit: int, sort: str) -> str:
    found = await list_repos(access, repo_type, limit=limit, filter=f"arxiv:{arxiv_id}", sort=_SORT_KEYS[sort])
    if not found:
        return f"No {repo_type}s linked to {arxiv_id}."
    return "\n".join(
        [f"{repo_type.capitalize()}s linked to {arxiv_id}:", *(repo_line(access, repo_type, r) for r in found)]
    )


def _find(repo_type: str) -> Callable[[HubAccess, dict[str, Any], int], Awaitable[ToolResult]]:
    async def find(access: HubAccess, arguments: dict[str, Any], limit: int) -> ToolResult:
        arxiv_id = normalize_arxiv_id(arguments.get("arxiv_id", ""))
        text = await _linked(access, arxiv_id, repo_type, limit, arguments.get("sort") or "downloads")
        return ToolResult(clip_middle(text))

    return find


async def _find_all(access: HubAccess, arguments: dict[str, Any], limit: int) -> ToolResult:
    arxiv_id = normalize_arxiv_id(arguments.get("arxiv_id", ""))
    each = min(limit, 10)
    sort = arguments.get("sort") or "downloads"
    parts = await asyncio.gather(
        *(_linked(access, arxiv_id, kind, each, sort) for kind in ("model", "dataset", "space"))
    )
    header = f"Resources linked to {arxiv_id} ({access.endpoint}/papers/{arxiv_id}):"
    return ToolResult(clip_middle("\n\n".join([header, *parts])))


_HANDLERS: dict[str, Callable[[HubAccess, dict[str, Any], int], Awaitable[ToolResult]]] = {
    "trending": _trending,
    "search": _search,
    "paper_details": _details,
    "read_paper": _read,
    "find_models": _find("model"),
    "find_datasets": _find("dataset"),
    "find_spaces": _find("space"),
    "find_all_resources": _find_all,
}


def make_papers_tool(access: HubAccess) -> ToolSpec:
    """The ``hf_papers`` tool (read-only, no approval)."""

    async def handler(arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        operation = arguments.get("operation")
        run = _HANDLERS.get(operation or "")
        if run is None:
            raise HubToolError(f"Unknown operation {operation!r}; use one of {', '.join(OPERATIONS)}.")
        limit = min(max(int(arguments.get("limit") or DEFAULT_LIMIT), 1), MAX_LIMIT)
        return await run(access, arguments, limit)

    return ToolSpec(
        name="hf_papers",
        description=DESCRIPTION,
        parameters=PARAMETERS,
        handler=guarded(access, handler),
        read_only=True,
    )

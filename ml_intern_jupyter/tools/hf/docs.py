"""``explore_hf_docs`` (the pages of one docs endpoint) and ``fetch_hf_docs`` (one page as Markdown)."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from ..spec import ToolContext, ToolResult, ToolSpec
from ._text import clip_inline, clip_middle
from .access import HubAccess
from .docs_index import COMPOSITE_ENDPOINTS, DOC_ENDPOINTS, DocPage, parse_sidebar, rank
from .errors import HubToolError, guarded
from .http import check, get, hub_client

DEFAULT_RESULTS = 20
MAX_RESULTS = 50
GLIMPSES = 8
PAGE_CHARS = 10_000

EXPLORE_DESCRIPTION = """\
Browse one Hugging Face documentation endpoint: the titles and URLs of its pages, read from the \
docs sidebar. With `query`, pages are ranked by the words they share with it and the best ones \
come with a short glimpse of their content. Then read a page with fetch_hf_docs.
Use this before writing training or inference code: library APIs change (e.g. fetch the SFTConfig, \
DPOConfig or GRPOConfig pages in trl to check parameter names). `max_results` defaults to 20 (max 50)."""

FETCH_DESCRIPTION = f"""\
Fetch one Hugging Face documentation page as Markdown (use a URL from explore_hf_docs, e.g. \
https://huggingface.co/docs/trl/sft_trainer; `.md` is added automatically; a path like \
/docs/trl/sft_trainer works too). Long pages come back as their first and last parts with a \
marker saying how many characters were cut; pass `offset` (a character position) to read from \
there. At most {PAGE_CHARS:,} characters per call."""

EXPLORE_PARAMETERS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "endpoint": {"type": "string", "enum": list(DOC_ENDPOINTS), "description": "The docs to explore."},
        "query": {"type": "string", "description": "Optional words to rank the pages by."},
        "max_results": {"type": "integer", "minimum": 1, "maximum": MAX_RESULTS, "description": "Pages listed."},
    },
    "required": ["endpoint"],
    "additionalProperties": False,
}

FETCH_PARAMETERS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "url": {"type": "string", "description": "Docs page URL (or /docs/... path)."},
        "offset": {"type": "integer", "minimum": 0, "description": "Character to start from (default 0)."},
    },
    "required": ["url"],
    "additionalProperties": False,
}


async def _endpoint_pages(client: httpx.AsyncClient, access: HubAccess, name: str) -> list[DocPage]:
    url = f"{access.endpoint}/docs/{name}"
    response = check(await get(client, access, url), access, f"the {name} docs")
    pages = parse_sidebar(response.text, str(response.url), name)
    if not pages:
        raise HubToolError(f"Found no pages in the sidebar of {url}.")
    return pages


async def _all_pages(client: httpx.AsyncClient, access: HubAccess, name: str) -> list[DocPage]:
    """The pages of ``name``; for a composite (courses, optimum) those of every part that answers."""
    parts = COMPOSITE_ENDPOINTS.get(name, (name,))
    found = await asyncio.gather(*(_endpoint_pages(client, access, part) for part in parts), return_exceptions=True)
    pages = [page for group in found if isinstance(group, list) for page in group]
    failures = [result for result in found if isinstance(result, BaseException)]
    if not pages and failures:
        raise failures[0]
    return pages


async def _glimpse(client: httpx.AsyncClient, access: HubAccess, page: DocPage) -> str:
    try:
        response = await get(client, access, page.url + ".md")
    except httpx.HTTPError:
        return ""
    if not response.is_success:
        return ""
    lines = [line for line in response.text.splitlines() if line.strip() and not line.startswith(("<!--", "#"))]
    return clip_inline(" ".join(lines), 200)


def _format_pages(name: str, pages: list[DocPage], glimpses: list[str], total: int, note: str) -> str:
    lines = [f"Documentation {name}: {len(pages)} of {total} page(s){note}"]
    for index, page in enumerate(pages):
        section = f" [{page.section}]" if page.section != name else ""
        lines.append(f"{index + 1}. {page.title}{section}: {page.url}")
        if index < len(glimpses) and glimpses[index]:
            lines.append(f"   {glimpses[index]}")
    lines.append("Read a page with fetch_hf_docs{url}.")
    return "\n".join(lines)


def make_explore_docs_tool(access: HubAccess) -> ToolSpec:
    """The ``explore_hf_docs`` tool (read-only, no approval)."""

    async def handler(arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        name = (arguments.get("endpoint") or "").strip().strip("/")
        if name not in DOC_ENDPOINTS:
            raise HubToolError(f"Unknown docs endpoint {name!r}; use one of: {', '.join(DOC_ENDPOINTS)}.")
        limit = min(max(int(arguments.get("max_results") or DEFAULT_RESULTS), 1), MAX_RESULTS)
        query = (arguments.get("query") or "").strip()
        async with hub_client() as client:
            pages = await _all_pages(client, access, name)
            shown, note = pages[:limit], ""
            if query:
                ranked = rank(pages, query)
                shown = ranked[:limit] or pages[:limit]
                note = f" matching {query!r}" if ranked else f" (nothing matched {query!r}; showing the first pages)"
            glimpses = await asyncio.gather(*(_glimpse(client, access, p) for p in shown[:GLIMPSES])) if query else []
        return ToolResult(clip_middle(_format_pages(name, shown, list(glimpses), len(pages), note)))

    return ToolSpec(
        name="explore_hf_docs",
        description=EXPLORE_DESCRIPTION,
        parameters=EXPLORE_PARAMETERS,
        handler=guarded(access, handler),
        read_only=True,
    )


def markdown_url(access: HubAccess, url: str) -> str:
    """The ``.md`` URL of a docs page given as a URL, a ``/docs/...`` path or ``lib/page``."""
    url = url.strip()
    if not url:
        raise HubToolError("url is empty; pass a docs page URL such as https://huggingface.co/docs/trl/index.")
    if not urlsplit(url).scheme:
        path = url if url.startswith("/") else "/" + url
        url = access.endpoint + (path if path.startswith("/docs/") else "/docs" + path)
    if not access.is_hf_host(url):
        raise HubToolError(
            f"fetch_hf_docs reads Hugging Face documentation only ({access.endpoint}/docs/...); "
            f"{url} is not a Hugging Face host. Use web_search for other sites."
        )
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if not path.endswith(".md"):
        path += ".md"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def page_window(text: str, offset: int, limit: int = PAGE_CHARS) -> str:
    """``text`` from ``offset``, at most ``limit`` characters (head and tail kept when longer)."""
    if offset >= len(text) > 0:
        return f"[offset {offset:,} is past the end of the page ({len(text):,} characters)]"
    window = text[offset:]
    prefix = f"[characters {offset:,} to {len(text):,} of {len(text):,}]\n\n" if offset else ""
    hint = f" of {len(text):,} in the page; pass offset to read them"
    return prefix + clip_middle(window, limit, hint, start=offset)


def make_fetch_docs_tool(access: HubAccess) -> ToolSpec:
    """The ``fetch_hf_docs`` tool (read-only, no approval)."""

    async def handler(arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        url = markdown_url(access, str(arguments.get("url") or ""))
        offset = max(0, int(arguments.get("offset") or 0))
        async with hub_client() as client:
            response = await get(client, access, url)
        if response.status_code == 404:
            raise HubToolError(f"No docs page at {url} (404). Use explore_hf_docs to find page URLs.")
        text = check(response, access, url).text
        return ToolResult(f"Documentation from {url}\n\n" + page_window(text, offset))

    return ToolSpec(
        name="fetch_hf_docs",
        description=FETCH_DESCRIPTION,
        parameters=FETCH_PARAMETERS,
        handler=guarded(access, handler),
        read_only=True,
    )

"""``web_search`` through a SearXNG-compatible JSON endpoint.

The endpoint is the config key ``web_search_url``. It is called as ``GET <url>?q=<query>&format=json``
and must answer ``{"results": [{"title", "url", "content"}, ...]}`` (SearXNG does when ``json`` is
among its ``search.formats`` in ``settings.yml``). No credentials are ever sent to it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

from ..spec import ToolContext, ToolResult, ToolSpec

MAX_RESULTS = 8
MAX_SNIPPET_CHARS = 300
USER_AGENT = "ml-intern-jupyter"

DESCRIPTION = """\
Search the web for current information (library releases, error messages, blog posts, papers) and \
get titles, URLs and snippets to cite. `allowed_domains` keeps only results from those sites \
(subdomains included), `blocked_domains` drops them."""

OFF_MESSAGE = (
    "Web search is off: no search endpoint is configured. Set `web_search_url` in your ML Intern config "
    "(the JSON file named by ML_INTERN_CONFIG) to a SearXNG-compatible endpoint, e.g. "
    '{"web_search_url": "http://localhost:8888/search"} for a local SearXNG with the json format enabled '
    "(search.formats: [html, json] in its settings.yml). Until then, use the Hugging Face and GitHub tools."
)

PARAMETERS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "query": {"type": "string", "minLength": 2, "description": "What to search for."},
        "allowed_domains": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Only results from these domains (or URLs); subdomains match.",
        },
        "blocked_domains": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Drop results from these domains (or URLs); subdomains match.",
        },
    },
    "required": ["query"],
    "additionalProperties": False,
}


def normalize_domain(value: str) -> str:
    """``example.com`` from ``https://Example.com/path``, ``.example.com`` or ``example.com``."""
    value = value.strip()
    host = urlsplit(value).hostname if "://" in value else value.split("/")[0]
    return (host or "").strip(".").lower()


def host_matches(url: str, domains: list[str]) -> bool:
    """Whether ``url``'s host is one of ``domains`` or a subdomain of one."""
    host = (urlsplit(url).hostname or "").lower()
    return any(d and (host == d or host.endswith("." + d)) for d in map(normalize_domain, domains))


def _clip(text: str, limit: int) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[:limit] + "…"


def select_results(results: list[Any], allowed: list[str] | None, blocked: list[str] | None) -> list[dict[str, str]]:
    """Well-formed http(s) results, filtered by domain, without duplicate URLs, at most :data:`MAX_RESULTS`."""
    chosen: list[dict[str, str]] = []
    seen: set[str] = set()
    for item in results:
        if not isinstance(item, dict):
            continue
        url = str(item.get("url") or "")
        if not url.startswith(("http://", "https://")) or url in seen:
            continue
        if (allowed and not host_matches(url, allowed)) or (blocked and host_matches(url, blocked)):
            continue
        seen.add(url)
        title = _clip(item.get("title") or url, 200)
        chosen.append({"title": title, "url": url, "content": _clip(item.get("content"), MAX_SNIPPET_CHARS)})
        if len(chosen) == MAX_RESULTS:
            break
    return chosen


def _string_list(arguments: dict[str, Any], key: str) -> list[str] | None:
    value = arguments.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{key} must be a list of domain strings")
    return value


async def search(url: str, query: str) -> list[Any]:
    """The raw ``results`` list of the endpoint for ``query``."""
    async with httpx.AsyncClient(timeout=httpx.Timeout(20.0, connect=10.0), follow_redirects=True) as client:
        response = await client.get(url, params={"q": query, "format": "json"}, headers={"User-Agent": USER_AGENT})
    if response.status_code == 403:
        raise ValueError(f"the search endpoint refused the JSON format (403); enable json in its settings ({url})")
    if response.status_code == 429:
        raise ValueError(f"the search endpoint is rate limiting (429); retry in a minute ({url})")
    response.raise_for_status()
    body = response.json()
    results = body.get("results") if isinstance(body, dict) else None
    if not isinstance(results, list):
        raise ValueError(f"the search endpoint did not answer SearXNG JSON ({url})")
    return results


def _format(query: str, results: list[dict[str, str]]) -> str:
    if not results:
        return f"No web results for {query!r}."
    lines = [f"Web results for {query!r}:"]
    for index, item in enumerate(results, 1):
        lines.append(
            f"{index}. {item['title']}\n   {item['url']}" + (f"\n   {item['content']}" if item["content"] else "")
        )
    return "\n".join(lines)


def make_web_search_tool(search_url: str | None) -> ToolSpec:
    """``web_search`` on ``search_url``; with no URL, every call says how to configure one."""

    async def handler(arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        if not search_url:
            return ToolResult(OFF_MESSAGE, ok=False)
        query = str(arguments.get("query") or "").strip()
        if len(query) < 2:
            return ToolResult("web_search needs a query of at least 2 characters.", ok=False)
        try:
            allowed, blocked = _string_list(arguments, "allowed_domains"), _string_list(arguments, "blocked_domains")
            raw = await search(search_url, query)
        except ValueError as exc:
            return ToolResult(f"Web search failed: {exc}.", ok=False)
        except httpx.HTTPStatusError as exc:
            return ToolResult(f"Web search failed: the endpoint answered {exc.response.status_code}.", ok=False)
        except httpx.HTTPError as exc:
            return ToolResult(f"Web search failed: could not reach {search_url} ({type(exc).__name__}).", ok=False)
        except Exception as exc:  # an unexpected answer must not end the turn
            return ToolResult(f"Web search failed: {type(exc).__name__}: {exc}", ok=False)
        results = select_results(raw, allowed, blocked)
        return ToolResult(_format(query, results), structured={"query": query, "results": results})

    return ToolSpec(name="web_search", description=DESCRIPTION, parameters=PARAMETERS, handler=handler, read_only=True)

"""Listing models, datasets and Spaces through ``HfApi`` (shared by search and papers)."""

from __future__ import annotations

import asyncio
from typing import Any

from ._text import clip_inline
from .access import HubAccess

REPO_TYPES = ("model", "dataset", "space")
SORTS = ("downloads", "likes", "trending_score", "last_modified", "created_at")
MAX_LIMIT = 50


def _list_sync(access: HubAccess, repo_type: str, limit: int, **query: Any) -> list[Any]:
    api = access.api()
    lister = {"model": api.list_models, "dataset": api.list_datasets, "space": api.list_spaces}[repo_type]
    if repo_type == "space" and query.get("sort") == "downloads":
        query["sort"] = "likes"  # Spaces have no download count
    query = {key: value for key, value in query.items() if value not in (None, "", [])}
    return list(lister(limit=limit, **query))


async def list_repos(access: HubAccess, repo_type: str, *, limit: int = 10, **query: Any) -> list[Any]:
    """Up to ``limit`` repos of ``repo_type`` matching ``query`` (``search``, ``author``, ``filter``, ``sort``)."""
    return await asyncio.to_thread(_list_sync, access, repo_type, min(max(limit, 1), MAX_LIMIT), **query)


def _date(value: Any) -> str:
    return value.date().isoformat() if value is not None and hasattr(value, "date") else ""


def repo_line(access: HubAccess, repo_type: str, info: Any) -> str:
    """One compact line per repo: id, counts, task/library, date, flags, URL."""
    facts = []
    downloads = getattr(info, "downloads", None)
    if downloads is not None and repo_type != "space":
        facts.append(f"{downloads:,} downloads")
    likes = getattr(info, "likes", None)
    if likes is not None:
        facts.append(f"{likes:,} likes")
    for attribute in ("pipeline_tag", "library_name", "sdk"):
        value = getattr(info, attribute, None)
        if value:
            facts.append(str(value))
    updated = _date(getattr(info, "last_modified", None) or getattr(info, "created_at", None))
    if updated:
        facts.append(updated)
    if getattr(info, "private", False):
        facts.append("private")
    if getattr(info, "gated", False):
        facts.append(f"gated ({info.gated})")
    line = f"- {info.id}" + (f" ({', '.join(facts)})" if facts else "") + f" {access.repo_url(info.id, repo_type)}"
    description = getattr(info, "description", None)
    return line + (f"\n  {clip_inline(description, 160)}" if description else "")

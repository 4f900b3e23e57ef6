"""Web search: ``web_search{query, allowed_domains?, blocked_domains?}``.

Interface::

    router.register(spec) for spec in web_tools(config.web_search_url)

The endpoint is any SearXNG-compatible JSON API: ``GET <url>?q=<query>&format=json`` answering
``{"results": [{"title", "url", "content"}, ...]}``. With no URL configured the tool is still
listed and every call answers ``ok=False`` with how to set ``web_search_url``. Nothing secret is
ever sent to the endpoint.
"""

from __future__ import annotations

from ..spec import ToolSpec
from .search import OFF_MESSAGE, make_web_search_tool

__all__ = ["OFF_MESSAGE", "web_tools"]


def web_tools(search_url: str | None) -> list[ToolSpec]:
    """``[web_search]`` on ``search_url`` (``None``: off, with a message saying how to configure it)."""
    return [make_web_search_tool(search_url)]

"""web_search against a local SearXNG-compatible endpoint, and the off state."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ml_intern_jupyter.tools.spec import ToolContext, ToolRouter
from ml_intern_jupyter.tools.web import OFF_MESSAGE, web_tools
from ml_intern_jupyter.tools.web.search import MAX_SNIPPET_CHARS, host_matches, normalize_domain

from .search_server import LocalSearch


@pytest.fixture
def engine() -> Iterator[LocalSearch]:
    with LocalSearch() as server:
        yield server


@pytest.fixture
def ctx(tmp_path: Path) -> ToolContext:
    return ToolContext("call-1", "web_search", tmp_path)


async def search(url: str | None, ctx: ToolContext, **arguments):
    [tool] = web_tools(url)
    return await tool.handler(arguments, ctx)


async def test_results_are_deduplicated_cut_and_cited(engine: LocalSearch, ctx: ToolContext) -> None:
    result = await search(engine.url, ctx, query="sfttrainer")
    assert result.ok and result.output.startswith("Web results for 'sfttrainer':")
    urls = [item["url"] for item in result.structured["results"]]
    assert urls == [
        "https://huggingface.co/docs/trl/sft_trainer",
        "https://blog.example.com/sft",
        "https://discuss.huggingface.co/t/sft/1",
        "https://spam.example.org/sft",
    ]  # the duplicate and the ftp link are dropped
    assert all(len(item["content"]) <= MAX_SNIPPET_CHARS + 1 for item in result.structured["results"])
    [request] = engine.requests
    assert "q=sfttrainer" in request.query and "format=json" in request.query
    assert "authorization" not in request.headers and "cookie" not in request.headers


async def test_domain_filters(engine: LocalSearch, ctx: ToolContext) -> None:
    allowed = await search(engine.url, ctx, query="sfttrainer", allowed_domains=["huggingface.co"])
    assert [i["url"] for i in allowed.structured["results"]] == [
        "https://huggingface.co/docs/trl/sft_trainer",
        "https://discuss.huggingface.co/t/sft/1",
    ]
    blocked = await search(engine.url, ctx, query="sfttrainer", blocked_domains=["https://example.org/", "example.com"])
    assert all("example" not in i["url"] for i in blocked.structured["results"])
    none = await search(engine.url, ctx, query="quantum")
    assert none.ok and "No web results for 'quantum'" in none.output


async def test_off_without_an_endpoint(ctx: ToolContext) -> None:
    result = await search(None, ctx, query="anything")
    assert not result.ok and result.output == OFF_MESSAGE
    assert "web_search_url" in OFF_MESSAGE and "ML_INTERN_CONFIG" in OFF_MESSAGE and "format" in OFF_MESSAGE


async def test_endpoint_failures(engine: LocalSearch, ctx: ToolContext) -> None:
    engine.json_enabled = False
    refused = await search(engine.url, ctx, query="sft")
    assert not refused.ok and "refused the JSON format (403)" in refused.output
    engine.json_enabled, engine.broken = True, True
    broken = await search(engine.url, ctx, query="sft")
    assert not broken.ok and "Web search failed" in broken.output
    unreachable = await search("http://127.0.0.1:9/search", ctx, query="sft")
    assert not unreachable.ok and "could not reach http://127.0.0.1:9/search" in unreachable.output


async def test_bad_arguments(engine: LocalSearch, ctx: ToolContext) -> None:
    router = ToolRouter(web_tools(engine.url))
    assert router.validate("web_search", {"query": "x"}) is not None
    assert router.validate("web_search", {"query": "ok", "allowed_domains": "huggingface.co"}) is not None
    short = await search(engine.url, ctx, query=" a ")
    assert not short.ok and "at least 2 characters" in short.output
    wrong = await search(engine.url, ctx, query="sft", allowed_domains="huggingface.co")
    assert not wrong.ok and "allowed_domains must be a list" in wrong.output
    assert not engine.requests


def test_domains() -> None:
    assert normalize_domain("https://Docs.Example.com/path") == "docs.example.com"
    assert normalize_domain(".example.com") == "example.com"
    assert host_matches("https://a.b.example.com/x", ["example.com"])
    assert not host_matches("https://notexample.com/x", ["example.com"])
    [tool] = web_tools(None)
    assert tool.name == "web_search" and tool.read_only and not tool.requires_approval({"query": "x"})

"""explore_hf_docs and fetch_hf_docs against LocalHub, and the HF token staying on Hugging Face hosts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from ml_intern_jupyter.tools.hf import HubAccess
from ml_intern_jupyter.tools.hf.docs import PAGE_CHARS, make_explore_docs_tool, make_fetch_docs_tool
from ml_intern_jupyter.tools.hf.docs_index import parse_sidebar
from ml_intern_jupyter.tools.spec import ToolRouter

from ...hub_server import TEST_TOKEN, LocalHub
from ...hub_server.threaded import ThreadedServer

LONG_PAGE = "# SFTTrainer\n\nSTART " + "lorem ipsum " * 4_000 + " THE END"


@pytest.fixture
def docs(hub: LocalHub) -> LocalHub:
    hub.add_docs(
        "trl",
        {
            "index": ("TRL", "# TRL\n\nTrain transformer language models with reinforcement learning."),
            "sft_trainer": ("SFT Trainer", LONG_PAGE),
            "dpo_trainer": ("DPO Trainer", "# DPOTrainer\n\n<!-- comment -->\nDPOConfig takes beta."),
            "installation": ("Installation", "# Install\n\npip install trl"),
        },
    )
    return hub


@pytest.fixture
def foreign() -> Iterator[ThreadedServer]:
    """A host that is not Hugging Face: it must never see the HF token."""

    async def page(request):
        return PlainTextResponse("# Elsewhere\n\nforeign content")

    with ThreadedServer([Route("/{path:path}", page)]) as server:
        yield server


async def test_explore_lists_the_sidebar(docs: LocalHub, access: HubAccess, calls) -> None:
    result = await make_explore_docs_tool(access).handler({"endpoint": "trl"}, calls.ctx)
    assert result.ok and "4 of 4 page(s)" in result.output
    assert f"1. TRL: {docs.endpoint}/docs/trl/index" in result.output
    assert "elsewhere" not in result.output  # links outside the sidebar and other libraries are skipped
    limited = await make_explore_docs_tool(access).handler({"endpoint": "trl", "max_results": 2}, calls.ctx)
    assert "2 of 4 page(s)" in limited.output and "Installation" not in limited.output


async def test_explore_ranks_by_query_with_glimpses(docs: LocalHub, access: HubAccess, calls) -> None:
    result = await make_explore_docs_tool(access).handler({"endpoint": "trl", "query": "dpo trainer"}, calls.ctx)
    lines = result.output.splitlines()
    assert lines[1].startswith("1. DPO Trainer") and "DPOConfig takes beta." in lines[2]
    assert "comment" not in result.output
    nothing = await make_explore_docs_tool(access).handler({"endpoint": "trl", "query": "zzz"}, calls.ctx)
    assert "nothing matched 'zzz'" in nothing.output and "1. TRL" in nothing.output


async def test_fetch_returns_markdown_cut_in_the_middle(docs: LocalHub, access: HubAccess, calls) -> None:
    tool = make_fetch_docs_tool(access)
    result = await tool.handler({"url": f"{docs.endpoint}/docs/trl/sft_trainer"}, calls.ctx)
    assert result.ok and result.output.startswith(f"Documentation from {docs.endpoint}/docs/trl/sft_trainer.md")
    assert "START" in result.output and "THE END" in result.output
    assert "characters cut (characters" in result.output and "pass offset" in result.output
    assert len(result.output) < PAGE_CHARS + 500
    cut_start = int(result.output.split("characters cut (characters ")[1].split(" ")[0].replace(",", ""))
    more = await tool.handler({"url": "/docs/trl/sft_trainer", "offset": cut_start}, calls.ctx)
    assert f"[characters {cut_start:,} to {len(LONG_PAGE):,}" in more.output and "START" not in more.output
    short = await tool.handler({"url": "trl/installation.md"}, calls.ctx)
    assert short.output.endswith("# Install\n\npip install trl") and "cut" not in short.output


async def test_errors(docs: LocalHub, access: HubAccess, calls) -> None:
    explore, fetch = make_explore_docs_tool(access), make_fetch_docs_tool(access)
    router = ToolRouter([explore, fetch])
    assert router.validate("explore_hf_docs", {"endpoint": "gradio"}) is not None
    assert router.validate("fetch_hf_docs", {}) is not None
    unknown = await explore.handler({"endpoint": "no-such-lib"}, calls.ctx)
    assert not unknown.ok and "Unknown docs endpoint" in unknown.output
    missing_docs = await explore.handler({"endpoint": "peft"}, calls.ctx)  # valid name, no docs on this Hub
    assert not missing_docs.ok and "404" in missing_docs.output
    missing_page = await fetch.handler({"url": "/docs/trl/nope"}, calls.ctx)
    assert not missing_page.ok and "No docs page" in missing_page.output and "explore_hf_docs" in missing_page.output
    empty = await fetch.handler({"url": "  "}, calls.ctx)
    assert not empty.ok and "url is empty" in empty.output


async def test_fetch_refuses_other_hosts(docs: LocalHub, access: HubAccess, foreign: ThreadedServer, calls) -> None:
    result = await make_fetch_docs_tool(access).handler({"url": f"{foreign.endpoint}/docs/x"}, calls.ctx)
    assert not result.ok and "not a Hugging Face host" in result.output and "web_search" in result.output
    assert foreign.requests == []


async def test_redirect_to_another_host_drops_the_token(
    docs: LocalHub, access: HubAccess, foreign: ThreadedServer, calls
) -> None:
    docs.redirects["/docs/trl/moved.md"] = f"{foreign.endpoint}/somewhere.md"
    result = await make_fetch_docs_tool(access).handler({"url": "/docs/trl/moved"}, calls.ctx)
    assert result.ok and "foreign content" in result.output
    [first] = docs.requests_to("/docs/trl/moved.md")
    assert first.headers["authorization"] == f"Bearer {TEST_TOKEN}"  # the Hub gets the token...
    assert len(foreign.requests) == 1 and not foreign.saw_header("authorization")  # ...the other host does not


async def test_composite_endpoint_uses_the_parts_that_exist(docs: LocalHub, access: HubAccess, calls) -> None:
    docs.add_docs("optimum-intel", {"index": ("Optimum Intel", "# Intel")})
    result = await make_explore_docs_tool(access).handler({"endpoint": "optimum"}, calls.ctx)
    assert result.ok and "1. Optimum Intel [optimum-intel]" in result.output  # the other parts are 404 here
    assert len(docs.requests_to("/docs/optimum")) == 6


def test_parse_sidebar_without_nav_falls_back_to_docs_links() -> None:
    html = '<a href="/docs/peft/index">PEFT</a><a href="/docs/peft/lora#x">LoRA</a>'
    html += '<a href="/docs/trl/x">TRL</a><a>no href</a>'
    pages = parse_sidebar(html, "https://huggingface.co/docs/peft", "peft")
    assert [(p.title, p.url) for p in pages] == [
        ("PEFT", "https://huggingface.co/docs/peft/index"),
        ("LoRA", "https://huggingface.co/docs/peft/lora"),
    ]

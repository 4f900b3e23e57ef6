"""hf_hub_search against LocalHub: queries, filters, sorting, private repos, bad arguments, bad tokens."""

from __future__ import annotations

import pytest

from ml_intern_jupyter.tools.hf import HubAccess
from ml_intern_jupyter.tools.hf.search import make_hub_search_tool
from ml_intern_jupyter.tools.spec import ToolRouter

from ...hub_server import LocalHub


@pytest.fixture
def seeded(hub: LocalHub) -> LocalHub:
    hub.add_repo("alice/bert-tiny", downloads=50, likes=1, hub_tags=["text-classification"], pipeline_tag="fill-mask")
    hub.add_repo("bob/bert-large", downloads=900, likes=3, hub_tags=["text-classification", "license:mit"])
    hub.add_repo("bob/gpt-mini", downloads=5, likes=30, hub_tags=["text-generation"])
    hub.add_repo("alice/bert-private", private=True, downloads=10_000)
    hub.add_repo("carol/bert-data", "dataset", downloads=7)
    hub.add_repo("carol/bert-demo", "space", likes=4, sdk="gradio")
    return hub


async def test_search_by_query_sorted_by_downloads(seeded: LocalHub, anonymous: HubAccess, calls) -> None:
    result = await make_hub_search_tool(anonymous).handler({"repo_type": "model", "query": "bert"}, calls.ctx)
    assert result.ok
    assert result.structured["ids"] == ["bob/bert-large", "alice/bert-tiny"]  # the private one is hidden
    assert "900 downloads" in result.output and f"{seeded.endpoint}/bob/bert-large" in result.output
    [request] = seeded.requests_to("/api/models")
    assert "search=bert" in request.query and "sort=downloads" in request.query


async def test_filters_author_sort_and_limit(seeded: LocalHub, anonymous: HubAccess, calls) -> None:
    tool = make_hub_search_tool(anonymous)
    tagged = await tool.handler({"repo_type": "model", "filter": ["text-classification", "license:mit"]}, calls.ctx)
    assert tagged.structured["ids"] == ["bob/bert-large"]
    liked = await tool.handler({"repo_type": "model", "author": "bob", "sort": "likes", "limit": 1}, calls.ctx)
    assert liked.structured["ids"] == ["bob/gpt-mini"]
    datasets = await tool.handler({"repo_type": "dataset", "query": "bert"}, calls.ctx)
    assert datasets.structured["ids"] == ["carol/bert-data"] and "/datasets/carol/bert-data" in datasets.output
    spaces = await tool.handler({"repo_type": "space"}, calls.ctx)  # downloads sort becomes likes for Spaces
    assert spaces.structured["ids"] == ["carol/bert-demo"] and "gradio" in spaces.output
    none = await tool.handler({"repo_type": "model", "query": "nothing-like-this"}, calls.ctx)
    assert none.ok and "No models found" in none.output


async def test_private_repos_need_the_owners_token(seeded: LocalHub, access: HubAccess, calls) -> None:
    result = await make_hub_search_tool(access).handler({"repo_type": "model", "author": "alice"}, calls.ctx)
    assert result.structured["ids"] == ["alice/bert-private", "alice/bert-tiny"]
    assert "private" in result.output


async def test_bad_arguments(seeded: LocalHub, anonymous: HubAccess, calls) -> None:
    tool = make_hub_search_tool(anonymous)
    router = ToolRouter([tool])
    assert "repo_type" in router.validate(tool.name, {"query": "bert"})
    assert router.validate(tool.name, {"repo_type": "paper"}) is not None
    assert router.validate(tool.name, {"repo_type": "model", "limit": 500}) is not None
    result = await tool.handler({"repo_type": "paper"}, calls.ctx)
    assert not result.ok and "repo_type must be one of" in result.output
    result = await tool.handler({"repo_type": "model", "sort": "stars"}, calls.ctx)
    assert not result.ok and "sort must be one of" in result.output
    assert not seeded.requests  # refused before any request


async def test_rejected_token_is_a_clear_message(seeded: LocalHub, calls) -> None:
    access = HubAccess.from_env({"HF_ENDPOINT": seeded.endpoint, "HF_TOKEN": "hf_wrong"})
    result = await make_hub_search_tool(access).handler({"repo_type": "model"}, calls.ctx)
    assert not result.ok and "rejected the token (401" in result.output and "HF_TOKEN" in result.output
    assert "hf_wrong" not in result.output


async def test_unreachable_hub_is_a_clear_message(hub: LocalHub, calls) -> None:
    access = HubAccess(endpoint="http://127.0.0.1:9")  # nothing listens on port 9
    result = await make_hub_search_tool(access).handler({"repo_type": "model"}, calls.ctx)
    assert not result.ok and "Could not reach the Hub at http://127.0.0.1:9" in result.output


async def test_offline_mode_is_a_clear_message(calls, monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    result = await make_hub_search_tool(HubAccess()).handler({"repo_type": "model"}, calls.ctx)
    assert not result.ok and "offline mode (HF_HUB_OFFLINE=1)" in result.output

"""Each token reaches only its own service: HF to the Hub, GitHub's to the GitHub API, none to search."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from ml_intern_jupyter.tools.github import github_tools
from ml_intern_jupyter.tools.hf import HubAccess, hf_tools
from ml_intern_jupyter.tools.web import web_tools

from ...hub_server import TEST_TOKEN, JobScript, LocalHub
from ...hub_server.threaded import ThreadedServer
from ..github.github_server import GH_TOKEN, LocalGitHub
from ..web.search_server import LocalSearch


@pytest.fixture
def services(hub: LocalHub) -> Iterator[tuple[LocalHub, LocalGitHub, LocalSearch, ThreadedServer]]:
    async def page(request):
        return PlainTextResponse("# moved here")

    hub.add_repo("alice/tiny", files={"config.json": b"{}"})
    hub.add_docs("trl", {"index": ("TRL", "# TRL")})
    hub.add_viewer_dataset("alice/data", {"default": {"train": [{"text": "hi"}]}})
    hub.job_script = JobScript(lines=["ok"])
    with LocalGitHub() as github, LocalSearch() as search, ThreadedServer([Route("/{p:path}", page)]) as foreign:
        github.add_repo("huggingface/trl", {"examples/sft.py": "SFTTrainer\n"})
        yield hub, github, search, foreign


def env_for(hub: LocalHub, github: LocalGitHub) -> dict[str, str]:
    return {
        "HF_ENDPOINT": hub.endpoint,
        "HF_TOKEN": TEST_TOKEN,
        "GITHUB_TOKEN": GH_TOKEN,
        "GITHUB_API_URL": github.endpoint,
    }


def header_values(server) -> str:
    return " ".join(value for request in server.requests for value in request.headers.values())


async def test_each_token_reaches_only_its_service(services, calls) -> None:
    hub, github, search, foreign = services
    env = env_for(hub, github)
    hub.redirects["/docs/trl/moved.md"] = f"{foreign.endpoint}/moved.md"
    access = HubAccess.from_env(env, datasets_server=hub.datasets_server)
    tools = {spec.name: spec for spec in [*hf_tools(access), *github_tools(env), *web_tools(search.url)]}
    every_call = [
        ("hf_hub_search", {"repo_type": "model"}),
        ("hf_repo_files", {"operation": "read", "repo_id": "alice/tiny", "path": "config.json"}),
        ("hf_inspect_dataset", {"dataset": "alice/data"}),
        ("explore_hf_docs", {"endpoint": "trl"}),
        ("fetch_hf_docs", {"url": "/docs/trl/moved"}),
        ("hf_jobs", {"operation": "run", "command": ["echo"]}),
        ("github_find_examples", {"library": "trl", "class_or_function": "SFTTrainer"}),
        ("github_read_file", {"repo": "huggingface/trl", "path": "examples/sft.py"}),
        ("web_search", {"query": "sfttrainer"}),
    ]
    for name, arguments in every_call:
        result = await tools[name].handler(arguments, calls.ctx)
        assert result.ok, (name, result.output)
    assert f"Bearer {TEST_TOKEN}" in header_values(hub) and GH_TOKEN not in header_values(hub)
    assert f"Bearer {GH_TOKEN}" in header_values(github) and TEST_TOKEN not in header_values(github)
    assert search.requests and not search.server.saw_header("authorization")
    assert TEST_TOKEN not in header_values(search) and GH_TOKEN not in header_values(search)
    assert foreign.requests and not foreign.saw_header("authorization")  # reached through a Hub redirect


async def test_github_redirect_to_another_origin_drops_the_token(services, calls) -> None:
    hub, github, _, foreign = services
    github.redirects["/repos/huggingface/trl/contents/moved.py"] = f"{foreign.endpoint}/moved.py"
    [_, _, read] = github_tools(env_for(hub, github))
    result = await read.handler({"repo": "huggingface/trl", "path": "moved.py"}, calls.ctx)
    assert result.ok and "moved here" in result.output
    assert github.server.saw_header("authorization") and not foreign.saw_header("authorization")

"""github_find_examples against LocalGitHub: example folders, keywords, code search, tokens, rate limits."""

from __future__ import annotations

from ml_intern_jupyter.tools.github import DEFAULT_API_URL, GitHubConfig, github_tools
from ml_intern_jupyter.tools.github.ranking import keyword_score, rank_examples
from ml_intern_jupyter.tools.spec import ToolRouter

from .conftest import tools_for
from .github_server import LocalGitHub


async def find(github: LocalGitHub, calls, token: str | None = "default", **arguments):
    tools = tools_for(github) if token == "default" else tools_for(github, token=token)
    return await tools["github_find_examples"].handler(arguments, calls.ctx)


async def test_lists_example_files_without_a_token(github: LocalGitHub, calls) -> None:
    result = await find(github, calls, token=None, library="trl")
    assert result.ok and "4 example file(s) in huggingface/trl@main:" in result.output
    listed = [line.split("  (")[0] for line in result.output.splitlines()[1:]]
    expected = [
        "examples/notebooks/sft_lora.ipynb",
        "examples/scripts/dpo.py",
        "examples/scripts/sft.py",
        "scripts/grpo.py",
    ]
    assert listed == [f"{i}. {path}" for i, path in enumerate(expected, 1)]
    assert "trl/trainer/sft_trainer.py" not in result.output and "README.md" not in result.output
    assert "github_read_file repo='huggingface/trl' path='examples/scripts/sft.py'" in result.output
    assert not github.server.saw_header("authorization")


async def test_keyword_ranks_example_paths(github: LocalGitHub, calls) -> None:
    result = await find(github, calls, library="huggingface/trl", keyword="sft")
    assert result.ok and "2 example file(s)" in result.output and "matching 'sft'" in result.output
    assert result.output.index("examples/scripts/sft.py") < result.output.index("sft_lora.ipynb")
    assert "dpo.py" not in result.output
    none = await find(github, calls, library="trl", keyword="ppo")
    assert none.ok and "No example file of huggingface/trl matches 'ppo'" in none.output and "dpo.py" in none.output
    limited = await find(github, calls, library="trl", max_results=1)
    assert "... 3 more" in limited.output


async def test_unknown_repo_suggests_similar_ones(github: LocalGitHub, calls) -> None:
    result = await find(github, calls, library="trl-lib", org="huggingface")
    assert not result.ok and "Not found on GitHub: repository huggingface/trl-lib" in result.output
    result = await find(github, calls, library="tr")
    assert not result.ok and "Similar repositories: huggingface/transformers, huggingface/trl." in result.output


async def test_code_search_in_the_library(github: LocalGitHub, calls) -> None:
    result = await find(github, calls, library="trl", class_or_function="SFTTrainer")
    assert result.ok and "3 file(s) using SFTTrainer (in huggingface/trl)" in result.output
    first = result.output.splitlines()[1]
    assert first.startswith("1. huggingface/trl: examples/")  # examples before library code
    assert result.output.index("examples/") < result.output.index("trl/trainer/sft_trainer.py")
    assert "> trainer = SFTTrainer(model='Qwen/Qwen2-0.5B')" in result.output
    [search] = [r for r in github.requests if r.path == "/search/code"]
    assert "repo%3Ahuggingface%2Ftrl" in search.query and "text-match" in search.headers["accept"]


async def test_code_search_across_github(github: LocalGitHub, calls) -> None:
    result = await find(github, calls, library="trl", class_or_function="SFTTrainer", scope="github")
    assert result.ok and "someone/my-sft-project: train.py" in result.output
    assert "huggingface/trl:" not in result.output  # the library's own files are left out
    assert "someone/secret" in result.output  # private repos the token can see are included


async def test_code_search_needs_a_token(github: LocalGitHub, calls) -> None:
    result = await find(github, calls, token=None, library="trl", class_or_function="SFTTrainer")
    assert not result.ok and "code search needs a token" in result.output and "GITHUB_TOKEN" in result.output
    assert not github.requests


async def test_rate_limit_and_bad_token(github: LocalGitHub, calls) -> None:
    github.rate_limited = True
    limited = await find(github, calls, token=None, library="trl")
    assert not limited.ok and "rate limit reached (60 requests an hour without a token" in limited.output
    assert "resets at" in limited.output and "UTC (in 10 min)" in limited.output
    with_token = await find(github, calls, library="trl")
    assert "without a token" not in with_token.output and "resets at" in with_token.output
    github.rate_limited = False
    bad = await find(github, calls, token="ghp_wrong", library="trl")
    assert not bad.ok and "GitHub rejected GITHUB_TOKEN (401 Bad credentials)" in bad.output
    assert "ghp_wrong" not in bad.output


async def test_bad_arguments(github: LocalGitHub, calls) -> None:
    tools = tools_for(github)
    router = ToolRouter(list(tools.values()))
    assert router.validate("github_find_examples", {"keyword": "sft"}) is not None
    assert router.validate("github_find_examples", {"library": "trl", "scope": "web"}) is not None
    for library in ("", "a/b/c", "two words"):
        result = await find(github, calls, library=library)
        assert not result.ok and "library must be a repository" in result.output
    scope = await find(github, calls, library="trl", class_or_function="X", scope="web")
    assert not scope.ok and "scope must be" in scope.output
    assert not github.requests


def test_config_and_ranking() -> None:
    assert GitHubConfig.from_env({}).api_url == DEFAULT_API_URL
    config = GitHubConfig.from_env({"GITHUB_API_URL": "http://127.0.0.1:1/", "GITHUB_TOKEN": "ghp_x"})
    assert config.api_url == "http://127.0.0.1:1"
    assert config.headers_for("http://127.0.0.1:1/repos", "a")["Authorization"] == "Bearer ghp_x"
    assert "Authorization" not in config.headers_for("https://api.github.com/repos", "a")
    assert "Authorization" not in config.headers_for("http://127.0.0.1:2/repos", "a")
    assert [spec.name for spec in github_tools({})] == ["github_find_examples", "github_list_repos", "github_read_file"]
    assert all(spec.read_only and not spec.requires_approval({}) for spec in github_tools({}))
    assert keyword_score("examples/sft.py", "sft") > keyword_score("examples/sft/utils.py", "sft") > 0
    assert rank_examples(["a/examples/x.py", "examples/x.py", "src/x.py", "examples/img.png"]) == [
        "examples/x.py",
        "a/examples/x.py",
    ]

"""github_list_repos and github_read_file against LocalGitHub."""

from __future__ import annotations

from ml_intern_jupyter.tools.github.notebook import notebook_to_text
from ml_intern_jupyter.tools.spec import ToolRouter

from .conftest import tools_for
from .github_server import LocalGitHub


async def list_repos(github: LocalGitHub, calls, token: str | None = "default", **arguments):
    tools = tools_for(github) if token == "default" else tools_for(github, token=token)
    return await tools["github_list_repos"].handler(arguments, calls.ctx)


async def read(github: LocalGitHub, calls, token: str | None = "default", **arguments):
    tools = tools_for(github) if token == "default" else tools_for(github, token=token)
    return await tools["github_read_file"].handler(arguments, calls.ctx)


async def test_list_by_stars_forks_and_dates(github: LocalGitHub, calls) -> None:
    stars = await list_repos(github, calls, owner="huggingface")
    assert stars.structured == {"repos": ["huggingface/transformers", "huggingface/peft", "huggingface/trl"]}
    assert "120,000 stars" in stars.output and "Train transformer language models" in stars.output
    assert github.requests[-1].path == "/search/repositories"
    ascending = await list_repos(github, calls, owner="huggingface", sort="forks", order="asc", limit=2)
    assert ascending.structured == {"repos": ["huggingface/trl", "huggingface/peft"]}
    created = await list_repos(github, calls, owner="huggingface", sort="created")
    assert (
        created.structured["repos"][0] == "huggingface/peft" and github.requests[-1].path == "/orgs/huggingface/repos"
    )
    user = await list_repos(github, calls, token=None, owner="someone", owner_type="user", sort="updated")
    assert user.structured == {"repos": ["someone/my-sft-project"]}  # the private one needs a token


async def test_list_unknown_owner_and_bad_arguments(github: LocalGitHub, calls) -> None:
    unknown = await list_repos(github, calls, owner="nobody-here")
    assert not unknown.ok and "cannot be searched" in unknown.output
    wrong_type = await list_repos(github, calls, owner="someone", sort="created")  # someone is a user, not an org
    assert not wrong_type.ok and "Not found on GitHub" in wrong_type.output
    router = ToolRouter(list(tools_for(github).values()))
    assert router.validate("github_list_repos", {"owner": "x", "sort": "name"}) is not None
    bad = await list_repos(github, calls, owner="a/b")
    assert not bad.ok and "owner must be" in bad.output


async def test_read_numbered_lines_and_ranges(github: LocalGitHub, calls) -> None:
    result = await read(github, calls, token=None, repo="huggingface/trl", path="examples/scripts/sft.py")
    assert result.ok and result.output.startswith("huggingface/trl/examples/scripts/sft.py: lines 1-4 of 4")
    assert "3\ttrainer = SFTTrainer(model='Qwen/Qwen2-0.5B')" in result.output
    first = await read(github, calls, repo="huggingface/trl", path="long.py")
    assert "lines 1-300 of 500" in first.output and "pass line_start=301" in first.output
    assert "300\tx_300 = 300" in first.output and "x_301" not in first.output
    window = await read(github, calls, repo="huggingface/trl", path="long.py", line_start=498, line_end=900)
    assert "lines 498-500 of 500" in window.output and "500\tx_500 = 500" in window.output
    outside = await read(github, calls, repo="huggingface/trl", path="long.py", line_start=600)
    assert not outside.ok and "outside the file (500 lines)" in outside.output


async def test_read_notebook_directory_binary_and_tag(github: LocalGitHub, calls) -> None:
    notebook = await read(github, calls, repo="huggingface/trl", path="examples/notebooks/sft_lora.ipynb")
    assert "# %% [markdown]" in notebook.output and "# Fine-tune with SFT" in notebook.output
    assert "# %% [code]" in notebook.output and "(1 cell outputs left out)" in notebook.output
    assert '"cell_type"' not in notebook.output
    folder = await read(github, calls, repo="huggingface/trl", path="examples")
    assert "examples in huggingface/trl is a directory" in folder.output and "- examples/scripts/" in folder.output
    binary = await read(github, calls, repo="huggingface/trl", path="assets/logo.png")
    assert binary.ok and "binary file" in binary.output and "PNG" not in binary.output
    github.repos["huggingface/trl"].tags["v0.1"] = {"examples/scripts/sft.py": b"old = True\n"}
    tagged = await read(github, calls, repo="huggingface/trl", path="examples/scripts/sft.py", ref="v0.1")
    assert "@v0.1: lines 1-1 of 1" in tagged.output and "old = True" in tagged.output


async def test_read_errors(github: LocalGitHub, calls) -> None:
    missing = await read(github, calls, repo="huggingface/trl", path="nope.py")
    assert not missing.ok and "Not found on GitHub: nope.py in huggingface/trl" in missing.output
    private = await read(github, calls, token=None, repo="someone/secret", path="a.py")
    assert not private.ok and "If it is private, set GITHUB_TOKEN" in private.output
    assert (await read(github, calls, repo="someone/secret", path="a.py")).ok
    bad_ref = await read(github, calls, repo="huggingface/trl", path="README.md", ref="v9")
    assert not bad_ref.ok and "at v9" in bad_ref.output
    github.requests.clear()
    for arguments, expected in (
        ({"repo": "trl", "path": "a"}, "repo must be"),
        ({"repo": "a/b", "path": ""}, "path is empty"),
    ):
        result = await read(github, calls, **arguments)
        assert not result.ok and expected in result.output
    assert not github.requests


def test_notebook_to_text_leaves_other_text_alone() -> None:
    assert notebook_to_text("not json") == "not json"
    assert notebook_to_text('{"no": "cells"}') == '{"no": "cells"}'

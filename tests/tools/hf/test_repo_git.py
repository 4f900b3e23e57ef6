"""hf_repo_git against LocalHub: repos, branches, tags, the pull-request workflow, approval and tokens."""

from __future__ import annotations

import pytest

from ml_intern_jupyter.tools.hf import HubAccess
from ml_intern_jupyter.tools.hf.repo_files import make_repo_files_tool
from ml_intern_jupyter.tools.hf.repo_git import READ_OPERATIONS, WRITE_OPERATIONS, make_repo_git_tool
from ml_intern_jupyter.tools.spec import ToolRouter

from ...hub_server import LocalHub

REPO = "alice/tiny"


@pytest.fixture
def repo(hub: LocalHub) -> LocalHub:
    hub.add_repo(REPO, files={"config.json": b"{}"})
    return hub


async def git(access: HubAccess, calls, **arguments):
    return await make_repo_git_tool(access).handler(arguments, calls.ctx)


async def test_create_repo_is_private_by_default(hub: LocalHub, access: HubAccess, calls) -> None:
    result = await git(access, calls, operation="create_repo", repo_id="alice/new-model")
    assert result.ok and "Created private model repo alice/new-model" in result.output
    assert hub.repo("alice/new-model", "model").private is True
    public = await git(
        access, calls, operation="create_repo", repo_id="alice/open-data", repo_type="dataset", private=False
    )
    assert public.ok and hub.repo("alice/open-data").private is False
    space = await git(
        access, calls, operation="create_repo", repo_id="alice/demo", repo_type="space", space_sdk="gradio"
    )
    assert space.ok and hub.repo("alice/demo", "space").sdk == "gradio"
    again = await git(access, calls, operation="create_repo", repo_id="alice/new-model")
    assert not again.ok and "409" in again.output


async def test_update_repo_settings(repo: LocalHub, access: HubAccess, calls) -> None:
    result = await git(access, calls, operation="update_repo", repo_id=REPO, private=True, gated="manual")
    assert result.ok and repo.repo(REPO, "model").private is True and repo.repo(REPO, "model").gated == "manual"
    ungated = await git(access, calls, operation="update_repo", repo_id=REPO, gated="false")
    assert ungated.ok and repo.repo(REPO, "model").gated is False
    nothing = await git(access, calls, operation="update_repo", repo_id=REPO)
    assert not nothing.ok and "needs private" in nothing.output


async def test_branches_and_tags(repo: LocalHub, access: HubAccess, calls) -> None:
    assert (await git(access, calls, operation="create_branch", repo_id=REPO, branch="dev")).ok
    assert (await git(access, calls, operation="create_tag", repo_id=REPO, tag="v1.0", tag_message="first")).ok
    refs = await git(access, calls, operation="list_refs", repo_id=REPO)
    assert "- dev (" in refs.output and "- v1.0 (" in refs.output and "- main (" in refs.output
    model = repo.repo(REPO, "model")
    assert model.heads["dev"] == model.heads["main"] == model.git_tags["v1.0"]
    from_tag = await git(access, calls, operation="create_branch", repo_id=REPO, branch="fix", from_rev="v1.0")
    assert from_tag.ok and model.heads["fix"] == model.git_tags["v1.0"]
    duplicate = await git(access, calls, operation="create_branch", repo_id=REPO, branch="dev")
    assert not duplicate.ok and "409" in duplicate.output
    assert (await git(access, calls, operation="delete_branch", repo_id=REPO, branch="dev")).ok
    assert (await git(access, calls, operation="delete_tag", repo_id=REPO, tag="v1.0")).ok
    assert "dev" not in model.heads and not model.git_tags
    gone = await git(access, calls, operation="delete_tag", repo_id=REPO, tag="v1.0")
    assert not gone.ok and "404" in gone.output


async def test_pull_request_workflow(repo: LocalHub, access: HubAccess, calls) -> None:
    opened = await git(access, calls, operation="create_pr", repo_id=REPO, title="Add a card", description="Adds it.")
    assert opened.ok and "draft PR #1" in opened.output and "revision='refs/pr/1'" in opened.output
    files = make_repo_files_tool(access)
    upload = {"operation": "upload", "repo_id": REPO, "path": "card.md", "content": "# Tiny", "revision": "refs/pr/1"}
    assert (await files.handler(upload, calls.ctx)).ok
    model = repo.repo(REPO, "model")
    assert "card.md" not in model.files and "card.md" in model.files_at("refs/pr/1")
    draft = await git(access, calls, operation="merge_pr", repo_id=REPO, pr_num=1)
    assert not draft.ok and "draft" in draft.output  # a draft is published first
    assert (await git(access, calls, operation="change_pr_status", repo_id=REPO, pr_num=1, new_status="open")).ok
    assert (await git(access, calls, operation="comment_pr", repo_id=REPO, pr_num=1, comment="Looks good")).ok
    details = await git(access, calls, operation="get_pr", repo_id=REPO, pr_num=1)
    assert "PR #1: Add a card [open]" in details.output and "alice: Looks good" in details.output
    assert "set status open" in details.output and "diff --git a/card.md" in details.output
    listed = await git(access, calls, operation="list_prs", repo_id=REPO)
    assert "#1 [open] Add a card by alice" in listed.output
    merged = await git(access, calls, operation="merge_pr", repo_id=REPO, pr_num=1)
    assert merged.ok and model.files["card.md"] == b"# Tiny"
    assert "No open pull requests" in (await git(access, calls, operation="list_prs", repo_id=REPO)).output
    everything = await git(access, calls, operation="list_prs", repo_id=REPO, status="all")
    assert "#1 [merged]" in everything.output


async def test_close_pr_and_missing_pr(repo: LocalHub, access: HubAccess, calls) -> None:
    await git(access, calls, operation="create_pr", repo_id=REPO, title="Try")
    closed = await git(access, calls, operation="close_pr", repo_id=REPO, pr_num=1, comment="not needed")
    assert closed.ok and repo.repo(REPO, "model").discussions[0].status == "closed"
    missing = await git(access, calls, operation="get_pr", repo_id=REPO, pr_num=7)
    assert not missing.ok and "404" in missing.output


async def test_approval_is_asked_for_every_write(access: HubAccess, repo: LocalHub) -> None:
    tool = make_repo_git_tool(access)
    assert all(tool.requires_approval({"operation": op, "repo_id": REPO}) for op in WRITE_OPERATIONS)
    assert not any(tool.requires_approval({"operation": op, "repo_id": REPO}) for op in READ_OPERATIONS)
    assert not repo.requests


async def test_writes_without_a_token_touch_nothing(repo: LocalHub, anonymous: HubAccess, calls) -> None:
    before = dict(repo.repo(REPO, "model").heads)
    for arguments in (
        {"operation": "create_repo", "repo_id": "alice/x"},
        {"operation": "create_branch", "repo_id": REPO, "branch": "dev"},
        {"operation": "create_tag", "repo_id": REPO, "tag": "v1"},
        {"operation": "create_pr", "repo_id": REPO, "title": "t"},
        {"operation": "merge_pr", "repo_id": REPO, "pr_num": 1},
        {"operation": "update_repo", "repo_id": REPO, "private": True},
    ):
        result = await git(anonymous, calls, **arguments)
        assert not result.ok and "needs a Hugging Face token" in result.output, arguments
    assert not repo.requests and repo.repo(REPO, "model").heads == before
    refs = await git(anonymous, calls, operation="list_refs", repo_id=REPO)  # reads work without a token
    assert refs.ok and "- main (" in refs.output


async def test_others_cannot_write_to_my_repo(repo: LocalHub, calls) -> None:
    repo.users["hf_bobToken"] = "bob"
    bob = HubAccess.from_env({"HF_ENDPOINT": repo.endpoint, "HF_TOKEN": "hf_bobToken"})
    result = await git(bob, calls, operation="create_branch", repo_id=REPO, branch="bobs")
    assert not result.ok and "403" in result.output and "bobs" not in repo.repo(REPO, "model").heads
    elsewhere = await git(bob, calls, operation="create_repo", repo_id="alice/by-bob")
    assert not elsewhere.ok and "403" in elsewhere.output


async def test_bad_arguments(repo: LocalHub, access: HubAccess, calls) -> None:
    router = ToolRouter([make_repo_git_tool(access)])
    assert router.validate("hf_repo_git", {"operation": "create_branch"}) is not None
    assert router.validate("hf_repo_git", {"operation": "get_pr", "repo_id": REPO, "pr_num": 0}) is not None
    for arguments, expected in (
        ({"operation": "create_branch", "repo_id": REPO}, "Missing argument 'branch'"),
        ({"operation": "create_tag", "repo_id": REPO}, "Missing argument 'tag'"),
        ({"operation": "create_pr", "repo_id": REPO}, "Missing argument 'title'"),
        ({"operation": "get_pr", "repo_id": REPO, "pr_num": "one"}, "pr_num must be a positive integer"),
        ({"operation": "change_pr_status", "repo_id": REPO, "pr_num": 1}, "new_status must be"),
        ({"operation": "list_prs", "repo_id": REPO, "status": "merged"}, "status must be"),
        ({"operation": "create_repo", "repo_id": "alice/s", "repo_type": "space"}, "needs space_sdk"),
        ({"operation": "squash", "repo_id": REPO}, "Unknown operation"),
    ):
        result = await git(access, calls, **arguments)
        assert not result.ok and expected in result.output, arguments
    assert not repo.requests

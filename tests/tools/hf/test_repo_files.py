"""hf_repo_files against LocalHub: list, read (text and binary), upload, delete, approval, tokens, errors."""

from __future__ import annotations

import pytest

from ml_intern_jupyter.tools.hf import HubAccess
from ml_intern_jupyter.tools.hf.repo_files import make_repo_files_tool
from ml_intern_jupyter.tools.spec import ToolRouter

from ...hub_server import LocalHub

REPO = "alice/tiny"
FILES = {
    "config.json": b'{"hidden_size": 8}',
    "model.safetensors": b"\x00" * 64,
    "notes/raw.dat": b"\x00\x01binary\xff",
    "notes/long.txt": ("line of text\n" * 2_000).encode(),
    "logs/a.tmp": b"a",
    "logs/b.tmp": b"b",
}


@pytest.fixture
def repo(hub: LocalHub) -> LocalHub:
    hub.add_repo(REPO, files=FILES)
    hub.add_repo("alice/hidden", "dataset", private=True, files={"data.csv": b"a,b\n1,2\n"})
    return hub


async def files(access: HubAccess, calls, **arguments):
    return await make_repo_files_tool(access).handler(arguments, calls.ctx)


async def test_list_files(repo: LocalHub, anonymous: HubAccess, calls) -> None:
    result = await files(anonymous, calls, operation="list", repo_id=REPO)
    assert result.ok and f"{REPO}: 7 file(s)" in result.output
    assert "model.safetensors (64 B, LFS)" in result.output and "notes/raw.dat (9 B)" in result.output
    folder = await files(anonymous, calls, operation="list", repo_id=REPO, path="logs")
    assert folder.structured == {"files": ["logs/a.tmp", "logs/b.tmp"]}


async def test_read_text_and_binary(repo: LocalHub, anonymous: HubAccess, calls) -> None:
    text = await files(anonymous, calls, operation="read", repo_id=REPO, path="config.json")
    assert text.ok and text.output.endswith('{"hidden_size": 8}') and f"/{REPO}/blob/main/config.json" in text.output
    long = await files(anonymous, calls, operation="read", repo_id=REPO, path="notes/long.txt")
    assert "characters cut" in long.output and len(long.output) < 9_000
    for binary in ("model.safetensors", "notes/raw.dat"):
        result = await files(anonymous, calls, operation="read", repo_id=REPO, path=binary)
        assert result.ok and "binary or large file" in result.output and "\x00" not in result.output
    assert not repo.requests_to("/resolve/main/model.safetensors")  # an LFS file is never downloaded


async def test_missing_file_repo_and_private_repo(
    repo: LocalHub, anonymous: HubAccess, access: HubAccess, calls
) -> None:
    missing = await files(anonymous, calls, operation="read", repo_id=REPO, path="nope.txt")
    assert not missing.ok and "File not found: nope.txt" in missing.output
    folder = await files(anonymous, calls, operation="read", repo_id=REPO, path="logs")
    assert not folder.ok and "is a folder" in folder.output
    no_repo = await files(anonymous, calls, operation="list", repo_id="alice/none")
    assert not no_repo.ok and "Repository not found: alice/none (model)" in no_repo.output
    private = await files(anonymous, calls, operation="list", repo_id="alice/hidden", repo_type="dataset")
    assert not private.ok and "needs a token" in private.output
    owner = await files(access, calls, operation="read", repo_id="alice/hidden", repo_type="dataset", path="data.csv")
    assert owner.ok and "1,2" in owner.output
    bad_rev = await files(anonymous, calls, operation="list", repo_id=REPO, revision="v9")
    assert not bad_rev.ok and "Revision not found" in bad_rev.output


async def test_upload_commits_and_can_open_a_pr(repo: LocalHub, access: HubAccess, calls) -> None:
    card = "---\nlicense: mit\n---\n# Tiny"
    result = await files(access, calls, operation="upload", repo_id=REPO, path="README.md", content=card)
    assert result.ok and f"Uploaded README.md ({len(card)} bytes)" in result.output
    assert repo.repo(REPO, "model").files["README.md"].startswith(b"---\nlicense: mit")
    assert repo.repo(REPO, "model").commits[-1]["message"] == "Upload README.md"
    pr = await files(access, calls, operation="upload", repo_id=REPO, path="fix.py", content="x = 1\n", create_pr=True)
    assert pr.ok and "Opened pull request" in pr.output and "/discussions/1" in pr.output
    model = repo.repo(REPO, "model")
    assert "fix.py" not in model.files and "fix.py" in model.files_at("refs/pr/1")


async def test_delete_matching_files(repo: LocalHub, access: HubAccess, calls) -> None:
    result = await files(access, calls, operation="delete", repo_id=REPO, patterns=["logs/", "*.json"])
    assert result.ok and "Deleted 3 file(s)" in result.output
    remaining = set(repo.repo(REPO, "model").files)
    assert remaining == {".gitattributes", "model.safetensors", "notes/raw.dat", "notes/long.txt"}
    nothing = await files(access, calls, operation="delete", repo_id=REPO, patterns=["*.xyz"])
    assert not nothing.ok and "nothing deleted" in nothing.output


async def test_writes_need_approval_and_reads_do_not(repo: LocalHub, access: HubAccess) -> None:
    tool = make_repo_files_tool(access)
    for operation in ("upload", "delete"):
        assert tool.requires_approval({"operation": operation, "repo_id": REPO})
    for operation in ("list", "read"):
        assert not tool.requires_approval({"operation": operation, "repo_id": REPO})
    assert not tool.read_only and make_repo_files_tool(access, read_only=True).read_only
    assert not repo.requests  # deciding asks nothing of the Hub; a rejected call never reaches it


async def test_write_without_a_token_says_how_to_set_one(repo: LocalHub, anonymous: HubAccess, calls) -> None:
    commits = len(repo.repo(REPO, "model").commits)
    upload = await files(anonymous, calls, operation="upload", repo_id=REPO, path="a.txt", content="x")
    delete = await files(anonymous, calls, operation="delete", repo_id=REPO, patterns=["*"])
    for result in (upload, delete):
        assert not result.ok and "needs a Hugging Face token" in result.output
        assert "HF_TOKEN" in result.output and "hf auth login" in result.output and "%intern login" in result.output
    assert not repo.requests and len(repo.repo(REPO, "model").commits) == commits


async def test_someone_elses_repo_is_forbidden(repo: LocalHub, calls) -> None:
    repo.users["hf_bobToken"] = "bob"
    bob = HubAccess.from_env({"HF_ENDPOINT": repo.endpoint, "HF_TOKEN": "hf_bobToken"})
    result = await files(bob, calls, operation="upload", repo_id=REPO, path="a.txt", content="x")
    assert not result.ok and "403" in result.output and "write" in result.output
    assert "a.txt" not in repo.repo(REPO, "model").files


async def test_bad_arguments(repo: LocalHub, access: HubAccess, calls) -> None:
    router = ToolRouter([make_repo_files_tool(access)])
    assert router.validate("hf_repo_files", {"operation": "list"}) is not None  # repo_id is required
    assert router.validate("hf_repo_files", {"operation": "rename", "repo_id": REPO}) is not None
    for arguments, expected in (
        ({"operation": "read", "repo_id": REPO}, "Missing argument 'path'"),
        ({"operation": "upload", "repo_id": REPO, "path": "a"}, "Missing argument 'content'"),
        ({"operation": "delete", "repo_id": REPO}, "Missing argument 'patterns'"),
        ({"operation": "list", "repo_id": REPO, "repo_type": "paper"}, "repo_type must be one of"),
        ({"operation": "rename", "repo_id": REPO}, "Unknown operation"),
    ):
        result = await files(access, calls, **arguments)
        assert not result.ok and expected in result.output
    read_only = await make_repo_files_tool(access, read_only=True).handler(
        {"operation": "upload", "repo_id": REPO, "path": "a", "content": "x"}, calls.ctx
    )
    assert not read_only.ok and "Unknown operation 'upload'" in read_only.output
    assert not repo.requests

"""HubAccess: endpoint and token from an env mapping, the saved login, and which hosts get the token."""

from __future__ import annotations

from pathlib import Path

import pytest

from ml_intern_jupyter.tools.hf import DEFAULT_ENDPOINT, HubAccess, hf_tools, missing_token_message
from ml_intern_jupyter.tools.spec import ToolRouter

from ...hub_server import TEST_TOKEN, LocalHub


def test_from_env_defaults_and_overrides() -> None:
    plain = HubAccess.from_env({}, use_saved_login=False)
    assert plain.endpoint == DEFAULT_ENDPOINT and plain.token() is None
    custom = HubAccess.from_env({"HF_ENDPOINT": "http://hub.local:8080/", "HUGGING_FACE_HUB_TOKEN": " hf_x "})
    assert custom.endpoint == "http://hub.local:8080" and custom.token() == "hf_x"
    both = HubAccess.from_env({"HF_TOKEN": "hf_first", "HUGGING_FACE_HUB_TOKEN": "hf_second"})
    assert both.token() == "hf_first"
    assert plain.datasets_server == "https://datasets-server.huggingface.co"
    viewer = HubAccess.from_env({"HF_DATASETS_SERVER": "http://viewer.local:9/"})
    assert viewer.datasets_server == "http://viewer.local:9" and viewer.is_hf_host("http://viewer.local:9/rows")


def test_token_is_read_at_each_use_from_the_mapping() -> None:
    env: dict[str, str] = {}
    access = HubAccess.from_env(env, use_saved_login=False)
    assert access.token() is None
    env["HF_TOKEN"] = "hf_later"  # e.g. %intern login during the session
    assert access.token() == "hf_later"


def test_saved_login_is_used_after_the_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingface_hub import constants

    token_file = tmp_path / "token"
    token_file.write_text("hf_savedLogin\n")
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(token_file))
    assert HubAccess.from_env({}).token() == "hf_savedLogin"
    assert HubAccess.from_env({"HF_TOKEN": "hf_env"}).token() == "hf_env"
    assert HubAccess.from_env({}, use_saved_login=False).token() is None


def test_process_environment_is_never_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from huggingface_hub import constants

    monkeypatch.setenv("HF_TOKEN", "hf_fromTheProcess")
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "none"))
    assert HubAccess.from_env({}).token() is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://huggingface.co/api/models", True),
        ("https://hf.co/x", True),
        ("https://datasets-server.huggingface.co/splits", True),
        ("https://cdn-lfs.hf.co/repos/x", True),
        ("http://huggingface.co/api", False),  # plain http
        ("https://huggingface.co:8443/api", False),
        ("https://user:pw@huggingface.co/api", False),
        ("https://huggingface.co.evil.com/api", False),
        ("https://evilhuggingface.co/api", False),
        ("https://api.github.com/repos", False),
        ("http://127.0.0.1:9999/api", True),  # the configured endpoint
        ("http://127.0.0.1:9998/api", False),  # another local server
        ("http://127.0.0.1:9997/splits", True),  # the configured dataset viewer
        ("https://huggingface.co:99999/api", False),  # not a valid port
        ("not a url", False),
    ],
)
def test_is_hf_host(url: str, expected: bool) -> None:
    access = HubAccess(endpoint="http://127.0.0.1:9999", datasets_server="http://127.0.0.1:9997")
    assert access.is_hf_host(url) is expected


def test_auth_headers_only_for_hf_hosts() -> None:
    access = HubAccess(token=lambda: "hf_secret")
    assert access.auth_headers("https://huggingface.co/docs/trl") == {"Authorization": "Bearer hf_secret"}
    assert access.auth_headers("https://example.com/docs") == {}
    assert HubAccess().auth_headers("https://huggingface.co/docs") == {}


def test_missing_token_message_says_how_to_set_one() -> None:
    message = missing_token_message("Uploading")
    for hint in ("HF_TOKEN", "hf auth login", "%intern login"):
        assert hint in message


def test_tool_set_and_read_only_variant() -> None:
    access = HubAccess()
    full = hf_tools(access)
    names = [spec.name for spec in full]
    assert names == [
        "explore_hf_docs",
        "fetch_hf_docs",
        "hf_papers",
        "hf_hub_search",
        "hf_inspect_dataset",
        "hf_repo_files",
        "hf_repo_git",
        "hf_jobs",
    ]
    writers = {spec.name for spec in full if not spec.read_only}
    assert writers == {"hf_repo_files", "hf_repo_git", "hf_jobs"}
    research = hf_tools(access, read_only=True)
    assert [spec.name for spec in research] == names and all(spec.read_only for spec in research)
    by_name = {spec.name: spec for spec in research}
    assert "read-only: only list, read are available" in by_name["hf_repo_files"].description
    assert "read-only" not in {spec.name: spec for spec in full}["hf_repo_files"].description
    router = ToolRouter(research)
    assert router.validate("hf_repo_files", {"operation": "upload", "repo_id": "a/b"}) is not None
    assert router.validate("hf_jobs", {"operation": "run"}) is not None
    assert router.validate("hf_repo_git", {"operation": "list_refs", "repo_id": "a/b"}) is None
    for spec in research:
        for operation in ("list", "read", "list_refs", "ps", "upload", "run", "scheduled run"):
            assert not spec.requires_approval({"operation": operation}) and not spec.asks_even_in_yolo(
                {"operation": operation}
            )


async def test_a_process_token_never_reaches_the_hub_without_a_mapping_token(
    hub: LocalHub, monkeypatch: pytest.MonkeyPatch, calls
) -> None:
    monkeypatch.setenv("HF_TOKEN", TEST_TOKEN)  # huggingface_hub would pick this up by itself
    hub.add_repo("alice/secret-model", private=True)
    hub.add_repo("alice/public-model")
    access = HubAccess.from_env({"HF_ENDPOINT": hub.endpoint})
    [search] = [spec for spec in hf_tools(access) if spec.name == "hf_hub_search"]
    result = await search.handler({"repo_type": "model", "query": "model"}, calls.ctx)
    assert result.ok and "alice/public-model" in result.output and "secret" not in result.output
    assert hub.requests and not any("authorization" in r.headers for r in hub.requests)

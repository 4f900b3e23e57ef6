"""Every Hub, GitHub and web tool: the public name, a valid JSON schema, an OpenAI tools entry."""

from __future__ import annotations

import jsonschema

from ml_intern_jupyter.tools.github import github_tools
from ml_intern_jupyter.tools.hf import HubAccess, hf_tools
from ml_intern_jupyter.tools.web import web_tools

PUBLIC_NAMES = {
    "explore_hf_docs",
    "fetch_hf_docs",
    "hf_papers",
    "hf_hub_search",
    "hf_inspect_dataset",
    "hf_repo_files",
    "hf_repo_git",
    "hf_jobs",
    "github_find_examples",
    "github_list_repos",
    "github_read_file",
    "web_search",
}


def test_names_schemas_and_openai_entries() -> None:
    for read_only in (False, True):
        specs = [*hf_tools(HubAccess(), read_only=read_only), *github_tools({}), *web_tools(None)]
        assert {spec.name for spec in specs} == PUBLIC_NAMES
        for spec in specs:
            jsonschema.Draft202012Validator.check_schema(spec.parameters)
            assert spec.parameters["type"] == "object" and spec.parameters["additionalProperties"] is False
            entry = spec.to_openai()["function"]
            assert entry["name"] == spec.name and len(entry["description"]) > 80


def test_upstream_argument_names_are_kept() -> None:
    by_name = {spec.name: spec for spec in [*hf_tools(HubAccess()), *github_tools({}), *web_tools(None)]}

    def properties(name: str) -> set[str]:
        return set(by_name[name].parameters["properties"])

    assert {
        "operation",
        "repo_id",
        "repo_type",
        "revision",
        "path",
        "content",
        "patterns",
        "create_pr",
        "commit_message",
    } <= properties("hf_repo_files")
    assert {"endpoint", "query", "max_results"} <= properties("explore_hf_docs")
    assert {"operation", "script", "command", "hardware_flavor", "timeout", "job_id", "schedule"} <= properties(
        "hf_jobs"
    )
    assert {"repo", "path", "ref", "line_start", "line_end"} <= properties("github_read_file")
    assert {"owner", "owner_type", "sort", "order", "limit"} <= properties("github_list_repos")
    assert {"query", "allowed_domains", "blocked_domains"} <= properties("web_search")
    assert {"library", "class_or_function"} <= properties("github_find_examples")

"""Who gets the HF token, headers and environment."""

from __future__ import annotations

import pytest

from ml_intern_jupyter.tools.mcp import McpServerConfig, is_hf_host
from ml_intern_jupyter.tools.mcp.credentials import request_headers, sends_hf_token, stdio_environment


@pytest.mark.parametrize(
    ("url", "env", "expected"),
    [
        ("https://huggingface.co/mcp", {}, True),
        ("https://api.huggingface.co/x", {}, True),
        ("https://hf.co/mcp", {}, True),
        ("http://huggingface.co/mcp", {}, False),  # never in clear text
        ("https://evilhuggingface.co/mcp", {}, False),
        ("https://huggingface.co.evil.com/mcp", {}, False),
        ("https://huggingface.co@evil.com/mcp", {}, False),
        ("https://sub.hf.co/mcp", {}, False),
        ("https://mcp.example.com/mcp", {}, False),
        ("http://127.0.0.1:8123/mcp", {"HF_ENDPOINT": "http://127.0.0.1:8123"}, True),
        ("http://127.0.0.1:9999/mcp", {"HF_ENDPOINT": "http://127.0.0.1:8123"}, False),
        ("https://hub.corp.example/mcp", {"HF_ENDPOINT": "https://hub.corp.example"}, True),
        ("not a url", {}, False),
    ],
)
def test_hf_hosts(url: str, env: dict[str, str], expected: bool) -> None:
    assert is_hf_host(url, env) is expected


def http(url: str, headers: dict[str, str] | None = None) -> McpServerConfig:
    return McpServerConfig(name="s", transport="http", url=url, headers=headers or {})


def test_the_token_is_added_only_for_hf_hosts_without_their_own_authorization() -> None:
    assert request_headers(http("https://huggingface.co/mcp"), {}, "hf_x") == {"Authorization": "Bearer hf_x"}
    assert request_headers(http("https://other.example/mcp", {"X-Key": "k"}), {}, "hf_x") == {"X-Key": "k"}
    own = {"authorization": "Bearer mine"}
    assert request_headers(http("https://huggingface.co/mcp", own), {}, "hf_x") == own
    assert request_headers(http("https://huggingface.co/mcp"), {}, None) == {}
    stdio = McpServerConfig(name="s", transport="stdio", command="x")
    assert not sends_hf_token(stdio, {}) and sends_hf_token(http("https://hf.co/mcp"), {})


def test_stdio_environment_is_minimal_unless_inherited() -> None:
    kernel = {"PATH": "/bin", "HOME": "/h", "LANG": "C.UTF-8", "HF_TOKEN": "t", "OPENAI_API_KEY": "k"}
    config = McpServerConfig(name="s", transport="stdio", command="x", env={"ONLY": "this"})
    assert stdio_environment(config, kernel) == {"PATH": "/bin", "HOME": "/h", "LANG": "C.UTF-8", "ONLY": "this"}
    inherited = McpServerConfig(name="s", transport="stdio", command="x", env={"ONLY": "this"}, inherit_env=True)
    assert stdio_environment(inherited, kernel) == {**kernel, "ONLY": "this"}

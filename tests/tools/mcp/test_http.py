"""Real HTTP MCP servers on 127.0.0.1: calls, list_changed, headers and the HF token, crashes, SSE."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from ml_intern_jupyter.tools.mcp import McpServerConfig, load_mcp_servers
from ml_intern_jupyter.tools.spec import RichDisplay, ToolRouter

from .conftest import HttpServer, Managers, Recorder, eventually, free_port

TOKEN = "hf_secret_from_the_callable"


def http_config(name: str, server: HttpServer, **kw: object) -> McpServerConfig:
    return McpServerConfig(name=name, transport=server.mode, url=server.url, **kw)  # type: ignore[arg-type]


def state_of(manager: object, name: str) -> str:
    return next(s.state for s in manager.status() if s.name == name)  # type: ignore[attr-defined]


@pytest.mark.parametrize("protocol", ["auto", "legacy"])
async def test_http_calls_progress_and_list_changed(
    managers: Managers, recorder: Recorder, http_servers: Callable[..., HttpServer], protocol: str
) -> None:
    server = http_servers("http")
    router = ToolRouter()
    manager = managers([http_config("web", server, protocol=protocol)], router)
    manager.start()
    assert await manager.wait_ready(30) and state_of(manager, "web") == "connected"
    expected_version = "2026-07-28" if protocol == "auto" else "2025-11-25"
    assert manager.status()[0].protocol_version == expected_version

    assert (await router.execute("mcp__web__add", {"a": 1, "b": 2}, recorder.ctx())).structured == {"sum": 3}
    image = await router.execute("mcp__web__image", {}, recorder.ctx())
    assert image.ok and any(isinstance(d, RichDisplay) and "image/png" in d.data for d in recorder.displays)
    slow = await router.execute("mcp__web__slow", {"seconds": 0.3}, recorder.ctx())
    assert slow.ok
    await eventually(lambda: "step 10 (10/10)" in recorder.logs, 10, "progress lines over HTTP")

    assert (await router.execute("mcp__web__add_tool", {"name": "late"}, recorder.ctx())).ok
    await eventually(lambda: "mcp__web__late" in router, 10, "the new tool over HTTP")
    assert (await router.execute("mcp__web__late", {}, recorder.ctx())).output == "hello from late"


async def test_headers_go_to_their_server_only_and_the_hf_token_only_to_hf_hosts(
    managers: Managers, recorder: Recorder, http_servers: Callable[..., HttpServer], tmp_path: Path
) -> None:
    third_party, other, hf_local = http_servers("http"), http_servers("http"), http_servers("http")
    env = {**managers.env, "HF_ENDPOINT": f"http://127.0.0.1:{hf_local.port}"}
    servers = load_mcp_servers(
        {
            "tracker": {"transport": "http", "url": third_party.url, "headers": {"X-Own": "tracker-secret"}},
            "other": {"transport": "http", "url": other.url},
            "hf": {"preset": "hf", "url": hf_local.url},  # the preset, pointed at a local HF_ENDPOINT
        },
        config_origin="agent-config.json",
        env=env,
        project_dir=tmp_path,
        home=tmp_path / "home",
    )
    router = ToolRouter()
    manager = managers(servers, router, env=env, hf_token=lambda: TOKEN)
    manager.start()
    assert await manager.wait_ready(30) and all(s.state == "connected" for s in manager.status())
    for name in ("tracker", "other", "hf"):
        assert (await router.execute(f"mcp__{name}__echo", {"text": name}, recorder.ctx())).ok

    def values(server: HttpServer) -> list[str]:
        return [v for request in server.requests() for v in request["headers"].values()]

    for server in (third_party, other):
        assert server.requests(), "the server saw requests"
        assert not any(TOKEN in v or "hf_kernel_secret" in v for v in values(server))
    assert all(r["headers"].get("x-own") == "tracker-secret" for r in third_party.requests())
    assert not any("tracker-secret" in v for v in values(other) + values(hf_local))
    posts = [r for r in hf_local.requests() if r["path"] == "/mcp"]
    assert posts and all(r["headers"].get("authorization") == f"Bearer {TOKEN}" for r in posts)
    sends = {s.name: s.sends_hf_token for s in manager.status()}
    assert sends == {"tracker": False, "other": False, "hf": True}
    assert "(HF token)" in manager.status_markdown()


@pytest.mark.parametrize("protocol", ["auto", "legacy"])
async def test_an_http_server_that_dies_mid_call_and_comes_back(
    managers: Managers, recorder: Recorder, http_servers: Callable[..., HttpServer], protocol: str
) -> None:
    server = http_servers("http")
    router = ToolRouter()
    manager = managers([http_config("web", server, protocol=protocol)], router)
    manager.start()
    assert await manager.wait_ready(30)
    call = asyncio.create_task(router.execute("mcp__web__slow", {"seconds": 60}, recorder.ctx()))
    await eventually(lambda: recorder.logs != [], 20, "the slow call to start")
    server.kill()
    result = await asyncio.wait_for(call, 10)
    assert not result.ok and "MCP server `web`" in result.output
    await eventually(lambda: state_of(manager, "web") == "disconnected", 20, "the loss to be noticed")

    http_servers("http", port=server.port)  # the same server starts again
    again = await router.execute("mcp__web__echo", {"text": "back"}, recorder.ctx())
    assert again.ok and again.output == "back" and state_of(manager, "web") == "connected"


async def test_an_unreachable_http_server_fails_at_start(managers: Managers) -> None:
    url = f"http://127.0.0.1:{free_port()}/mcp"
    manager = managers([McpServerConfig(name="nowhere", transport="http", url=url, connect_timeout=10)])
    manager.start()
    assert await manager.wait_ready(30)
    status = manager.status()[0]
    assert status.state == "failed" and "cannot connect" in status.detail


async def test_sse_transport(managers: Managers, recorder: Recorder, http_servers: Callable[..., HttpServer]) -> None:
    server = http_servers("sse")
    router = ToolRouter()
    manager = managers([http_config("old", server)], router)
    manager.start()
    assert await manager.wait_ready(30) and state_of(manager, "old") == "connected", manager.status()[0].detail
    assert (await router.execute("mcp__old__echo", {"text": "over sse"}, recorder.ctx())).output == "over sse"
    assert (await router.execute("mcp__old__slow", {"seconds": 0.2}, recorder.ctx())).ok
    await eventually(lambda: "step 10 (10/10)" in recorder.logs, 10, "progress over SSE")


async def test_the_hf_preset_authenticates_with_the_token_and_explains_a_401(
    managers: Managers, recorder: Recorder, http_servers: Callable[..., HttpServer], tmp_path: Path
) -> None:
    hub = http_servers("http", bearer=TOKEN)  # a local stand-in for huggingface.co/mcp that needs the token
    env = {**managers.env, "HF_ENDPOINT": f"http://127.0.0.1:{hub.port}"}
    (hf,) = load_mcp_servers(
        {"hf": {"preset": "hf", "url": hub.url}}, config_origin="cfg", env=env, project_dir=tmp_path, home=tmp_path
    )
    without = managers([hf], env=env, hf_token=lambda: None)
    with_token = managers([hf], ToolRouter(), env=env, hf_token=lambda: TOKEN)
    without.start()
    with_token.start()
    assert await without.wait_ready(30) and await with_token.wait_ready(30)
    refused = without.status()[0]
    assert refused.state == "failed" and "HTTP 401 Unauthorized" in refused.detail and "HF_TOKEN" in refused.detail
    assert with_token.status()[0].state == "connected"

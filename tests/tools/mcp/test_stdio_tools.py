"""A real stdio MCP server: listing, results, progress, approval, environment, list_changed, cancellation."""

from __future__ import annotations

import asyncio
import dataclasses
import sys
import time
from pathlib import Path

import jsonschema
import pytest

from ml_intern_jupyter.tools.mcp import McpServerConfig
from ml_intern_jupyter.tools.spec import RichDisplay, ToolRouter

from .conftest import Managers, Recorder, eventually, read_log, stdio_config

EXPECTED_TOOLS = {"echo", "add", "image", "resource", "fail", "protocol_error", "slow", "environ", "pid"}


async def connected(managers: Managers, **config: object) -> tuple[ToolRouter, object]:
    router = ToolRouter()
    manager = managers([stdio_config("srv", **config)], router)  # type: ignore[arg-type]
    manager.start()
    assert await manager.wait_ready(30)
    assert manager.status()[0].state == "connected", manager.status()[0].detail
    return router, manager


async def test_tools_are_listed_with_valid_schemas(managers: Managers) -> None:
    router, manager = await connected(managers)
    names = {n.removeprefix("mcp__srv__") for n in router.names()}
    assert names >= EXPECTED_TOOLS
    for spec in router.specs():
        jsonschema.Draft202012Validator.check_schema(spec.parameters)
        assert spec.parameters["type"] == "object"
        assert "MCP server `srv`" in spec.description
    assert router.validate("mcp__srv__add", {"a": 1, "b": 2}) is None
    assert "is not of type 'integer'" in (router.validate("mcp__srv__add", {"a": "one", "b": 2}) or "")
    status = manager.status()[0]
    assert status.protocol_version == "2026-07-28"
    assert set(status.tools) == set(router.names())


@pytest.mark.parametrize("protocol", ["auto", "legacy"])
async def test_text_structured_image_and_resource_results(
    managers: Managers, recorder: Recorder, protocol: str
) -> None:
    router, _ = await connected(managers, protocol=protocol)
    echo = await router.execute("mcp__srv__echo", {"text": "hello"}, recorder.ctx())
    assert (echo.ok, echo.output) == (True, "hello")

    added = await router.execute("mcp__srv__add", {"a": 2, "b": 40}, recorder.ctx())
    assert added.ok and added.structured == {"sum": 42}
    assert '"sum": 42' in added.output

    image = await router.execute("mcp__srv__image", {}, recorder.ctx())
    assert image.ok and "image/png" in image.output and "shown to the user" in image.output
    assert "iVBOR" not in image.output  # the model gets a description, not the bytes
    shown = [d for d in recorder.displays if isinstance(d, RichDisplay) and "image/png" in d.data]
    assert len(shown) == 1 and shown[0].data["image/png"].startswith("iVBOR")

    resource = await router.execute("mcp__srv__resource", {}, recorder.ctx())
    assert resource.ok and "see the note" in resource.output
    assert "[resource memo://note (text/plain)]\nthe note body" in resource.output
    assert any(isinstance(d, RichDisplay) and d.data.get("text/plain") == "the note body" for d in recorder.displays)


async def test_tool_error_and_protocol_error_are_failed_results(managers: Managers, recorder: Recorder) -> None:
    router, manager = await connected(managers)
    failed = await router.execute("mcp__srv__fail", {"message": "disk full"}, recorder.ctx())
    assert not failed.ok and "disk full" in failed.output

    refused = await router.execute("mcp__srv__protocol_error", {}, recorder.ctx())
    assert not refused.ok
    assert "MCP server `srv`" in refused.output and "the server refused this request" in refused.output
    assert "-32050" in refused.output
    echo = await router.execute("mcp__srv__echo", {"text": "still here"}, recorder.ctx())
    assert echo.ok and manager.status()[0].state == "connected"


async def test_progress_notifications_become_log_lines(managers: Managers, recorder: Recorder) -> None:
    router, _ = await connected(managers)
    result = await router.execute("mcp__srv__slow", {"seconds": 0.5}, recorder.ctx())
    assert result.ok and result.output == "slept 0.5"
    await eventually(lambda: len(recorder.logs) == 10, 5, "ten progress lines")
    assert recorder.logs[0] == "step 1 (1/10)" and recorder.logs[-1] == "step 10 (10/10)"


async def test_approval_default_trusted_and_auto_approve(managers: Managers) -> None:
    configs = [
        stdio_config("plain"),
        stdio_config("trusty", trusted=True),
        stdio_config("globbed", auto_approve=("ec*", "mcp__globbed__add")),
        stdio_config("all", auto_approve=True),
    ]
    routers = {config.name: ToolRouter() for config in configs}
    started = [managers([config], routers[config.name]) for config in configs]
    for manager in started:
        manager.start()
    for manager in started:
        assert await manager.wait_ready(30)

    spec = routers["plain"].get("mcp__plain__echo")
    assert spec.requires_approval({"text": "x"})
    preview = await spec.preview({"text": "x"})
    assert preview.details["MCP server"] == "plain"
    assert preview.details["Tool"] == "echo"
    assert '"text": "x"' in preview.details["Arguments"]
    assert "mcp_test_server.py" in preview.details["Server"] and preview.details["Configured in"] == "config"
    assert preview.details["Server's hints"] == "read-only"
    assert not spec.read_only  # a hint from an untrusted server is not trusted

    assert not routers["trusty"].get("mcp__trusty__slow").requires_approval({"seconds": 1})
    assert routers["trusty"].get("mcp__trusty__echo").read_only
    assert not routers["globbed"].get("mcp__globbed__echo").requires_approval({})
    assert not routers["globbed"].get("mcp__globbed__add").requires_approval({})
    assert routers["globbed"].get("mcp__globbed__slow").requires_approval({})
    assert not any(s.requires_approval({}) for s in routers["all"].specs())


async def test_stdio_server_gets_a_minimal_environment(managers: Managers, recorder: Recorder) -> None:
    router, _ = await connected(managers, env={"CONFIGURED_API_KEY": "given", "MCP_TEST_LOG": "/dev/null"})
    environ = (await router.execute("mcp__srv__environ", {}, recorder.ctx())).structured
    assert environ["CONFIGURED_API_KEY"] == "given"
    assert environ["PATH"] == managers.env["PATH"] and environ["HOME"] == managers.env["HOME"]
    leaked = [k for k in environ if k.endswith("_API_KEY") and k != "CONFIGURED_API_KEY"]
    assert leaked == [] and "HF_TOKEN" not in environ


async def test_inherit_env_passes_the_whole_environment(managers: Managers, recorder: Recorder) -> None:
    router, _ = await connected(managers, inherit_env=True)
    environ = (await router.execute("mcp__srv__environ", {}, recorder.ctx())).structured
    assert environ["SOME_SERVICE_API_KEY"] == "service-secret" and environ["HF_TOKEN"] == "hf_kernel_secret"


@pytest.mark.parametrize("protocol", ["auto", "legacy"])
async def test_list_changed_updates_the_router_before_the_call_returns(
    managers: Managers, recorder: Recorder, protocol: str
) -> None:
    router, manager = await connected(managers, protocol=protocol)
    changes: list[str] = []
    router.on_change(lambda: changes.append("changed"))
    added = await router.execute("mcp__srv__add_tool", {"name": "greet"}, recorder.ctx())
    assert added.ok
    assert "mcp__srv__greet" in router  # registered before the next model call could read the tools
    assert changes
    hello = await router.execute("mcp__srv__greet", {}, recorder.ctx())
    assert hello.output == "hello from greet"
    assert any("changed its tools: +greet" in n for n in managers.notices)

    removed = await router.execute("mcp__srv__remove_tool", {"name": "greet"}, recorder.ctx())
    assert removed.ok and "mcp__srv__greet" not in router
    assert "mcp__srv__greet" not in manager.status()[0].tools


@pytest.mark.parametrize("protocol", ["auto", "legacy"])
async def test_cancelling_a_call_returns_promptly_and_keeps_the_connection(
    managers: Managers, recorder: Recorder, tmp_path: Path, protocol: str
) -> None:
    log = tmp_path / "server.log"
    router, manager = await connected(managers, protocol=protocol, env={"MCP_TEST_LOG": str(log)})
    call = asyncio.create_task(router.execute("mcp__srv__slow", {"seconds": 60}, recorder.ctx()))
    await eventually(lambda: recorder.logs != [], 20, "the first progress line")
    started = time.perf_counter()
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert time.perf_counter() - started < 2.0  # the issue asks for under a second; typically a few ms
    await eventually(lambda: "cancelled slow" in read_log(log), 10, "the server to see the cancellation")
    echo = await router.execute("mcp__srv__echo", {"text": "after"}, recorder.ctx())
    assert echo.ok and echo.output == "after" and manager.status()[0].state == "connected"


async def test_per_server_timeout_cancels_the_call(managers: Managers, recorder: Recorder, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    router, _ = await connected(managers, timeout=0.5, env={"MCP_TEST_LOG": str(log)})
    result = await router.execute("mcp__srv__slow", {"seconds": 30}, recorder.ctx())
    assert not result.ok and "did not finish within 0.5 s" in result.output and "`srv`" in result.output
    await eventually(lambda: "cancelled slow" in read_log(log), 10, "the server to see the cancellation")
    assert (await router.execute("mcp__srv__echo", {"text": "ok"}, recorder.ctx())).ok


async def test_project_servers_start_only_with_consent(managers: Managers, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    asked: list[str] = []

    async def consent(config: McpServerConfig) -> bool:
        asked.append(config.name)
        return config.name == "allowed"

    origin = str(tmp_path / ".mcp.json")
    configs = [
        dataclasses.replace(stdio_config(name, env={"MCP_TEST_LOG": str(log)}), scope="project", origin=origin)
        for name in ("allowed", "refused")
    ]
    configs.append(stdio_config("mine", env={"MCP_TEST_LOG": str(log)}))  # scope "config": never asked
    manager = managers(configs, consent=consent)
    manager.start()
    assert await manager.wait_ready(30)
    states = {s.name: (s.state, s.detail) for s in manager.status()}
    assert states["allowed"][0] == states["mine"][0] == "connected"
    assert states["refused"][0] == "declined" and origin in states["refused"][1]
    assert sorted(asked) == ["allowed", "refused"]
    assert len([line for line in read_log(log) if line.startswith("start")]) == 2  # the refused one never ran


async def test_auto_falls_back_to_the_handshake_with_a_handwritten_legacy_server(
    managers: Managers, recorder: Recorder
) -> None:
    script = Path(__file__).with_name("legacy_server.py")
    router = ToolRouter()
    config = McpServerConfig(name="old", transport="stdio", command=sys.executable, args=(str(script),))
    manager = managers([config], router)
    manager.start()
    assert await manager.wait_ready(30)
    status = manager.status()[0]
    assert status.state == "connected" and status.protocol_version == "2025-06-18", status.detail
    spec = router.get("mcp__old__shout")
    jsonschema.Draft202012Validator.check_schema(spec.parameters)  # the draft-07 schema was repaired
    assert "prefixItems" in spec.parameters["properties"]["pair"] and "$schema" not in spec.parameters
    assert router.validate("mcp__old__shout", {"text": "hi", "pair": ["a", 1]}) is None
    assert router.validate("mcp__old__shout", {"pair": ["a", 1]}) is not None
    result = await router.execute("mcp__old__shout", {"text": "quiet"}, recorder.ctx())
    assert result.ok and result.output == "QUIET"


async def test_a_server_without_tools_connects_with_none(managers: Managers) -> None:
    script = Path(__file__).with_name("legacy_server.py")
    config = McpServerConfig(name="docs", transport="stdio", command=sys.executable, args=(str(script), "--no-tools"))
    manager = managers([config])
    manager.start()
    assert await manager.wait_ready(30)
    status = manager.status()[0]
    assert (status.state, status.tools) == ("connected", ()), status.detail

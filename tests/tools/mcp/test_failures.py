"""Servers that fail: never start, exit at once, hang, crash mid-session; reconnects and backoff."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import time
import warnings
from pathlib import Path

import pytest

from ml_intern_jupyter.tools.mcp import McpServerConfig
from ml_intern_jupyter.tools.spec import ToolRouter

from .conftest import Managers, Recorder, eventually, read_log, stdio_config


def state_of(manager: object, name: str) -> str:
    return next(s.state for s in manager.status() if s.name == name)  # type: ignore[attr-defined]


def detail_of(manager: object, name: str) -> str:
    return next(s.detail for s in manager.status() if s.name == name)  # type: ignore[attr-defined]


async def test_a_hung_server_never_delays_start_or_the_healthy_servers(managers: Managers, recorder: Recorder) -> None:
    router = ToolRouter()
    manager = managers([stdio_config("hung", mode="hang", connect_timeout=60), stdio_config("good")], router)
    started = time.perf_counter()
    manager.start()
    assert time.perf_counter() - started < 0.5  # start() only schedules the connections
    assert state_of(manager, "hung") == state_of(manager, "good") == "connecting"
    await eventually(lambda: "mcp__good__echo" in router, 30, "the healthy server's tools")
    result = await router.execute("mcp__good__echo", {"text": "not blocked"}, recorder.ctx())
    assert result.ok and result.output == "not blocked"
    assert state_of(manager, "hung") == "connecting"  # still waiting for its handshake
    assert not await manager.wait_ready(0.2)
    assert not any(name.startswith("mcp__hung__") for name in router.names())


async def test_a_server_that_never_answers_fails_after_its_connect_timeout(managers: Managers) -> None:
    manager = managers([stdio_config("hung", mode="hang", connect_timeout=1)])
    manager.start()
    assert await manager.wait_ready(30)
    assert state_of(manager, "hung") == "failed"
    assert "did not answer within 1 s" in detail_of(manager, "hung")
    assert any("`hung` could not start" in n for n in managers.notices)


async def test_a_missing_command_is_a_failed_server_not_an_exception(managers: Managers) -> None:
    gone = McpServerConfig(name="gone", transport="stdio", command="/no/such/mcp-server")
    manager = managers([stdio_config("ok"), gone])
    manager.start()
    assert await manager.wait_ready(30)
    assert state_of(manager, "gone") == "failed" and "command not found: /no/such/mcp-server" in detail_of(
        manager, "gone"
    )
    assert state_of(manager, "ok") == "connected"


async def test_a_server_that_exits_at_start_reports_its_stderr(managers: Managers, tmp_path: Path) -> None:
    flag = tmp_path / "refuse"
    flag.touch()
    manager = managers([stdio_config("refuses", env={"MCP_TEST_FAIL_FLAG": str(flag)})])
    manager.start()
    assert await manager.wait_ready(30)
    assert state_of(manager, "refuses") == "failed"
    assert "refusing to start (fail flag present)" in detail_of(manager, "refuses")


async def crashed(managers: Managers, recorder: Recorder, tmp_path: Path, **kw: object) -> tuple[ToolRouter, object]:
    """A connected server whose process was then killed (SIGKILL)."""
    env = {"MCP_TEST_LOG": str(tmp_path / "server.log"), "MCP_TEST_FAIL_FLAG": str(tmp_path / "refuse")}
    router = ToolRouter()
    manager = managers([stdio_config("crashy", env=env), stdio_config("other")], router, **kw)
    manager.start()
    assert await manager.wait_ready(30)
    pid = (await router.execute("mcp__crashy__pid", {}, recorder.ctx())).structured["result"]
    os.kill(pid, signal.SIGKILL)
    await eventually(lambda: state_of(manager, "crashy") == "disconnected", 20, "the crash to be noticed")
    return router, manager


async def test_a_crash_mid_call_is_an_error_result_and_the_others_keep_working(
    managers: Managers, recorder: Recorder
) -> None:
    router = ToolRouter()
    manager = managers([stdio_config("crashy"), stdio_config("other")], router)
    manager.start()
    assert await manager.wait_ready(30)
    pid = (await router.execute("mcp__crashy__pid", {}, recorder.ctx())).structured["result"]
    call = asyncio.create_task(router.execute("mcp__crashy__slow", {"seconds": 60}, recorder.ctx()))
    await eventually(lambda: recorder.logs != [], 20, "the slow call to start")
    os.kill(pid, signal.SIGKILL)
    result = await asyncio.wait_for(call, 10)
    assert not result.ok and "MCP server `crashy`" in result.output
    assert (await router.execute("mcp__other__echo", {"text": "fine"}, recorder.ctx())).output == "fine"
    await eventually(lambda: state_of(manager, "crashy") == "disconnected", 20, "the crash to be noticed")
    assert "mcp__crashy__echo" in router  # the tools stay listed: the next call reconnects
    assert any("`crashy` disconnected" in n for n in managers.notices)


async def test_the_next_call_reconnects_a_crashed_server(
    managers: Managers, recorder: Recorder, tmp_path: Path
) -> None:
    router, manager = await crashed(managers, recorder, tmp_path)
    result = await router.execute("mcp__crashy__echo", {"text": "back"}, recorder.ctx())
    assert result.ok and result.output == "back"
    assert state_of(manager, "crashy") == "connected"
    assert len([line for line in read_log(tmp_path / "server.log") if line.startswith("start")]) == 2


async def test_reconnect_brings_a_crashed_server_back(managers: Managers, recorder: Recorder, tmp_path: Path) -> None:
    router, manager = await crashed(managers, recorder, tmp_path)
    status = await manager.reconnect("crashy")  # type: ignore[attr-defined]
    assert status.state == "connected" and "mcp__crashy__echo" in status.tools
    assert (await router.execute("mcp__crashy__echo", {"text": "again"}, recorder.ctx())).output == "again"
    with pytest.raises(KeyError, match="no MCP server named `nope`"):
        await manager.reconnect("nope")  # type: ignore[attr-defined]


async def test_reconnect_attempts_back_off_then_give_up(managers: Managers, recorder: Recorder, tmp_path: Path) -> None:
    router, manager = await crashed(managers, recorder, tmp_path, reconnect_delays=(0.0, 1.5, 1.5))
    log, flag = tmp_path / "server.log", tmp_path / "refuse"
    flag.touch()  # the server now refuses to start

    def starts() -> int:
        return len([line for line in read_log(log) if line.startswith("start")])

    first = await router.execute("mcp__crashy__echo", {"text": "x"}, recorder.ctx())
    assert not first.ok and "MCP server `crashy` is unavailable" in first.output and "refusing to start" in first.output
    assert starts() == 2
    began = time.perf_counter()
    second = await router.execute("mcp__crashy__echo", {"text": "x"}, recorder.ctx())
    assert time.perf_counter() - began < 0.5 and "next reconnect attempt in 2 s" in second.output
    assert starts() == 2  # no attempt inside the backoff

    flag.unlink()
    await asyncio.sleep(1.6)
    third = await router.execute("mcp__crashy__echo", {"text": "recovered"}, recorder.ctx())
    assert third.ok and third.output == "recovered" and starts() == 3

    os.kill((await router.execute("mcp__crashy__pid", {}, recorder.ctx())).structured["result"], signal.SIGKILL)
    await eventually(lambda: state_of(manager, "crashy") == "disconnected", 20, "the second crash")
    flag.touch()
    for wait in (0.0, 1.6, 1.6):
        await asyncio.sleep(wait)
        assert not (await router.execute("mcp__crashy__echo", {"text": "x"}, recorder.ctx())).ok
    assert state_of(manager, "crashy") == "failed" and "gave up after 3 reconnect attempts" in detail_of(
        manager, "crashy"
    )
    assert not any(name.startswith("mcp__crashy__") for name in router.names())  # the agent carries on without
    assert "mcp__other__echo" in router

    flag.unlink()
    assert (await manager.reconnect("crashy")).state == "connected"  # type: ignore[attr-defined]
    assert "mcp__crashy__echo" in router


async def test_aclose_ends_every_process_and_task_cleanly(managers: Managers, recorder: Recorder) -> None:
    router = ToolRouter()
    manager = managers([stdio_config("one"), stdio_config("two"), stdio_config("hung", mode="hang")], router)
    gc.collect()  # garbage of earlier tests must not warn inside the block below
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        manager.start()
        await eventually(lambda: "mcp__one__pid" in router and "mcp__two__pid" in router, 30, "two servers")
        pids = [
            (await router.execute(f"mcp__{n}__pid", {}, recorder.ctx())).structured["result"] for n in ("one", "two")
        ]
        await manager.aclose()
        gc.collect()
    assert [w for w in caught if issubclass(w.category, ResourceWarning | RuntimeWarning)] == []
    assert router.names() == []
    assert all(s.state == "closed" for s in manager.status())
    leftovers = [t for t in asyncio.all_tasks() if t.get_name().startswith("mcp-server:") and not t.done()]
    assert leftovers == []
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)

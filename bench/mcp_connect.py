"""The MCP client's costs, measured in one run.

(a) Connecting 5 stdio servers (the test server, a Python process each): concurrently through
    one ``McpManager`` (``start()`` + ``wait_ready()``) against one after another (a manager per
    server, each awaited before the next). Rounds interleave; medians and their ratio.
(b) Latency of one call to the server's ``echo`` tool, median of N, interleaved:
    - the tool's Python function called directly;
    - ``MCPServer.call_tool`` in-process (the server framework, no transport);
    - a raw SDK ``Client.call_tool`` over stdio (the SDK and the pipe);
    - ``ToolRouter.execute("mcp__bench__echo")`` through this package (what the agent pays).
    The added latency is the last minus the first; this package's own share is the last minus
    the raw SDK call.

    python bench/mcp_connect.py [--rounds 3] [--calls 300]

Prints a report and writes bench/results/mcp_connect.json.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

# Run as a script, this file's directory comes first on sys.path and its name shadows the SDK.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

from mcp import Client, StdioServerParameters

from ml_intern_jupyter.tools.mcp import McpManager, McpServerConfig
from ml_intern_jupyter.tools.spec import ToolContext, ToolRouter

ROOT = Path(__file__).resolve().parents[1]
SERVER_SCRIPT = ROOT / "tests" / "tools" / "mcp" / "mcp_test_server.py"
RESULTS = ROOT / "bench" / "results" / "mcp_connect.json"
SERVERS = 5


def server_config(name: str) -> McpServerConfig:
    return McpServerConfig(name=name, transport="stdio", command=sys.executable, args=(str(SERVER_SCRIPT), "stdio"))


async def connect_concurrently(names: list[str]) -> float:
    router = ToolRouter()
    manager = McpManager([server_config(n) for n in names], router, env=os.environ)
    started = time.perf_counter()
    manager.start()
    assert await manager.wait_ready(120) and all(s.state == "connected" for s in manager.status())
    elapsed = time.perf_counter() - started
    await manager.aclose()
    return elapsed


async def connect_sequentially(names: list[str]) -> float:
    managers = []
    started = time.perf_counter()
    for name in names:
        manager = McpManager([server_config(name)], ToolRouter(), env=os.environ)
        manager.start()
        assert await manager.wait_ready(120) and manager.status()[0].state == "connected"
        managers.append(manager)
    elapsed = time.perf_counter() - started
    await asyncio.gather(*(m.aclose() for m in managers))
    return elapsed


async def bench_connect(rounds: int) -> dict[str, Any]:
    concurrent, sequential = [], []
    names = [f"s{i}" for i in range(SERVERS)]
    for _ in range(rounds):
        concurrent.append(await connect_concurrently(names))
        sequential.append(await connect_sequentially(names))
    c, s = statistics.median(concurrent), statistics.median(sequential)
    return {
        "servers": SERVERS,
        "rounds": rounds,
        "concurrent_s": round(c, 3),
        "sequential_s": round(s, 3),
        "sequential_over_concurrent": round(s / c, 2),
        "concurrent_all_s": [round(x, 3) for x in concurrent],
        "sequential_all_s": [round(x, 3) for x in sequential],
    }


def load_test_server() -> Any:
    spec = importlib.util.spec_from_file_location("mcp_test_server", SERVER_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_server("in-process")


async def timed(call: Any) -> float:
    started = time.perf_counter()
    await call()
    return time.perf_counter() - started


async def bench_calls(n: int) -> dict[str, Any]:
    server = load_test_server()
    echo_fn = server._tool_manager.get_tool("echo").fn  # the tool's own function

    async def direct() -> None:
        echo_fn(text="ping")

    async def in_process() -> None:
        await server.call_tool("echo", {"text": "ping"})

    router = ToolRouter()
    manager = McpManager([server_config("bench")], router, env=os.environ)
    manager.start()
    assert await manager.wait_ready(60)
    ctx = ToolContext(tool_call_id="bench", name="mcp__bench__echo")

    async def ours() -> None:
        result = await router.execute("mcp__bench__echo", {"text": "ping"}, ctx)
        assert result.ok

    params = StdioServerParameters(command=sys.executable, args=[str(SERVER_SCRIPT), "stdio"])
    samples: dict[str, list[float]] = {"direct": [], "in_process": [], "raw_sdk": [], "ours": []}
    async with Client(params, cache=None) as client:

        async def raw() -> None:
            await client.call_tool("echo", {"text": "ping"})

        calls = {"direct": direct, "in_process": in_process, "raw_sdk": raw, "ours": ours}
        for _ in range(20):  # warm up
            for call in calls.values():
                await call()
        for _ in range(n):
            for key, call in calls.items():
                samples[key].append(await timed(call))
    await manager.aclose()
    medians_ms = {key: statistics.median(values) * 1000 for key, values in samples.items()}
    return {
        "calls": n,
        "median_ms": {key: round(value, 4) for key, value in medians_ms.items()},
        "added_latency_ms": round(medians_ms["ours"] - medians_ms["direct"], 3),
        "this_package_over_raw_sdk_ms": round(medians_ms["ours"] - medians_ms["raw_sdk"], 3),
    }


def report(results: dict[str, Any]) -> str:
    c, k = results["connect"], results["calls"]
    lines = [
        f"connect {c['servers']} stdio servers: concurrent {c['concurrent_s']:.2f} s, "
        f"one after another {c['sequential_s']:.2f} s -> {c['sequential_over_concurrent']:.2f}x faster "
        f"(median of {c['rounds']} rounds)",
        f"one echo call, median of {k['calls']}:",
        *(f"  {key:<11} {value:8.3f} ms" for key, value in k["median_ms"].items()),
        f"  added latency per MCP call (ours - direct): {k['added_latency_ms']:.3f} ms; "
        f"this package over the raw SDK client: {k['this_package_over_raw_sdk_ms']:.3f} ms",
    ]
    return "\n".join(lines)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    results = {
        "connect": await bench_connect(args.rounds),
        "calls": await bench_calls(args.calls),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(report(results))
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    asyncio.run(main())

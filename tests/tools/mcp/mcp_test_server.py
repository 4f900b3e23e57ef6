"""A real MCP server for the tests, written with the SDK's server API.

    python mcp_test_server.py stdio
    python mcp_test_server.py http --port N [--capture FILE] [--require-bearer TOKEN]
    python mcp_test_server.py sse --port N
    python mcp_test_server.py hang          # a stdio process that never answers

Environment it reads (set through the server's ``env`` config, which is itself under test):
``MCP_TEST_LOG`` (a file it appends events to: ``start <pid>``, ``cancelled <tool>``) and
``MCP_TEST_FAIL_FLAG`` (if that file exists the server exits at once with an error on stderr).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.utilities.types import Image
from mcp.shared.exceptions import MCPError
from mcp_types import EmbeddedResource, TextContent, TextResourceContents, ToolAnnotations

# A 1x1 red PNG.
PNG_BYTES = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)


def log_event(line: str) -> None:
    """Append one line to ``$MCP_TEST_LOG`` (if set)."""
    path = os.environ.get("MCP_TEST_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(line + "\n")


def build_server(name: str = "test-server") -> MCPServer:
    """The server: echo, add (structured), image, resource, fail, protocol_error, slow, environ, pid, tool changes."""
    mcp = MCPServer(name, log_level="WARNING")
    add_result_tools(mcp)
    add_behaviour_tools(mcp)
    return mcp


def add_result_tools(mcp: MCPServer) -> None:
    """Tools returning each kind of result: text, structured, image, resource, tool error, protocol error."""

    @mcp.tool(annotations=ToolAnnotations(read_only_hint=True))
    def echo(text: str) -> str:
        """Return the text unchanged."""
        return text

    @mcp.tool()
    def add(a: int, b: int) -> dict[str, int]:
        """Add two integers (structured result)."""
        return {"sum": a + b}

    @mcp.tool()
    def image() -> Image:
        """A 1x1 red PNG."""
        return Image(data=PNG_BYTES, format="png")

    @mcp.tool()
    def resource() -> list[Any]:
        """A text block and an embedded text resource."""
        contents = TextResourceContents(uri="memo://note", text="the note body", mime_type="text/plain")
        return [TextContent(type="text", text="see the note"), EmbeddedResource(type="resource", resource=contents)]

    @mcp.tool()
    def fail(message: str) -> str:
        """Always fails with the given message (a tool error, isError=true)."""
        raise ToolError(message)

    @mcp.tool()
    def protocol_error() -> str:
        """Answers with a JSON-RPC error instead of a result."""
        raise MCPError(code=-32050, message="the server refused this request")


def add_behaviour_tools(mcp: MCPServer) -> None:
    """Tools that take time, describe the process, or change the tool list."""

    @mcp.tool()
    async def slow(seconds: float, ctx: Context) -> str:
        """Sleep for `seconds`, reporting progress ten times."""
        try:
            for step in range(1, 11):
                await asyncio.sleep(seconds / 10)
                await ctx.report_progress(step, 10, f"step {step}")
        except asyncio.CancelledError:
            log_event("cancelled slow")
            raise
        return f"slept {seconds}"

    @mcp.tool()
    def environ() -> dict[str, str]:
        """The server process's environment."""
        return dict(os.environ)

    @mcp.tool()
    def pid() -> int:
        """The server's process id."""
        return os.getpid()

    @mcp.tool()
    async def add_tool(name: str, ctx: Context) -> str:
        """Add a tool called `name` (it returns "hello from <name>") and announce the change."""

        def dynamic() -> str:
            return f"hello from {name}"

        mcp.add_tool(dynamic, name=name, description=f"A tool added at runtime ({name}).")
        await announce(ctx)
        return f"added {name}"

    @mcp.tool()
    async def remove_tool(name: str, ctx: Context) -> str:
        """Remove the tool called `name` and announce the change."""
        mcp.remove_tool(name)
        await announce(ctx)
        return f"removed {name}"


async def announce(ctx: Context) -> None:
    """Tell both protocol eras that the tool list changed."""
    await ctx.notify_tools_changed()  # 2026-07-28 clients: subscriptions/listen streams
    with contextlib.suppress(Exception):  # a modern connection has no such channel
        await ctx.session.send_tool_list_changed()  # handshake-era clients


def capture_app(app: Any, capture: Path) -> Any:
    """Wrap an ASGI app so every HTTP request's headers are appended to ``capture`` as JSON lines."""

    async def wrapped(scope: dict, receive: Any, send: Any) -> None:
        if scope.get("type") == "http":
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
            with capture.open("a", encoding="utf-8") as f:
                f.write(json.dumps({"path": scope.get("path"), "headers": headers}) + "\n")
        await app(scope, receive, send)

    return wrapped


def require_bearer(app: Any, token: str) -> Any:
    """Wrap an ASGI app so HTTP requests without ``Authorization: Bearer <token>`` get a 401."""
    expected = f"Bearer {token}".encode()

    async def wrapped(scope: dict, receive: Any, send: Any) -> None:
        if scope.get("type") == "http" and dict(scope.get("headers", [])).get(b"authorization") != expected:
            await send({"type": "http.response.start", "status": 401, "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"unauthorized"})
            return
        await app(scope, receive, send)

    return wrapped


def run_http(mode: str, port: int, capture: Path | None, bearer: str | None) -> None:
    """Serve streamable HTTP (``/mcp``) or SSE (``/sse``) on 127.0.0.1:port until killed."""
    import uvicorn

    server = build_server(f"test-{mode}-server")
    app: Any = server.streamable_http_app() if mode == "http" else server.sse_app()
    if bearer is not None:
        app = require_bearer(app, bearer)
    if capture is not None:
        app = capture_app(app, capture)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["stdio", "http", "sse", "hang"])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--capture", type=Path, default=None)
    parser.add_argument("--require-bearer", default=None)
    args = parser.parse_args()
    log_event(f"start {os.getpid()}")
    flag = os.environ.get("MCP_TEST_FAIL_FLAG")
    if flag and Path(flag).exists():
        print("test server: refusing to start (fail flag present)", file=sys.stderr, flush=True)
        sys.exit(3)
    if args.mode == "hang":
        for _ in sys.stdin.buffer:  # reads requests, never answers; gone with its client (stdin closed)
            pass
        return
    if args.mode in ("http", "sse"):
        run_http(args.mode, args.port, args.capture, args.require_bearer)
    else:
        build_server().run()


if __name__ == "__main__":
    main()

"""What a failed MCP call tells the model, and progress notifications as ``ctx.log`` lines."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from mcp.shared.exceptions import MCPError
from mcp_types import CONNECTION_CLOSED, REQUEST_TIMEOUT

from ..spec import ToolContext, ToolResult
from .errors import describe_error

ProgressCallback = Callable[[float, float | None, str | None], Awaitable[None]]


def progress_line(progress: float, total: float | None, message: str | None) -> str:
    """``step 3 (3/10)``, ``downloading (42)`` or ``progress 3/10``."""
    amount = f"{progress:g}/{total:g}" if total is not None else f"{progress:g}"
    return f"{message} ({amount})" if message else f"progress {amount}"


def progress_logger(ctx: ToolContext) -> ProgressCallback:
    """A progress callback that writes each notification as one ``ctx.log`` line."""

    async def report(progress: float, total: float | None, message: str | None) -> None:
        ctx.log(progress_line(progress, total, message))

    return report


def unavailable(server: str, why: str) -> ToolResult:
    """The result of a call to a server that is not connected."""
    return ToolResult(output=f"MCP server `{server}` is unavailable: {why}", ok=False)


def call_failed(server: str, tool: str, exc: BaseException, timeout: float | None) -> ToolResult:
    """A failed call (protocol error, timeout, lost connection, bad result) as a clear error result."""
    if isinstance(exc, MCPError) and exc.error.code == REQUEST_TIMEOUT:
        text = (
            f"MCP server `{server}`: `{tool}` did not finish within {timeout:g} s (the server's `timeout` "
            "setting); the call was cancelled."
        )
    elif isinstance(exc, MCPError) and exc.error.code == CONNECTION_CLOSED:
        text = (
            f"MCP server `{server}` lost the connection during `{tool}` ({exc.error.message}); the call may or "
            "may not have completed. The server reconnects on the next call."
        )
    elif isinstance(exc, MCPError):
        text = f"MCP server `{server}` answered `{tool}` with a protocol error: {describe_error(exc)}"
    else:
        text = f"MCP server `{server}`: the call to `{tool}` failed: {describe_error(exc)}"
    return ToolResult(output=text, ok=False)

"""Short, readable descriptions of what went wrong with a server (for results, notices, the status)."""

from __future__ import annotations

import httpx2
from mcp.shared.exceptions import MCPError


def first_cause(exc: BaseException) -> BaseException:
    """The first real error inside (nested) exception groups, preferring errors over cancellations."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        errors = [e for e in exc.exceptions if isinstance(e, Exception)]
        exc = (errors or list(exc.exceptions))[0]
    return exc


def describe_error(exc: BaseException) -> str:
    """One line: what failed and why, without a traceback."""
    cause = first_cause(exc)
    if isinstance(cause, MCPError):
        return f"{cause.error.message} (MCP error {cause.error.code})"
    if isinstance(cause, FileNotFoundError):
        return f"command not found: {cause.filename or cause}"
    if isinstance(cause, PermissionError):
        return f"permission denied: {cause.filename or cause}"
    if isinstance(cause, httpx2.HTTPStatusError):
        return f"HTTP {cause.response.status_code} from {cause.request.url}"
    if isinstance(cause, httpx2.ConnectError):
        return f"cannot connect: {cause}"
    if isinstance(cause, httpx2.TransportError):
        return f"{type(cause).__name__}: {cause or 'the connection failed'}"
    text = str(cause).strip()
    return f"{type(cause).__name__}: {text}" if text else type(cause).__name__

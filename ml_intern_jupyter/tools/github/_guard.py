"""Every GitHub tool handler returns ``ToolResult(ok=False)`` on failure; cancellation propagates."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from ..spec import ToolContext, ToolResult
from .client import GitHubError

Handler = Callable[[dict[str, Any], ToolContext], Awaitable[ToolResult]]


def guarded(handler: Handler) -> Handler:
    """``handler`` with :class:`GitHubError` and any other exception turned into a failed result."""

    async def run(arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        try:
            return await handler(arguments, ctx)
        except asyncio.CancelledError:
            raise
        except GitHubError as exc:
            return ToolResult(str(exc), ok=False)
        except (ValueError, TypeError) as exc:
            return ToolResult(f"Invalid argument: {exc}", ok=False)
        except Exception as exc:  # a bug or an unexpected answer must not end the turn
            return ToolResult(f"GitHub tool failed: {type(exc).__name__}: {exc}", ok=False)

    return run

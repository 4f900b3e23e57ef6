"""Keeping one server's tools current: ``tools/list`` and the tool-list-changed notifications.

Handshake-era servers send ``notifications/tools/list_changed`` on the connection; 2026-07-28
servers send it only on a ``subscriptions/listen`` stream, which is opened when the server says
it announces changes. Either way the tools are listed again and the router updated; a change
announced during a call is applied before that call returns (:meth:`ToolChanges.settle`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import anyio
import mcp_types as types
from mcp import Client
from mcp.client.subscriptions import ListenNotSupportedError, SubscriptionLost
from mcp.shared.exceptions import MCPError
from mcp_types import METHOD_NOT_FOUND
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from .errors import describe_error
from .tool_set import ServerTools

MAX_LIST_PAGES = 100
REFRESH_WAIT_SECONDS = 5.0
RELISTEN_SECONDS = 5.0


async def list_all_tools(client: Client) -> list[types.Tool]:
    """Every page of ``tools/list`` ([] for a server without tools, e.g. one offering only resources)."""
    tools: list[types.Tool] = []
    cursor: str | None = None
    for _ in range(MAX_LIST_PAGES):
        try:
            page = await client.list_tools(cursor=cursor)
        except MCPError as exc:
            if exc.error.code == METHOD_NOT_FOUND:
                return tools
            raise
        tools.extend(page.tools)
        cursor = page.next_cursor
        if cursor is None:
            break
    return tools


class ToolChanges:
    """Follows one server's tool-list changes and applies them to its :class:`ServerTools`."""

    def __init__(
        self,
        server: str,
        tools: ServerTools,
        notice: Callable[[str], None],
        notes: list[str],
        drop: Callable[[str], None],
    ) -> None:
        self._server = server
        self._tools = tools
        self._notice = notice
        self._notes = notes  # the connection's notes (shown in the status)
        self._drop = drop  # ends the session when the notification stream breaks
        self._pending = asyncio.Event()
        self._lock = asyncio.Lock()
        self._transport_error: str | None = None

    @property
    def notes(self) -> tuple[str, ...]:
        """The last transport error the session reported, if any."""
        return (self._transport_error,) if self._transport_error else ()

    async def on_message(self, message: Any) -> None:
        """The SDK session's ``message_handler``."""
        if isinstance(message, types.ToolListChangedNotification):
            self._pending.set()
        elif isinstance(message, Exception):
            self._transport_error = f"last transport error: {describe_error(message)}"

    async def follow(self, client: Client) -> None:
        """Apply changes as they are announced, until cancelled (runs in the connection's task group)."""
        async with anyio.create_task_group() as tasks:
            announces = client.server_capabilities.tools and client.server_capabilities.tools.list_changed
            if announces and client.protocol_version in MODERN_PROTOCOL_VERSIONS:
                tasks.start_soon(self._listen, client)
            while True:
                await self._pending.wait()
                await self._apply(client)

    async def settle(self, client: Client) -> None:
        """After a call: apply a change it announced, so the next model call sees the new tools."""
        await asyncio.sleep(0)
        if self._pending.is_set() or self._lock.locked():
            with anyio.move_on_after(REFRESH_WAIT_SECONDS):
                await self._apply(client)

    async def _listen(self, client: Client) -> None:
        """A ``subscriptions/listen`` stream: reopened after a graceful end; a broken one drops the session."""
        while True:
            try:
                async with client.listen(tools_list_changed=True) as subscription:
                    async for _ in subscription:
                        self._pending.set()
            except SubscriptionLost:
                self._drop("the server's notification stream broke (the server went away?)")
                return
            except (ListenNotSupportedError, MCPError, TimeoutError) as exc:
                self._notes.append(f"no tool-change notifications: {describe_error(exc)}")
                return
            await anyio.sleep(RELISTEN_SECONDS)

    async def _apply(self, client: Client) -> None:
        async with self._lock:
            if not self._pending.is_set():
                return
            self._pending.clear()
            try:
                added, removed = self._tools.update(await list_all_tools(client))
            except Exception as exc:
                self._notes.append(f"re-listing tools failed: {describe_error(exc)}")
                return
        if added or removed:
            change = ", ".join([*(f"+{t}" for t in added), *(f"-{t}" for t in removed)])
            self._notice(f"MCP server `{self._server}` changed its tools: {change}.")

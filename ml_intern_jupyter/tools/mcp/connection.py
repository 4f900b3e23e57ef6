"""One MCP server: a long-lived task that owns its SDK client, its tools in the router, its calls.

The SDK's context managers (transport, session) are anyio-scoped: they are entered and exited
by this connection's own task. Calls come from the callers' tasks and go through the open
client. Lifecycle and dead-server policy are described in the package docstring.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import anyio
import mcp_types as types
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import CONNECTION_CLOSED

from ... import __version__
from ..spec import ToolContext, ToolResult, ToolRouter
from .calls import call_failed, progress_logger, unavailable
from .changes import ToolChanges, list_all_tools
from .config import McpServerConfig
from .credentials import TokenSource, sends_hf_token
from .errors import describe_error
from .results import convert_result
from .status import ServerStatus, State
from .stderr import StderrTail
from .tool_set import ServerTools
from .transports import open_transport, watched

CLIENT_INFO = types.Implementation(name="ml-intern-jupyter", version=__version__)
DEFAULT_RECONNECT_DELAYS: tuple[float, ...] = (0.0, 2.0, 8.0)
"""Seconds to wait before each reconnect attempt after a lost connection; then give up."""
STOP_GRACE_SECONDS = 10.0

Consent = Callable[[McpServerConfig], Awaitable[bool]]


@dataclass(frozen=True)
class ConnectionSettings:
    """What every connection of a manager shares."""

    env: Mapping[str, str]
    hf_token: TokenSource | None
    notice: Callable[[str], None]
    consent: Consent | None = None
    reconnect_delays: tuple[float, ...] = DEFAULT_RECONNECT_DELAYS


class McpConnection:
    """One configured server, from its first connect to ``aclose()``."""

    def __init__(self, config: McpServerConfig, router: ToolRouter, settings: ConnectionSettings) -> None:
        self.config = config
        self._settings = settings
        self._tools = ServerTools(config, router, self.call)
        self.state: State = "pending"
        self.detail = "not started"
        self.protocol_version: str | None = None
        self._client: Client | None = None
        self._task: asyncio.Task[None] | None = None
        self._settled = asyncio.Event()
        self._ended: anyio.Event | None = None
        self._lost_reason: str | None = None
        self._http_problem: str | None = None
        self._scope: anyio.CancelScope | None = None
        self._stopping = False
        self._ever_connected = False
        self._failures = 0
        self._retry_at = 0.0
        self._attempt_lock = asyncio.Lock()
        self._notes: list[str] = []
        self._changes = ToolChanges(config.name, self._tools, settings.notice, self._notes, self._drop)
        self._consent: bool | None = None

    # ------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Connect in a background task (no-op while a connection task runs)."""
        if self._task is not None and not self._task.done():
            return
        self._stopping = False
        self._settled.clear()
        self.state, self.detail = "connecting", ""
        self._task = asyncio.get_running_loop().create_task(self._run(), name=f"mcp-server:{self.config.name}")

    async def wait_settled(self, timeout: float | None = None) -> bool:
        """Wait until the current attempt connected or failed; False on timeout."""
        try:
            await asyncio.wait_for(self._settled.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def stop(self) -> None:
        """End the connection task (closing the session and any stdio process) and wait for it."""
        task = self._task
        if task is None or task.done():
            return
        self._stopping = True
        if self._ended is not None:
            self._ended.set()
        if self._scope is None:
            task.cancel()  # not yet inside the SDK (waiting for consent, or about to connect)
        elif self.state != "connected":
            self._scope.cancel()
        done, _ = await asyncio.wait({task}, timeout=STOP_GRACE_SECONDS)
        if not done:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def aclose(self) -> None:
        """Stop and remove this server's tools from the router."""
        await self.stop()
        self._tools.clear()
        self.state, self.detail = "closed", "closed"

    async def reconnect(self) -> None:
        """Drop the current connection (if any) and connect again now, with a fresh backoff."""
        async with self._attempt_lock:
            await self.stop()
            self._failures, self._retry_at = 0, 0.0
            self.start()
            await self.wait_settled()

    def status(self) -> ServerStatus:
        """This server's state for the listing."""
        return ServerStatus(
            name=self.config.name,
            state=self.state,
            detail=self.detail,
            config=self.config,
            tools=self._tools.names,
            protocol_version=self.protocol_version,
            sends_hf_token=sends_hf_token(self.config, self._settings.env),
            notes=(*self.config.notes, *self._tools.notes, *self._notes, *self._changes.notes),
        )

    # ------------------------------------------------------------ the connection task

    async def _run(self) -> None:
        try:
            if not await self._allowed():
                return
            async with AsyncExitStack() as outer:
                stderr = await StderrTail.open(outer) if self.config.transport == "stdio" else None
                try:
                    ending = await self._serve(stderr)
                except Exception as exc:
                    ending = None if self._stopping else describe_error(exc)
                if ending is None:
                    self.state, self.detail = "closed", "closed"
                else:
                    tail = await stderr.tail() if stderr is not None else ""
                    if self.state != "connected" and self._http_problem:
                        ending = self._http_problem  # more telling than the SDK's "error response"
                    self._ended_because(f"{ending} (its stderr: {tail})" if tail else ending)
        finally:
            self._client, self._ended, self._scope = None, None, None
            self._settled.set()

    async def _allowed(self) -> bool:
        """Project servers start only with the user's consent (when a consent hook is given)."""
        if self.config.scope != "project" or self._settings.consent is None:
            return True
        if self._consent is None:
            try:
                self._consent = bool(await self._settings.consent(self.config))
            except Exception as exc:
                self._consent = False
                self._notes.append(f"consent hook failed: {describe_error(exc)}")
        if not self._consent:
            self.state = "declined"
            self.detail = f"not started: the project server from {self.config.origin} was declined"
        return self._consent

    async def _serve(self, stderr: StderrTail | None) -> str | None:
        """Connect, list the tools, then serve until the end; returns why it ended (None: stopped)."""
        ended = self._ended = anyio.Event()
        self._lost_reason = None

        def on_server_end() -> None:
            self._drop("the server closed the connection (its process exited?)")

        with anyio.CancelScope(deadline=anyio.current_time() + self.config.connect_timeout) as scope:
            self._scope = scope
            async with AsyncExitStack() as stack:
                settings = self._settings
                self._http_problem = None
                transport = await open_transport(
                    self.config,
                    stack,
                    env=settings.env,
                    hf_token=settings.hf_token,
                    stderr=stderr,
                    on_http_problem=self._note_http_problem,
                )
                client = Client(
                    watched(transport, on_server_end),
                    mode=self.config.protocol,
                    message_handler=self._changes.on_message,
                    cache=None,
                    client_info=CLIENT_INFO,
                )
                await stack.enter_async_context(client)
                self._tools.update(await list_all_tools(client))
                scope.deadline = math.inf
                self._connected(client)
                async with anyio.create_task_group() as tasks:
                    tasks.start_soon(self._changes.follow, client)
                    await ended.wait()
                    tasks.cancel_scope.cancel()
        if self._stopping:
            return None
        if scope.cancelled_caught:
            return f"did not answer within {self.config.connect_timeout:g} s (connect_timeout)"
        return self._lost_reason or "the connection ended"

    def _drop(self, reason: str) -> None:
        """End the live session because it broke; the next call reconnects."""
        if self._ended is not None and not self._ended.is_set():
            self._lost_reason = reason
            self._ended.set()

    def _note_http_problem(self, problem: str) -> None:
        self._http_problem = self._http_problem or problem

    def _connected(self, client: Client) -> None:
        again = self._ever_connected
        self._client, self._ever_connected, self._failures = client, True, 0
        self.state, self.detail = "connected", ""
        self.protocol_version = client.protocol_version
        verb = "reconnected" if again else "connected"
        self._settings.notice(f"MCP server `{self.config.name}` {verb} ({len(self._tools.names)} tools).")
        self._settled.set()

    def _ended_because(self, reason: str) -> None:
        """Apply the dead-server policy after a connection attempt or a live connection ended."""
        name, delays = self.config.name, self._settings.reconnect_delays
        if self.state == "connected":
            self.state, self.detail = "disconnected", f"disconnected: {reason}"
            self._failures, self._retry_at = 0, time.monotonic() + (delays[0] if delays else 0.0)
            self._settings.notice(f"MCP server `{name}` disconnected: {reason}. The next call reconnects it.")
            return
        if not self._ever_connected:
            self.state, self.detail = "failed", f"could not start: {reason}"
            self._settings.notice(f"MCP server `{name}` could not start: {reason}. Its tools are unavailable.")
            return
        self._failures += 1
        if self._failures >= len(delays) or not self._tools.names:
            self._tools.clear()
            self.state = "failed"
            attempts = f"{self._failures} reconnect attempt{'s' if self._failures != 1 else ''}"
            self.detail = f"gave up after {attempts}: {reason}"
            self._settings.notice(f"MCP server `{name}` is down ({reason}); its tools were removed.")
            return
        self.state, self.detail = "disconnected", f"reconnect failed: {reason}"
        self._retry_at = time.monotonic() + delays[self._failures]

    # ------------------------------------------------------------ calls

    async def _client_for_call(self) -> Client | ToolResult:
        """The live client, reconnecting first if the server dropped and its backoff allows."""
        async with self._attempt_lock:
            if self._ended is not None and self._ended.is_set() and self._task is not None:
                await asyncio.wait({self._task}, timeout=STOP_GRACE_SECONDS)  # it is closing: let it finish
            if self.state == "connecting":
                await self.wait_settled(self.config.connect_timeout + STOP_GRACE_SECONDS)
            if self.state == "connected" and self._client is not None:
                return self._client
            if self.state != "disconnected":
                return unavailable(self.config.name, self.detail or self.state)
            wait = self._retry_at - time.monotonic()
            if wait > 0:
                return unavailable(self.config.name, f"{self.detail}; next reconnect attempt in {math.ceil(wait)} s")
            self.start()
            await self.wait_settled()
            if self.state == "connected" and self._client is not None:
                return self._client
            return unavailable(self.config.name, self.detail)

    async def call(self, tool: str, arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        """Call ``tool`` (the server's own name); failures become error results, cancellation propagates."""
        client = await self._client_for_call()
        if isinstance(client, ToolResult):
            return client
        try:
            result = await client.call_tool(
                tool, arguments, read_timeout_seconds=self.config.timeout, progress_callback=progress_logger(ctx)
            )
        except Exception as exc:
            if isinstance(exc, RuntimeError) and self._client is not client:
                return unavailable(self.config.name, f"the connection closed during `{tool}`; the next call reconnects")
            if isinstance(exc, MCPError) and exc.error.code == CONNECTION_CLOSED:
                self._drop(f"the connection broke during a call to `{tool}`")
            return call_failed(self.config.name, tool, exc, self.config.timeout)
        await self._changes.settle(client)
        return convert_result(result, server=self.config.name, tool=tool, show=ctx.show)

"""The MCP servers of one session: connect them all concurrently, report, reconnect, close."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence

from ..spec import ToolRouter
from .config import McpServerConfig
from .connection import DEFAULT_RECONNECT_DELAYS, ConnectionSettings, Consent, McpConnection
from .credentials import TokenSource
from .status import ServerStatus, render_status_markdown


def _guarded(on_notice: Callable[[str], None] | None) -> Callable[[str], None]:
    """A notice sink that never raises into a connection task."""

    def notice(text: str) -> None:
        if on_notice is None:
            return
        try:
            on_notice(text)
        except Exception:  # a broken UI callback must not break a server
            return

    return notice


class McpManager:
    """Connects the configured servers and keeps their tools in ``router``.

    ``start()`` schedules every connection as a background task and returns at once; each
    server's tools are registered when it connects. ``hf_token`` is called at each connect and
    its token is sent only to Hugging Face hosts. ``consent(config)`` (optional) is awaited
    before a server from a project ``.mcp.json`` first starts; False leaves it ``declined``.
    ``reconnect_delays``: the wait before each automatic reconnect attempt after a server drops
    (attempts happen on calls); when they are used up the server's tools are removed.
    """

    def __init__(
        self,
        servers: Iterable[McpServerConfig],
        router: ToolRouter,
        *,
        env: Mapping[str, str],
        hf_token: TokenSource | None = None,
        on_notice: Callable[[str], None] | None = None,
        consent: Consent | None = None,
        reconnect_delays: Sequence[float] = DEFAULT_RECONNECT_DELAYS,
    ) -> None:
        settings = ConnectionSettings(
            env=dict(env),
            hf_token=hf_token,
            notice=_guarded(on_notice),
            consent=consent,
            reconnect_delays=tuple(reconnect_delays),
        )
        self._connections: dict[str, McpConnection] = {}
        for config in servers:
            if config.name in self._connections:
                raise ValueError(f"MCP server `{config.name}` is configured twice")
            self._connections[config.name] = McpConnection(config, router, settings)

    @property
    def names(self) -> list[str]:
        """The configured server names, in configuration order."""
        return list(self._connections)

    def start(self) -> None:
        """Begin connecting every server concurrently (needs a running event loop); returns at once."""
        for connection in self._connections.values():
            connection.start()

    async def wait_ready(self, timeout: float | None = None) -> bool:
        """Wait until every started server is connected or has failed; False if ``timeout`` ran out first."""
        waits = [c.wait_settled() for c in self._connections.values() if c.state != "pending"]
        if not waits:
            return True
        try:
            await asyncio.wait_for(asyncio.gather(*waits), timeout)
        except TimeoutError:
            return False
        return True

    def status(self) -> list[ServerStatus]:
        """Every server's state, tools, trust and origin."""
        return [connection.status() for connection in self._connections.values()]

    def status_markdown(self) -> str:
        """:meth:`status` as Markdown (for ``%intern mcp`` and ``/mcp``)."""
        return render_status_markdown(self.status())

    def _connection(self, name: str) -> McpConnection:
        try:
            return self._connections[name]
        except KeyError:
            known = ", ".join(f"`{n}`" for n in self._connections) or "none"
            raise KeyError(f"no MCP server named `{name}` (configured: {known})") from None

    async def reconnect(self, name: str) -> ServerStatus:
        """Reconnect one server now (fresh backoff) and return its status once it settles."""
        connection = self._connection(name)
        await connection.reconnect()
        return connection.status()

    async def aclose(self) -> None:
        """Close every connection and stdio process, concurrently, and remove their tools."""
        await asyncio.gather(*(c.aclose() for c in self._connections.values()))

    async def __aenter__(self) -> McpManager:
        self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

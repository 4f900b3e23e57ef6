"""Build the SDK transport for one server, and notice when its connection ends.

stdio servers get a minimal environment and their stderr goes to a :class:`StderrTail`. HTTP
clients have no read timeout: a long tool call may keep its response stream silent for as long
as it runs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import httpx2
from mcp.client import Transport
from mcp.client.sse import sse_client
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

from .config import McpServerConfig
from .credentials import TokenSource, request_headers, sends_hf_token, stdio_environment
from .stderr import StderrTail

HTTP_TIMEOUT = httpx2.Timeout(30.0, read=None)
"""Connect/write/pool limits; no read limit (training calls run for hours)."""


class WatchedReadStream:
    """A transport read stream that calls ``on_end()`` once the server side ends (EOF or close)."""

    def __init__(self, inner: Any, on_end: Callable[[], None]) -> None:
        self._inner = inner
        self._on_end = on_end

    @property
    def last_context(self) -> Any:
        """The sender's contextvars of the last message (HTTP transports set it)."""
        return getattr(self._inner, "last_context", None)

    async def receive(self) -> Any:
        try:
            return await self._inner.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError, anyio.BrokenResourceError):
            self._on_end()
            raise

    async def aclose(self) -> None:
        await self._inner.aclose()

    def __aiter__(self) -> WatchedReadStream:
        return self

    async def __anext__(self) -> Any:
        try:
            return await self.receive()
        except anyio.EndOfStream:
            raise StopAsyncIteration from None

    async def __aenter__(self) -> WatchedReadStream:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


@asynccontextmanager
async def watched(transport: Transport, on_end: Callable[[], None]) -> AsyncIterator[tuple[Any, Any]]:
    """``transport`` whose read stream reports its end through ``on_end``."""
    async with transport as (read_stream, write_stream):
        yield WatchedReadStream(read_stream, on_end), write_stream


def _http_client(headers: dict[str, str], hf_host: bool, on_problem: Callable[[str], None]) -> httpx2.AsyncClient:
    """An HTTP client that reports failed POSTs (``HTTP 401 Unauthorized from …``, without the query)."""

    async def check(response: httpx2.Response) -> None:
        if response.status_code >= 400 and response.request.method == "POST":
            url = response.request.url.copy_with(query=None)
            hint = _auth_hint(response.status_code, hf_host)
            on_problem(f"HTTP {response.status_code} {response.reason_phrase} from {url}{hint}")

    return httpx2.AsyncClient(headers=headers, timeout=HTTP_TIMEOUT, event_hooks={"response": [check]})


def _auth_hint(status: int, hf_host: bool) -> str:
    if status not in (401, 403):
        return ""
    if hf_host:
        return "; set HF_TOKEN (or run `hf auth login`) with access to this server"
    return "; check the `headers` of this server's entry (e.g. Authorization)"


async def open_transport(
    config: McpServerConfig,
    stack: AsyncExitStack,
    *,
    env: Mapping[str, str],
    hf_token: TokenSource | None,
    stderr: StderrTail | None,
    on_http_problem: Callable[[str], None] = lambda _: None,
) -> Transport:
    """The SDK transport for ``config``; resources it needs are entered on ``stack``."""
    if config.transport == "stdio":
        cwd = Path(config.cwd).expanduser() if config.cwd else None
        params = StdioServerParameters(
            command=config.command or "",
            args=list(config.args),
            env=stdio_environment(config, env),
            cwd=cwd,
            encoding_error_handler="replace",
        )
        return stdio_client(params, errlog=stderr.file) if stderr else stdio_client(params)
    needs_token = hf_token is not None and sends_hf_token(config, env)
    token = await anyio.to_thread.run_sync(hf_token) if needs_token and hf_token else None  # may read a file
    headers = request_headers(config, env, token)
    url = config.url or ""
    if config.transport == "sse":
        return sse_client(url, headers=headers, timeout=30.0, sse_read_timeout=None)  # type: ignore[arg-type]
    client = await stack.enter_async_context(_http_client(headers, sends_hf_token(config, env), on_http_problem))
    return streamable_http_client(url, http_client=client)

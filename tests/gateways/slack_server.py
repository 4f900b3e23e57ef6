"""A local Slack-Web-API-compatible server for tests: ``POST /chat.postMessage`` on 127.0.0.1.

Runs a Starlette app under uvicorn in a thread on a random port. It checks the bearer token like
Slack (``{"ok": false, "error": "invalid_auth"}``), records every request, and can be told to fail
(``fail = "channel_not_found"``), to answer with an HTTP status (``status = 500``), to redirect
(``redirect = URL``) or to be slow (``delay = 2.0``).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route


@dataclass
class Recorded:
    """One request the server received."""

    method: str
    path: str
    authorization: str | None
    body: Any


@dataclass
class SlackServer:
    """Context manager: ``with SlackServer(token) as server: ... server.url ...``."""

    token: str = "xoxb-test-token"
    fail: str | None = None
    status: int = 200
    delay: float = 0.0
    redirect: str | None = None
    requests: list[Recorded] = field(default_factory=list)
    completed: list[float] = field(default_factory=list)
    """``time.monotonic()`` of each finished ``chat.postMessage`` answer."""

    def __post_init__(self) -> None:
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # -- app ------------------------------------------------------------------------
    async def _post_message(self, request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            body = None
        self.requests.append(Recorded("POST", request.url.path, request.headers.get("authorization"), body))
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
            return self._answer(request, body)
        finally:
            self.completed.append(time.monotonic())

    def _answer(self, request: Request, body: Any) -> Response:
        if self.redirect:
            return RedirectResponse(self.redirect, status_code=307)
        if self.status != 200:
            return JSONResponse({"ok": False, "error": "server_error"}, status_code=self.status)
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return JSONResponse({"ok": False, "error": "invalid_auth"})
        if not isinstance(body, dict) or not body.get("channel"):
            return JSONResponse({"ok": False, "error": "channel_not_found"})
        if not body.get("text"):
            return JSONResponse({"ok": False, "error": "no_text"})
        if self.fail:
            return JSONResponse({"ok": False, "error": self.fail})
        ts = f"{time.time():.6f}"
        return JSONResponse({"ok": True, "channel": body["channel"], "ts": ts, "message": {"text": body["text"]}})

    async def _other(self, request: Request) -> JSONResponse:
        self.requests.append(Recorded(request.method, request.url.path, request.headers.get("authorization"), None))
        return JSONResponse({"ok": False, "error": "unknown_method"}, status_code=404)

    def app(self) -> Starlette:
        """The Starlette application."""
        routes = [
            Route("/chat.postMessage", self._post_message, methods=["POST"]),
            Route("/{path:path}", self._other, methods=["GET", "POST"]),
        ]
        return Starlette(routes=routes)

    # -- lifecycle ----------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The base URL to configure (``ML_INTERN_SLACK_BASE_URL``)."""
        return f"http://127.0.0.1:{self.port}"

    def posts(self) -> list[Recorded]:
        """The ``chat.postMessage`` requests, in order."""
        return [r for r in self.requests if r.path == "/chat.postMessage"]

    def texts(self) -> list[str]:
        """The ``text`` of every post."""
        return [r.body.get("text", "") for r in self.posts() if isinstance(r.body, dict)]

    def start(self) -> SlackServer:
        """Start serving; returns when the port is bound."""
        config = uvicorn.Config(
            self.app(), host="127.0.0.1", port=0, log_level="warning", lifespan="off", timeout_graceful_shutdown=1
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="slack-test-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the test Slack server did not start")
            time.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        """Stop serving and join the thread."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> SlackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def dead_url() -> str:
    """A 127.0.0.1 URL where nothing listens (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"

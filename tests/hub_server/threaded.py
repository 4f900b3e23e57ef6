"""A small starlette app served by uvicorn in a thread on 127.0.0.1, recording every request.

Used for the GitHub and web-search test servers and for "foreign" hosts that must never see a token.
"""

from __future__ import annotations

import socket
import threading

import uvicorn
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from .state import RecordedRequest


class ThreadedServer:
    """``with ThreadedServer(routes) as server: server.endpoint``; ``server.requests`` lists what arrived."""

    def __init__(self, routes: list[BaseRoute]) -> None:
        self.requests: list[RecordedRequest] = []
        self.endpoint = ""
        self._app = Starlette(routes=routes)
        self._lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    async def _asgi(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        with self._lock:
            self.requests.append(
                RecordedRequest(scope["method"], scope["path"], scope["query_string"].decode(), headers, body)
            )
        pending = [{"type": "http.request", "body": body, "more_body": False}]

        async def replay() -> dict:
            return pending.pop() if pending else await receive()

        await self._app(scope, replay, send)

    def start(self) -> ThreadedServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.endpoint = f"http://127.0.0.1:{sock.getsockname()[1]}"
        config = uvicorn.Config(self._asgi, interface="asgi3", log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("test server failed to start")
            self._thread.join(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(5)

    def __enter__(self) -> ThreadedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def saw_header(self, name: str) -> bool:
        """Whether any request carried header ``name`` (case-insensitive)."""
        return any(name.lower() in request.headers for request in self.requests)

"""Fixtures for the MCP client tests: real servers (stdio and HTTP, started here) and managers."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ml_intern_jupyter.tools.mcp import McpManager, McpServerConfig
from ml_intern_jupyter.tools.spec import Display, ToolContext, ToolRouter

SERVER_SCRIPT = Path(__file__).with_name("mcp_test_server.py")


def stdio_config(name: str, *, mode: str = "stdio", env: dict[str, str] | None = None, **kw: Any) -> McpServerConfig:
    """A stdio server running the test script with this interpreter."""
    return McpServerConfig(
        name=name,
        transport="stdio",
        command=sys.executable,
        args=(str(SERVER_SCRIPT), mode),
        env=env or {},
        **kw,
    )


def read_log(path: Path) -> list[str]:
    """The lines the test server appended to its ``MCP_TEST_LOG`` file."""
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


async def eventually(check: Callable[[], bool], timeout: float = 20.0, what: str = "condition") -> None:
    """Poll ``check`` until it holds (generous: the machine is loaded)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


@dataclass
class Recorder:
    """A ToolContext that keeps its log lines and displays."""

    logs: list[str] = field(default_factory=list)
    displays: list[Display] = field(default_factory=list)

    def ctx(self, name: str = "mcp", call_id: str = "call-1") -> ToolContext:
        return ToolContext(tool_call_id=call_id, name=name, on_log=self.logs.append, on_show=self.displays.append)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def base_env(tmp_path: Path) -> dict[str, str]:
    """A kernel-like environment with secrets in it (which servers must not receive)."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path / "home"),
        "HF_TOKEN": "hf_kernel_secret",
        "OPENAI_API_KEY": "sk-kernel-secret",
        "ANTHROPIC_API_KEY": "sk-ant-kernel-secret",
        "SOME_SERVICE_API_KEY": "service-secret",
    }


@dataclass
class Managers:
    """Makes managers and closes them all at teardown."""

    env: dict[str, str]
    notices: list[str] = field(default_factory=list)
    made: list[McpManager] = field(default_factory=list)

    def __call__(self, servers: list[McpServerConfig], router: ToolRouter | None = None, **kw: Any) -> McpManager:
        kw.setdefault("env", self.env)
        kw.setdefault("on_notice", self.notices.append)
        manager = McpManager(servers, router if router is not None else ToolRouter(), **kw)
        self.made.append(manager)
        return manager


@pytest.fixture
async def managers(base_env: dict[str, str]) -> AsyncIterator[Managers]:
    made = Managers(env=base_env)
    yield made
    await asyncio.gather(*(m.aclose() for m in made.made))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class HttpServer:
    """A test server process serving streamable HTTP (or SSE) on 127.0.0.1."""

    mode: str
    port: int
    capture: Path
    bearer: str | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{'mcp' if self.mode == 'http' else 'sse'}"

    def start(self) -> HttpServer:
        command = [sys.executable, str(SERVER_SCRIPT), self.mode, "--port", str(self.port)]
        command += ["--capture", str(self.capture)]
        if self.bearer is not None:
            command += ["--require-bearer", self.bearer]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"test HTTP server exited with {self.process.returncode}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("test HTTP server did not start")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def requests(self) -> list[dict[str, Any]]:
        """Every request it received: ``{"path", "headers"}`` (header names lower-case)."""
        if not self.capture.exists():
            return []
        return [json.loads(line) for line in self.capture.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def http_servers(tmp_path: Path) -> Iterator[Callable[..., HttpServer]]:
    """``http_servers(mode="http", port=None, bearer=None)`` starts a server; all are killed at teardown."""
    started: list[HttpServer] = []

    def start(mode: str = "http", port: int | None = None, bearer: str | None = None) -> HttpServer:
        server = HttpServer(mode, port or free_port(), tmp_path / f"capture-{len(started)}.jsonl", bearer)
        started.append(server.start())
        return server

    yield start
    for server in started:
        server.kill()

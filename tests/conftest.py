"""Shared fixtures: an isolated environment and scripted-model sessions."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ml_intern_jupyter.agent.config import load_config
from ml_intern_jupyter.agent.model import ProviderFactory
from ml_intern_jupyter.agent.session import Session
from ml_intern_jupyter.protocol import Event, TurnOptions, UserInput
from ml_intern_jupyter.tools.spec import ToolRouter, ToolSpec

GENEROUS_SECONDS = 5.0
"""Upper bound for "this was quick" checks on a loaded 2-core machine; bench/ measures the real times."""

_SECRET_ENV = (
    "ANTHROPIC_API_KEY",
    "OPENAI_API_KEY",
    "HF_TOKEN",
    "HUGGING_FACE_HUB_TOKEN",
    "GITHUB_TOKEN",
    "SLACK_BOT_TOKEN",
    "SLACK_CHANNEL_ID",
    "ML_INTERN_CONFIG",
    "ML_INTERN_YOLO",
    "LOCAL_LLM_BASE_URL",
    "LOCAL_LLM_API_KEY",
)


def need_local_extra(*modules: str, extra: str = "local") -> None:
    """Skip a test when an extra is missing, except in CI (which installs them all): there it fails."""
    missing = [m for m in modules if importlib.util.find_spec(m.split(".")[0]) is None]
    if missing:
        reason = f"{', '.join(missing)} not installed (the [{extra}] extra)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: CI installs every extra, so this must not happen there")
        pytest.skip(reason)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No real keys, no real user config, data under tmp_path."""
    for name in _SECRET_ENV:
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("ML_INTERN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return tmp_path


@pytest.fixture
def write_script(tmp_path: Path) -> Callable[..., str]:
    """Write a scripted-model file; returns its model id ``scripted/<abs path>``."""
    counter = iter(range(1_000_000))

    def write(turns: list[dict[str, Any]], name: str | None = None) -> str:
        path = tmp_path / (name or f"script_{next(counter)}.json")
        path.write_text(json.dumps({"turns": turns}))
        return f"scripted/{path}"

    return write


async def say(session: Session, text: str, **options: Any):
    """Submit one user message (``options`` are TurnOptions fields); returns the TurnOutcome."""
    return await session.submit(UserInput(text, TurnOptions(**options)))


class Recorder:
    """An event sink that keeps every event."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)

    def types(self) -> list[str]:
        return [event.type for event in self.events]

    def of(self, type_: str) -> list[Event]:
        return [event for event in self.events if event.type == type_]


def echo_tool() -> ToolSpec:
    async def handler(arguments: dict, ctx) -> str:
        ctx.log(f"echoing {arguments['text']}")
        return f"echo: {arguments['text']}"

    return ToolSpec(
        name="echo",
        description="Echo text back.",
        parameters={
            "type": "object",
            "properties": {"text": {"type": "string"}},
            "required": ["text"],
            "additionalProperties": False,
        },
        handler=handler,
    )


class RiskyTool:
    """A tool that needs approval and records what it was called with."""

    def __init__(self) -> None:
        self.calls: list[dict] = []

    def spec(self) -> ToolSpec:
        async def handler(arguments: dict, ctx) -> str:
            self.calls.append(arguments)
            return f"ran {arguments['code']}"

        return ToolSpec(
            name="risky",
            description="Run code (needs approval).",
            parameters={"type": "object", "properties": {"code": {"type": "string"}}, "required": ["code"]},
            handler=handler,
            needs_approval=True,
            approval_reason="runs code",
        )


class SlowTool:
    """Sleeps for a long time; records whether it was cancelled."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.cancelled = False

    def spec(self) -> ToolSpec:
        async def handler(arguments: dict, ctx) -> str:
            self.started.set()
            try:
                await asyncio.sleep(arguments.get("seconds", 30))
            except asyncio.CancelledError:
                self.cancelled = True
                raise
            return "slept"

        return ToolSpec(
            name="slow",
            description="Sleep.",
            parameters={"type": "object", "properties": {"seconds": {"type": "number"}}},
            handler=handler,
        )


@pytest.fixture
def factory() -> ProviderFactory:
    """A provider factory reading an empty environment."""
    return ProviderFactory({})


@pytest.fixture
def make_session(write_script, factory) -> Callable[..., tuple[Session, Recorder]]:
    """Build a session on a scripted model with test tools and a recorder sink."""

    def make(turns: list[dict[str, Any]], *, tools: list[ToolSpec] | None = None, **overrides: Any):
        overrides.setdefault("retry", {"base_delay": 0.001, "max_delay": 0.01})
        config = load_config(overrides=overrides, load_env_files=False)
        recorder = Recorder()
        router = ToolRouter(tools if tools is not None else [echo_tool()])
        session = Session(config, factory=factory, model=write_script(turns), tools=router, sinks=[recorder])
        return session, recorder

    return make

"""``build_session``: the one place a session is put together (CLI, notebook, sidebar, tests).

Order: config, model (and the notice when it was picked automatically), tools (built-in, the
ML tools, then the front end's own, which may replace built-ins such as ``python``), the
session with its record, the research sub-agent (it needs the session's model and usage), then
the gateways (their sink and ``notify`` tool).
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..gateways import Notifier, attach_gateways
from ..protocol import Event
from ..tools.builtin import builtin_tools
from ..tools.mcp.connection import Consent
from ..tools.spec import ToolRouter, ToolSpec
from ..traces.recorder import RecordWriter, SessionRecorder, sessions_dir
from ..traces.redact import Redactor
from .config import AgentConfig, load_config, resolve_data_dir
from .mcp_services import McpServices, mcp_services
from .ml_tools import ml_tools
from .model import ProviderFactory, default_model_id, default_model_notice
from .prompts import build_system_prompt
from .research import Research
from .session import Session

Sink = Callable[[Event], None]


@dataclass
class FrontEnd:
    """What one front end (a kernel, a CLI run) shares across its sessions.

    ``writer`` appends every session's record (redacting first, in its thread); ``factory``
    makes the model providers (litellm imported once, the embedded model loaded once).
    """

    factory: ProviderFactory
    writer: RecordWriter | None = None
    closers: list[Callable[[], Any]] = field(default_factory=list)
    secrets: dict[str, str] = field(default_factory=dict, repr=False)
    """Secrets typed in this process (the CLI's hidden token prompt): read before the environment,
    kept in memory only, never exported to ``os.environ`` or written anywhere."""

    @classmethod
    def create(cls, env: Any, *, record: bool = True, quiet_litellm: bool = False) -> FrontEnd:
        """A front end reading ``env`` (``config.env``), with a record writer unless ``record`` is off."""
        from .model.litellm_provider import LitellmLoader

        factory = ProviderFactory(env, loader=LitellmLoader(quiet=quiet_litellm))
        writer = RecordWriter(Redactor(env=env).value) if record else None
        return cls(factory, writer)

    def close(self) -> None:
        """Flush the records and free the embedded models."""
        if self.writer is not None:
            self.writer.close()
        self.factory.close()


@dataclass
class BuiltSession:
    """A session and the services built with it."""

    session: Session
    notifier: Notifier | None = None
    recorder: SessionRecorder | None = None
    mcp: McpServices = field(default_factory=McpServices)

    def start_services(self) -> None:
        """Start what runs beside the session (the MCP servers); on the running loop, once."""
        self.mcp.start(self.session)

    async def aclose(self, timeout: float = 5.0) -> None:
        """Let pending notifications go out and close the MCP servers."""
        await self.mcp.aclose()
        if self.notifier is not None:
            await self.notifier.drain(timeout=timeout)


def build_session(
    front: FrontEnd,
    *,
    config: AgentConfig | None = None,
    variant: str = "cli",
    model: str | None = None,
    tools: Iterable[ToolSpec] = (),
    sinks: Iterable[Sink] = (),
    workdir: Path | None = None,
    system_prompt: str | None = None,
    builtin: bool = True,
    consent: Consent | None = None,
) -> BuiltSession:
    """A ready session for ``front``. Raises ``ConfigError`` for a broken messaging setup.

    ``variant`` picks the system prompt (``notebook``, ``cli``, ``headless``); ``tools`` are
    registered after the built-in ones (same names replace them); ``builtin=False`` leaves
    the built-in tools out (the ML tools and ``research`` too). The MCP servers of the config,
    the user's and the project's MCP files are loaded (not started: ``start_services``);
    ``consent`` is awaited before a project ``.mcp.json`` server first starts.
    """
    config = config if config is not None else load_config()
    config = config.replace(env=ChainMap(front.secrets, config.env))  # writes land in secrets, never os.environ
    env = config.env
    chosen = model or config.model_name
    model_id = chosen or default_model_id(env)
    router = ToolRouter(builtin_tools(scratch=resolve_data_dir(config) / "scratch") if builtin else ())
    kit = ml_tools(config) if builtin else None
    for spec in [*(kit.tools if kit else ()), *tools]:
        router.register(spec)
    redact = Redactor(env=env).text
    recorder = None
    if front.writer is not None:
        recorder = SessionRecorder(sessions_dir(resolve_data_dir(config)), front.writer)
    session = Session(
        config,
        factory=front.factory,
        tools=router,
        system_prompt=system_prompt if system_prompt is not None else build_system_prompt(variant),
        model=model_id,
        workdir=workdir,
        sinks=[*([recorder] if recorder is not None else []), *sinks],
        redact=redact,
        records=recorder,
        notice=None if chosen else default_model_notice(model_id),
    )
    if kit is not None:
        readers = ToolRouter([*kit.readers, *(router.get(name) for name in ("read",) if name in router)])
        research = Research(readers, session.turn_provider, session.usage, retry=config.retry, redact=redact)
        router.register(research.spec())
    mcp = mcp_services(config, router, session, project_dir=workdir or Path.cwd(), consent=consent)
    notifier = attach_gateways(session, env)
    return BuiltSession(session, notifier, recorder, mcp)

"""A session's MCP servers: loaded from the config and the MCP files, started by the front end.

A broken MCP configuration never stops the session: the session is built without MCP and the
error is kept for ``%intern mcp`` / ``/mcp`` and shown as a notice when the services start.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..protocol import NoticeEvent
from ..tools.hf import HubAccess
from ..tools.mcp import McpConfigError, McpManager, McpServerConfig, load_mcp_servers
from ..tools.mcp.connection import Consent
from ..tools.spec import ToolRouter
from .config import AgentConfig
from .session import Session

FAILURE_WORDS = ("could not start", "is down", "disconnected")


@dataclass
class McpServices:
    """The manager (None when nothing is configured or the config is broken) and its config error."""

    manager: McpManager | None = None
    error: str | None = None
    servers: list[McpServerConfig] = field(default_factory=list)
    started: bool = field(default=False, init=False)

    def project_servers(self) -> list[McpServerConfig]:
        """The servers a project ``.mcp.json`` asks to start (they need the user's consent)."""
        return [server for server in self.servers if server.scope == "project"]

    def start(self, session: Session) -> None:
        """Connect the servers in the background (needs the running loop; once). Returns at once."""
        if self.started:
            return
        self.started = True
        if self.error:
            session.emit(NoticeEvent(message=self.error, level="error", source="mcp"))
        if self.manager is not None:
            self.manager.start()

    def status_markdown(self) -> str:
        """What ``%intern mcp`` shows."""
        if self.error:
            return f"**MCP configuration error:** {self.error}"
        if self.manager is None:
            return (
                "No MCP servers are configured. Add them under `mcpServers` in your config, in "
                "`~/.config/ml-intern/mcp.json`, or in a project `.mcp.json` beside the notebook."
            )
        return self.manager.status_markdown()

    async def wait_ready(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for every started server to connect or fail."""
        return True if self.manager is None else await self.manager.wait_ready(timeout)

    async def aclose(self) -> None:
        """Close every server (stdio processes end)."""
        if self.manager is not None and self.started:
            await self.manager.aclose()


async def _decline(server: McpServerConfig) -> bool:
    return False


def mcp_services(
    config: AgentConfig,
    router: ToolRouter,
    session: Session,
    *,
    project_dir: Path,
    home: Path | None = None,
    consent: Consent | None = None,
) -> McpServices:
    """Load every configured server (config, user file, project ``.mcp.json``) for ``session``."""
    env = config.env
    origin = ", ".join(config.source_files) or "the agent config"
    try:
        servers = load_mcp_servers(
            config.mcp_servers, config_origin=origin, env=env, project_dir=project_dir, home=home or Path.home()
        )
    except McpConfigError as exc:
        return McpServices(error=str(exc))
    if not servers:
        return McpServices()

    def notice(text: str) -> None:
        level = "warning" if any(word in text for word in FAILURE_WORDS) else "info"
        session.emit(NoticeEvent(message=text, level=level, source="mcp"))

    asked = consent or _decline  # a project server never starts unasked

    async def consent_with_notice(server: McpServerConfig) -> bool:
        allowed = await asked(server)
        if not allowed:
            session.emit(NoticeEvent(message=(
                f"MCP server `{server.name}` from the project's {server.origin} was not started (not allowed). "
                "To use it, allow it when asked, or copy it into your own config."
            ), level="warning", source="mcp"))  # fmt: skip
        return allowed

    access = HubAccess.from_env(env)
    manager = McpManager(servers, router, env=env, hf_token=access.token, on_notice=notice, consent=consent_with_notice)
    return McpServices(manager, servers=servers)

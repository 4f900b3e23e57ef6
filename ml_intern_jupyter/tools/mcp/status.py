"""The state of each server, and its Markdown rendering for ``%intern mcp`` and ``/mcp``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .config import McpServerConfig
from .naming import tool_prefix

State = Literal["pending", "connecting", "connected", "disconnected", "failed", "declined", "closed"]


@dataclass(frozen=True)
class ServerStatus:
    """One server as the user sees it.

    ``state``: ``connecting`` (first handshake or a reconnect under way), ``connected``,
    ``disconnected`` (it was connected and the connection ended; its tools stay listed and the
    next call reconnects), ``failed`` (it never connected, or reconnecting gave up; no tools),
    ``declined`` (a project server the user did not allow), ``closed``.
    ``detail`` says why, for every state but ``connected``. ``notes``: remarks from loading the
    config and from the server (repaired schemas, no change notifications).
    """

    name: str
    state: State
    detail: str
    config: McpServerConfig
    tools: tuple[str, ...]
    protocol_version: str | None
    sends_hf_token: bool
    notes: tuple[str, ...] = ()

    @property
    def approval(self) -> str:
        """``trusted``, ``auto-approved``, ``auto: globs`` or ``asks``."""
        if self.config.trusted:
            return "trusted"
        if self.config.auto_approve is True:
            return "auto-approved"
        if self.config.auto_approve:
            return "auto: " + ", ".join(self.config.auto_approve)
        return "asks"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _short_tools(status: ServerStatus) -> str:
    prefix = tool_prefix(status.name)
    return ", ".join(f"`{t[len(prefix) :] if t.startswith(prefix) else t}`" for t in status.tools)


def _row(status: ServerStatus) -> str:
    transport = f"{status.config.transport} `{status.config.target}`"
    if status.sends_hf_token:
        transport += " (HF token)"
    state = status.state if status.state == "connected" else f"**{status.state}**"
    cells = [f"`{status.name}`", state, str(len(status.tools)), status.approval, transport, status.config.origin]
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def render_status_markdown(statuses: Sequence[ServerStatus]) -> str:
    """A table of the servers, then their tools, problems and loading notes."""
    if not statuses:
        return (
            "No MCP servers configured. Add them under `mcpServers` in your agent config, "
            "`~/.config/ml-intern/mcp.json` or a project `.mcp.json`."
        )
    lines = [
        f"**MCP servers** ({len(statuses)})",
        "",
        "| Server | State | Tools | Approval | Transport | Configured in |",
        "|---|---|---|---|---|---|",
        *(_row(s) for s in statuses),
    ]
    with_tools = [s for s in statuses if s.tools]
    if with_tools:
        lines += ["", "Tools (exposed as `mcp__<server>__<tool>`):"]
        lines += [f"- `{s.name}`: {_short_tools(s)}" for s in with_tools]
    problems = [s for s in statuses if s.state != "connected" and s.detail]
    if problems:
        lines += ["", "Problems:"]
        lines += [f"- `{s.name}` ({s.state}): {s.detail}" for s in problems]
    notes = [(s.name, note) for s in statuses for note in s.notes]
    if notes:
        lines += ["", "Notes:"]
        lines += [f"- `{name}`: {note}" for name, note in notes]
    return "\n".join(lines)

"""Asking, in the cell, before a project ``.mcp.json`` starts a server (a cloned repo must not run code unasked).

The same card as a tool approval: Approve starts the server, Reject leaves it ``declined``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from ..tools.mcp import McpServerConfig
from .approval import DECISIONS, ApprovalCard


def consent_card(config: McpServerConfig) -> ApprovalCard:
    """The card for one project server: what it runs or connects to, and where it was configured."""
    what = "runs" if config.transport == "stdio" else "connects to"
    return ApprovalCard(
        tool=f"MCP server {config.name}",
        reason=f"from the project's {config.origin}; it {what} this",
        arguments=config.target,
        details={"transport": config.transport, "config file": config.origin},
    )


def notebook_consent(show: Callable[[Any], Any]) -> Callable[[McpServerConfig], Any]:
    """A consent hook for ``McpManager``: shows a card in the current cell and waits for the click."""

    async def consent(config: McpServerConfig) -> bool:
        card = consent_card(config)
        decided: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

        def on_msg(widget: Any, content: Any, buffers: Any) -> None:
            if not isinstance(content, dict) or content.get("decision") not in DECISIONS or decided.done():
                return
            allowed = content["decision"] != "reject"
            card.summary = "allowed to start" if allowed else "not started"
            card.state = "approved" if allowed else "rejected"
            decided.set_result(allowed)

        card.on_msg(on_msg)
        show(card)
        return await decided

    return consent

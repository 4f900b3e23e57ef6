"""One MCP tool as a :class:`ToolSpec`: its exposed name, schema, approval rule and preview card.

A call asks for approval unless the server is ``trusted`` or the tool matches its
``auto_approve`` (``true`` = every tool; a list holds globs over the server's own tool names,
or over the exposed ``mcp__server__tool`` names). Tool annotations are hints from the server
and are never used for approval; ``readOnlyHint`` marks a tool read-only (offered to the research
sub-agent) only when its server is trusted.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import mcp_types as types

from ..spec import CallPreview, ToolContext, ToolResult, ToolSpec
from .config import McpServerConfig
from .schema import sanitize_input_schema

Caller = Callable[[str, dict[str, Any], ToolContext], Awaitable[ToolResult]]

MAX_DESCRIPTION_CHARS = 4000
MAX_PREVIEW_ARGUMENT_CHARS = 4000


def _description(config: McpServerConfig, tool: types.Tool) -> str:
    text = (tool.description or tool.title or "").strip()
    head = f"[MCP server `{config.name}`, tool `{tool.name}`]"
    return f"{head} {text}"[:MAX_DESCRIPTION_CHARS] if text else head


def _hints(tool: types.Tool) -> str:
    notes = tool.annotations
    if notes is None:
        return ""
    said = [
        label
        for label, value in (
            ("read-only", notes.read_only_hint),
            ("destructive", notes.destructive_hint),
            ("open-world", notes.open_world_hint),
        )
        if value
    ]
    return ", ".join(said)


def _preview_details(config: McpServerConfig, tool: types.Tool, arguments: dict[str, Any]) -> dict[str, str]:
    shown = json.dumps(arguments, indent=2, ensure_ascii=False, default=str)
    if len(shown) > MAX_PREVIEW_ARGUMENT_CHARS:
        shown = shown[:MAX_PREVIEW_ARGUMENT_CHARS] + "\n… (truncated)"
    details = {
        "MCP server": config.name,
        "Tool": tool.name,
        "Server": f"{config.transport}: {config.target}",
        "Configured in": config.origin,
        "Arguments": shown,
    }
    hints = _hints(tool)
    if hints:
        details["Server's hints"] = hints
    return details


def make_tool_spec(
    config: McpServerConfig, tool: types.Tool, exposed_name: str, call: Caller
) -> tuple[ToolSpec, list[str]]:
    """The spec for one tool of ``config``'s server, and notes on its schema (if it was repaired)."""
    parameters, notes = sanitize_input_schema(tool.input_schema)
    approved = config.approves(tool.name) or config.approves(exposed_name)

    async def handler(arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        return await call(tool.name, arguments, ctx)

    async def preview(arguments: dict[str, Any]) -> CallPreview:
        return CallPreview(details=_preview_details(config, tool, arguments))

    read_only = bool(config.trusted and tool.annotations and tool.annotations.read_only_hint)
    spec = ToolSpec(
        name=exposed_name,
        description=_description(config, tool),
        parameters=parameters,
        handler=handler,
        needs_approval=not approved,
        approval_reason=f"`{tool.name}` runs on MCP server `{config.name}`, which is not trusted",
        preview=preview,
        read_only=read_only,
    )
    return spec, [f"tool `{tool.name}`: {note}" for note in notes]

"""A ``CallToolResult`` as text for the model and rich output for the user.

Text blocks pass through. An image (or audio, or a binary resource) is shown in the cell and
the model reads a one-line description of it. An embedded text resource is shown in the cell
and its text, under a header naming the resource, goes to the model. ``structuredContent`` is
kept in ``ToolResult.structured``, and becomes the model's text (JSON) when no text block came.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import mcp_types as types

from ..spec import Display, RichDisplay, ToolResult

Show = Callable[[Display], None]


def _size(base64_text: str) -> str:
    n = len(base64_text) * 3 // 4
    return f"{n} bytes" if n < 1024 else f"{n / 1024:.1f} KB"


def _image(data: str, mime: str, label: str, server: str, show: Show) -> str:
    show(RichDisplay.image(data, mime=mime, alt=f"{label} from MCP server {server}"))
    return f"[{mime} {label}, {_size(data)}, from MCP server `{server}`: shown to the user]"


def _resource(resource: types.TextResourceContents | types.BlobResourceContents, server: str, show: Show) -> str:
    mime = resource.mime_type or "unknown type"
    if isinstance(resource, types.TextResourceContents):
        bundle: dict[str, Any] = {"text/plain": resource.text}
        if mime == "text/markdown":
            bundle["text/markdown"] = resource.text
        show(RichDisplay(bundle))
        return f"[resource {resource.uri} ({mime})]\n{resource.text}"
    if mime.startswith("image/"):
        return _image(resource.blob, mime, f"image resource {resource.uri}", server, show)
    description = f"[binary resource {resource.uri} ({mime}, {_size(resource.blob)})"
    show(RichDisplay.text(description + "]"))
    return f"{description}: shown to the user]"


def _block_text(block: Any, server: str, show: Show) -> str:
    if isinstance(block, types.TextContent):
        return block.text
    if isinstance(block, types.ImageContent):
        return _image(block.data, block.mime_type, "image", server, show)
    if isinstance(block, types.AudioContent):
        show(RichDisplay({block.mime_type: block.data, "text/plain": f"[audio from MCP server {server}]"}))
        return f"[{block.mime_type} audio, {_size(block.data)}, from MCP server `{server}`: shown to the user]"
    if isinstance(block, types.EmbeddedResource):
        return _resource(block.resource, server, show)
    if isinstance(block, types.ResourceLink):
        about = f": {block.description}" if block.description else ""
        return f"[resource link {block.name} <{block.uri}>{about}]"
    return json.dumps(block.model_dump(mode="json", by_alias=True, exclude_none=True))[:2000]


def convert_result(result: types.CallToolResult, *, server: str, tool: str, show: Show) -> ToolResult:
    """The model's text, the ok flag (not ``isError``) and the structured content."""
    parts = [_block_text(block, server, show) for block in result.content]
    text = "\n".join(part for part in parts if part)
    structured = result.structured_content
    has_text = any(isinstance(block, types.TextContent) for block in result.content)
    if structured is not None and not has_text:
        text = "\n".join(filter(None, [json.dumps(structured, ensure_ascii=False, indent=2), text]))
    ok = not result.is_error
    if not text:
        text = "(no output)" if ok else f"MCP tool `{tool}` on server `{server}` failed without a message"
    return ToolResult(output=text, ok=ok, structured=structured)

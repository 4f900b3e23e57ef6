"""Tool specs, the router, and the built-in tools (no IPython imports)."""

from .spec import ToolContext, ToolResult, ToolRouter, ToolSpec, UnknownToolError

__all__ = ["ToolContext", "ToolResult", "ToolRouter", "ToolSpec", "UnknownToolError"]

"""A hand-written, handshake-era (2025-06-18) stdio MCP server: no SDK, like many servers in the wild.

It answers ``server/discover`` with "method not found" (so ``protocol: auto`` must fall back to
``initialize``) and offers one tool, ``shout``, whose input schema is written for draft-07
(``$schema``, a tuple ``items``) to exercise the schema repair. With ``--no-tools`` it offers
no tools at all (``tools/list`` is "method not found"), like a resources-only server.
"""

from __future__ import annotations

import json
import sys
from typing import Any

SHOUT = {
    "name": "shout",
    "description": "Upper-case the text.",
    "inputSchema": {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {
            "text": {"type": "string"},
            "pair": {"type": "array", "items": [{"type": "string"}, {"type": "integer"}]},
        },
        "required": ["text"],
    },
}


def answer(request: dict[str, Any], with_tools: bool) -> dict[str, Any]:
    method, params = request.get("method"), request.get("params") or {}
    if method == "initialize":
        result: dict[str, Any] = {
            "protocolVersion": "2025-06-18",
            "capabilities": {"tools": {"listChanged": False}} if with_tools else {"resources": {}},
            "serverInfo": {"name": "legacy-handwritten", "version": "1.0"},
        }
    elif method == "tools/list" and with_tools:
        result = {"tools": [SHOUT]}
    elif method == "tools/call" and params.get("name") == "shout":
        text = str((params.get("arguments") or {}).get("text", ""))
        result = {"content": [{"type": "text", "text": text.upper()}], "isError": False}
    elif method == "ping":
        result = {}
    else:
        return {"jsonrpc": "2.0", "id": request["id"], "error": {"code": -32601, "message": "Method not found"}}
    return {"jsonrpc": "2.0", "id": request["id"], "result": result}


def main() -> None:
    with_tools = "--no-tools" not in sys.argv
    for line in sys.stdin:
        if not line.strip():
            continue
        message = json.loads(line)
        if "id" in message and "method" in message:  # a request (notifications are ignored)
            sys.stdout.write(json.dumps(answer(message, with_tools)) + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()

"""MCP client: the tools of configured MCP servers, exposed to the model as ``mcp__<server>__<tool>``.

Built on the official ``mcp`` SDK 2.x (``mcp.Client``): stdio, streamable HTTP and SSE, both
protocol eras (``protocol: "auto"`` probes ``server/discover`` and falls back to the 2025
``initialize`` handshake).

Configuration (see :mod:`.loading` for where it is read and which definition wins)::

    {"mcpServers": {
        "files":  {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "."],
                   "env": {"DEBUG": "1"}, "auto_approve": ["read_*", "list_*"]},
        "tracker": {"type": "http", "url": "https://mcp.example.com/mcp",
                    "headers": {"Authorization": "Bearer ${TRACKER_TOKEN}"}, "timeout": 600},
        "legacy": {"transport": "sse", "url": "http://127.0.0.1:9000/sse", "trusted": true},
        "hf": {"preset": "hf"}
    }}

Keys per server: ``transport`` or ``type`` (``stdio`` | ``http`` | ``sse``; inferred from
``command``/``url``), ``command``, ``args``, ``env``, ``cwd``, ``inherit_env``, ``url``,
``headers``, ``trusted``, ``auto_approve`` (true or tool-name globs), ``timeout`` (per call, s;
default none), ``connect_timeout`` (s, default 15), ``protocol`` (``auto`` | ``legacy`` |
``2026-07-28``), ``preset``, ``disabled``. ``${VAR}`` and ``${VAR:-default}`` work in every string.

Presets: ``"hf": {"preset": "hf"}`` (or just ``"hf": {}``) is the Hugging Face MCP server,
``https://huggingface.co/mcp`` over streamable HTTP; other keys of the entry override the
preset's. The HF token is sent to it because it is a Hugging Face host.

Credentials: a server's ``headers`` and ``env`` go to that server only. The HF token goes only
to Hugging Face hosts (https ``huggingface.co``, ``*.huggingface.co``, ``hf.co``, or the exact
origin of ``HF_ENDPOINT``) and only when the entry has no ``Authorization`` header. A stdio
server starts with a minimal environment (PATH, HOME, locale, TERM, temp dir, plus its ``env``)
unless ``"inherit_env": true``.

Approval: every MCP tool asks unless its server is ``trusted`` or the tool matches the server's
``auto_approve``. The approval card shows the server, the tool, what the server runs, the
config file and the arguments (``ToolSpec.preview``). A project ``.mcp.json`` cannot trust its
own servers, and with a ``consent`` hook its servers start only after the user agrees.

Lifecycle and dead-server policy:

- ``start()`` connects every server concurrently in background tasks and returns at once; each
  server registers its tools in the router when its handshake and ``tools/list`` are done, so
  a slow server never delays the first turn. A server that does not answer within
  ``connect_timeout`` is ``failed``.
- A server that cannot start (missing command, exits, refuses, times out) is ``failed`` with
  the reason: its stderr tail for stdio, the HTTP status and what to fix for HTTP (a 401 from a
  Hugging Face host says to set HF_TOKEN). It has no tools; ``reconnect(name)`` tries again.
- With a ``consent`` hook, a server from a project ``.mcp.json`` starts only once the hook
  returns True (asked once per manager); otherwise it is ``declined`` and never runs.
- A connected server that drops (process killed, HTTP server gone) becomes ``disconnected``: a
  call in flight returns an error result naming the server; its tools stay listed, and the next
  call to one of them first reconnects. After a failed attempt, the next one waits
  ``reconnect_delays`` (0 s, 2 s, 8 s): calls inside the wait fail at once saying when the next
  attempt is. When the attempts are used up the server is ``failed`` and its tools are removed
  from the router, so the agent carries on without them; ``reconnect(name)`` brings it back.
- A call never raises into the loop: protocol errors, timeouts (per-server ``timeout``), lost
  connections and malformed results are ``ToolResult(ok=False)`` naming the server.
  Cancelling the calling task sends ``notifications/cancelled`` and returns at once; the
  connection stays usable.
- ``notifications/tools/list_changed`` (and, on 2026-07-28 servers, a ``subscriptions/listen``
  stream) re-lists the tools and registers/unregisters them; a change announced during a call
  is applied before that call returns, so the next model call sees it.
- ``aclose()`` ends every session and stdio process (stdin closed, then SIGTERM/SIGKILL by the
  SDK) concurrently.

Results: text blocks go to the model; images, audio and binary resources are shown in the cell
(``ctx.show``) and the model gets a one-line description; embedded text resources are shown
and their text goes to the model; ``structuredContent`` is ``ToolResult.structured`` and the
model's text (as JSON) when there is no text block. Progress notifications are ``ctx.log`` lines.

Interface::

    servers = load_mcp_servers(config.mcp_servers, config_origin=..., env=os.environ,
                               project_dir=Path.cwd(), home=Path.home())   # McpConfigError
    manager = McpManager(servers, router, env=os.environ, hf_token=get_token, on_notice=print,
                         consent=ask_user_about_project_server)   # consent is optional
    manager.start()                  # returns at once (call it on the running loop)
    await manager.wait_ready(0.5)    # optional short grace before the first turn
    print(manager.status_markdown()) # %intern mcp, /mcp
    await manager.reconnect("files")
    await manager.aclose()
"""

from .config import PRESETS, McpConfigError, McpServerConfig
from .connection import DEFAULT_RECONNECT_DELAYS
from .credentials import is_hf_host
from .loading import load_mcp_servers, user_mcp_file
from .manager import McpManager
from .naming import exposed_tool_name
from .status import ServerStatus, render_status_markdown

__all__ = [
    "DEFAULT_RECONNECT_DELAYS",
    "PRESETS",
    "McpConfigError",
    "McpManager",
    "McpServerConfig",
    "ServerStatus",
    "exposed_tool_name",
    "is_hf_host",
    "load_mcp_servers",
    "render_status_markdown",
    "user_mcp_file",
]

"""The Markdown status listing for ``%intern mcp`` and ``/mcp``."""

from __future__ import annotations

from ml_intern_jupyter.tools.mcp import McpServerConfig, ServerStatus, render_status_markdown


def status(name: str, state: str, detail: str = "", tools: tuple[str, ...] = (), **config: object) -> ServerStatus:
    base: dict[str, object] = {"transport": "stdio", "command": "npx", "args": ("srv",)}
    return ServerStatus(
        name=name,
        state=state,  # type: ignore[arg-type]
        detail=detail,
        config=McpServerConfig(name=name, **{**base, **config}),  # type: ignore[arg-type]
        tools=tools,
        protocol_version=None,
        sends_hf_token=config.get("url") == "https://huggingface.co/mcp",
        notes=("ignored unknown key `oauth`",) if name == "hf" else (),
    )


def test_table_tools_problems_and_notes() -> None:
    text = render_status_markdown(
        [
            status("files", "connected", tools=("mcp__files__read", "mcp__files__list"), auto_approve=("read",)),
            status("hf", "connected", transport="http", url="https://huggingface.co/mcp", origin="/u/mcp.json"),
            status("slow", "connecting", trusted=True),
            status("broken", "failed", "could not start: command not found: npx"),
        ]
    )
    assert "| Server | State | Tools | Approval | Transport | Configured in |" in text
    assert "| `files` | connected | 2 | auto: read | stdio `npx srv` | config |" in text
    assert "| `hf` | connected | 0 | asks | http `https://huggingface.co/mcp` (HF token) | /u/mcp.json |" in text
    assert "| `slow` | **connecting** | 0 | trusted |" in text
    assert "- `files`: `read`, `list`" in text
    assert "- `broken` (failed): could not start: command not found: npx" in text
    assert "- `hf`: ignored unknown key `oauth`" in text


def test_no_servers_says_where_to_add_them() -> None:
    assert ".mcp.json" in render_status_markdown([]) and "mcpServers" in render_status_markdown([])


def test_pipes_in_values_do_not_break_the_table() -> None:
    text = render_status_markdown([status("odd", "failed", "x", args=("a|b",))])
    assert "`npx a\\|b`" in text

"""Loading server configs: the agent config, ~/.config/ml-intern/mcp.json, a project .mcp.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ml_intern_jupyter.tools.mcp import McpConfigError, load_mcp_servers, user_mcp_file


def write(path: Path, servers: dict[str, Any], key: str = "mcpServers") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({key: servers}), encoding="utf-8")
    return path


def load(tmp_path: Path, config: dict[str, Any] | None = None, env: dict[str, str] | None = None) -> list[Any]:
    return load_mcp_servers(
        config or {},
        config_origin="/etc/agent.json",
        env=env if env is not None else {"HOME": str(tmp_path / "home")},
        project_dir=tmp_path / "project",
        home=tmp_path / "home",
    )


def test_three_sources_with_origins_and_claude_code_shape(tmp_path: Path) -> None:
    user = write(
        tmp_path / "home/.config/ml-intern/mcp.json", {"mine": {"type": "http", "url": "https://a.example/mcp"}}
    )
    project = write(
        tmp_path / "project/.mcp.json",
        {"files": {"type": "stdio", "command": "npx", "args": ["-y", "server-fs", "."], "env": {"DEBUG": "1"}}},
    )
    servers = load(tmp_path, {"seeded": {"transport": "sse", "url": "http://127.0.0.1:9/sse", "trusted": True}})
    by_name = {s.name: s for s in servers}
    assert [s.name for s in servers] == ["seeded", "mine", "files"]
    assert (by_name["seeded"].origin, by_name["seeded"].scope, by_name["seeded"].transport) == (
        "/etc/agent.json",
        "config",
        "sse",
    )
    assert by_name["mine"].origin == str(user) and by_name["mine"].scope == "user"
    assert by_name["mine"].transport == "http"
    files = by_name["files"]
    assert files.origin == str(project) and files.scope == "project"
    assert (files.command, files.args, dict(files.env)) == ("npx", ("-y", "server-fs", "."), {"DEBUG": "1"})
    assert by_name["seeded"].trusted


def test_precedence_config_then_user_then_project(tmp_path: Path) -> None:
    write(tmp_path / "home/.config/ml-intern/mcp.json", {"x": {"command": "from-user"}, "y": {"command": "user-y"}})
    write(tmp_path / "project/.mcp.json", {"x": {"command": "from-project"}, "y": {"command": "project-y"}})
    servers = {s.name: s for s in load(tmp_path, {"x": {"transport": "stdio", "command": "from-config"}})}
    assert servers["x"].command == "from-config" and servers["y"].command == "user-y"
    assert any("also defined in" in note and ".mcp.json" in note for note in servers["y"].notes)


def test_xdg_config_home_is_honoured(tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    assert user_mcp_file(env, tmp_path / "home") == tmp_path / "xdg/ml-intern/mcp.json"
    write(tmp_path / "xdg/ml-intern/mcp.json", {"x": {"command": "cmd"}})
    assert [s.name for s in load(tmp_path, env=env)] == ["x"]


def test_variables_are_substituted_in_every_string(tmp_path: Path) -> None:
    entry = {
        "command": "${TOOL_BIN:-npx}",
        "args": ["--token", "${SVC_TOKEN}"],
        "env": {"KEY": "${SVC_TOKEN}"},
        "cwd": "${HOME}/work",
    }
    write(tmp_path / "project/.mcp.json", {"svc": entry})
    (server,) = load(tmp_path, env={"SVC_TOKEN": "t0k", "HOME": "/home/u"})
    assert (server.command, server.args, dict(server.env), server.cwd) == (
        "npx",
        ("--token", "t0k"),
        {"KEY": "t0k"},
        "/home/u/work",
    )


def test_a_project_file_cannot_trust_itself(tmp_path: Path) -> None:
    write(tmp_path / "project/.mcp.json", {"sneaky": {"command": "x", "trusted": True, "auto_approve": True}})
    (server,) = load(tmp_path)
    assert not server.trusted and server.auto_approve is False
    assert any("cannot approve its own tools" in note for note in server.notes)


def test_hf_preset_by_entry_or_by_empty_name(tmp_path: Path) -> None:
    write(tmp_path / "home/.config/ml-intern/mcp.json", {"hf": {}, "hub": {"preset": "hf", "timeout": 60}})
    servers = {s.name: s for s in load(tmp_path)}
    for name in ("hf", "hub"):
        assert (servers[name].transport, servers[name].url, servers[name].preset) == (
            "http",
            "https://huggingface.co/mcp",
            "hf",
        )
    assert servers["hub"].timeout == 60.0


def test_other_spellings_disabled_and_unknown_keys(tmp_path: Path) -> None:
    write(
        tmp_path / "project/.mcp.json",
        {
            "a": {"type": "streamableHttp", "url": "https://a.example/mcp", "oauth": {}},
            "off": {"command": "x", "disabled": True},
        },
        key="servers",
    )
    (server,) = load(tmp_path)
    assert server.transport == "http" and "ignored unknown key `oauth`" in server.notes


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"transport": "websocket", "url": "ws://x"}, ["`mcpServers.bad.transport`", "unknown transport 'websocket'"]),
        ({"type": "stdio", "args": ["x"]}, ["`mcpServers.bad`", "without a `command`", 'add `"command"']),
        ({"type": "http"}, ["`mcpServers.bad`", "without a `url`"]),
        ({"url": "ftp://host/x"}, ["`mcpServers.bad.url`", "not an http(s) URL"]),
        ({"command": "x", "env": {"A": "${UNSET_VAR_FOR_TEST}"}}, ["mcpServers.bad.env.A", "UNSET_VAR_FOR_TEST"]),
        ({"command": "x", "timeout": -1}, ["`mcpServers.bad.timeout`", "positive number"]),
        ({"command": "x", "args": "one string"}, ["`mcpServers.bad.args`", "list of strings"]),
        ({"preset": "nope"}, ["`mcpServers.bad.preset`", "unknown preset"]),
        ({"command": "x", "protocol": "2024"}, ["`mcpServers.bad.protocol`"]),
        ("not an object", ["`mcpServers.bad`", "not a JSON object"]),
    ],
)
def test_bad_entries_name_the_server_the_file_and_the_fix(tmp_path: Path, entry: Any, expected: list[str]) -> None:
    path = write(tmp_path / "project/.mcp.json", {"bad": entry})
    with pytest.raises(McpConfigError) as raised:
        load(tmp_path)
    message = str(raised.value)
    assert message.startswith(str(path)) and "Fix:" in message
    assert raised.value.server == "bad" and raised.value.source == str(path)
    for part in expected:
        assert part in message


def test_bad_entries_in_the_agent_config_name_its_origin(tmp_path: Path) -> None:
    with pytest.raises(McpConfigError, match=r"^/etc/agent.json: `mcpServers.x` is a stdio server without"):
        load(tmp_path, {"x": {"transport": "stdio"}})


def test_bad_json_names_the_file_and_the_position(tmp_path: Path) -> None:
    path = tmp_path / "project/.mcp.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"mcpServers": {"a": {"command": "x",}}}', encoding="utf-8")
    with pytest.raises(McpConfigError, match=r"\.mcp\.json: is not valid JSON \(line 1, column \d+"):
        load(tmp_path)


def test_servers_whose_tool_names_would_collide_are_rejected(tmp_path: Path) -> None:
    write(tmp_path / "project/.mcp.json", {"my.server": {"command": "a"}, "my_server": {"command": "b"}})
    with pytest.raises(McpConfigError, match="same tool names"):
        load(tmp_path)


def test_no_files_no_servers(tmp_path: Path) -> None:
    assert load(tmp_path) == []

"""Tests for ml_intern_jupyter.agent.config."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ml_intern_jupyter.agent import config as config_mod
from ml_intern_jupyter.agent.config import (
    AgentConfig,
    ConfigError,
    RetryConfig,
    default_config_path,
    dotenv_values,
    environment,
    load_config,
    resolve_data_dir,
    user_config_path,
)

_ISOLATED_VARS = ("ML_INTERN_CONFIG", "ML_INTERN_YOLO", "ML_INTERN_DATA_DIR", "XDG_CONFIG_HOME")


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Never touch the developer's real ~/.config, .env or environment (.env loading included)."""
    saved_environ = dict(os.environ)
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    for name in _ISOLATED_VARS:
        monkeypatch.delenv(name, raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setattr(config_mod, "_DOTENV_ROOT", tmp_path / "no-repo")  # no project-root .env
    yield tmp_path
    os.environ.clear()
    os.environ.update(saved_environ)


def write_json(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def load(path: Path | None = None, **env: str) -> AgentConfig:
    return load_config(path, env={"HOME": os.environ["HOME"], **env}, load_env_files=False)


def raises(path: Path | None = None, **env: str) -> str:
    with pytest.raises(ConfigError) as info:
        load(path, **env)
    return str(info.value)


# ---------------------------------------------------------------- defaults and paths


def test_defaults_file_is_valid_json_with_every_key() -> None:
    data = json.loads(default_config_path().read_text())
    assert set(data) == set(config_mod.SCHEMA)
    assert data["model_name"] is None and data["mcpServers"] == {}


def test_defaults_load_with_documented_values() -> None:
    cfg = load()
    assert cfg.model_name is None
    assert cfg.mcp_servers == {}
    assert (cfg.max_iterations, cfg.compaction_threshold, cfg.compaction_keep_recent) == (300, 170000, 10)
    assert cfg.stream is True and cfg.yolo is False and cfg.share_traces is False
    assert cfg.approval_policy == {"auto_approve": [], "always_ask": []}
    assert cfg.max_tool_output_chars == 40000
    assert cfg.retry == RetryConfig(max_retries=5, base_delay=1.0, max_delay=30.0)
    assert cfg.personal_trace_repo_template == "{hf_user}/ml-intern-sessions"
    assert cfg.data_dir is None
    assert cfg.messaging == {
        "enabled": False,
        "auto_event_types": ["approval_required", "error", "turn_complete"],
        "destinations": {},
    }
    assert cfg.source_files == (str(default_config_path()),)


def test_user_config_path_precedence(tmp_path: Path) -> None:
    home = tmp_path / "h"
    assert user_config_path({"HOME": str(home)}) == home / ".config" / "ml-intern" / "config.json"
    xdg = {"HOME": str(home), "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    assert user_config_path(xdg) == tmp_path / "xdg" / "ml-intern" / "config.json"
    explicit = {**xdg, "ML_INTERN_CONFIG": str(tmp_path / "mine.json")}
    assert user_config_path(explicit) == tmp_path / "mine.json"


def test_default_location_user_file_is_read(isolated: Path) -> None:
    user = write_json(isolated / "home" / ".config" / "ml-intern" / "config.json", {"max_iterations": 7})
    cfg = load()
    assert cfg.max_iterations == 7
    assert cfg.source_files[-1] == str(user)


def test_missing_default_location_user_file_is_fine(isolated: Path) -> None:
    cfg = load(XDG_CONFIG_HOME=str(isolated / "empty"))
    assert len(cfg.source_files) == 1


def test_resolve_data_dir(tmp_path: Path) -> None:
    cfg = load()
    assert resolve_data_dir(cfg, {"ML_INTERN_DATA_DIR": str(tmp_path / "d")}) == tmp_path / "d"
    assert resolve_data_dir(cfg.replace(data_dir=str(tmp_path / "c")), {}) == tmp_path / "c"
    assert "ml-intern" in str(resolve_data_dir(cfg, {}))


# ---------------------------------------------------------------- merging


def test_deep_merge_changes_only_the_nested_key(tmp_path: Path) -> None:
    user = write_json(tmp_path / "c.json", {"retry": {"max_delay": 60}, "model_name": "openai/gpt-4o"})
    cfg = load(user)
    assert cfg.retry == RetryConfig(max_retries=5, base_delay=1.0, max_delay=60.0)
    assert isinstance(cfg.retry.max_delay, float)
    assert cfg.model_name == "openai/gpt-4o"
    assert cfg.max_iterations == 300
    assert cfg.source_files == (str(default_config_path()), str(user))


def test_lists_replace_rather_than_append(tmp_path: Path) -> None:
    user = write_json(tmp_path / "c.json", {"messaging": {"auto_event_types": ["error"]}})
    cfg = load(user)
    assert cfg.messaging["auto_event_types"] == ["error"]
    assert cfg.messaging["enabled"] is False


def test_ml_intern_config_env_is_used(tmp_path: Path) -> None:
    user = write_json(tmp_path / "env-config.json", {"stream": False})
    cfg = load(ML_INTERN_CONFIG=str(user))
    assert cfg.stream is False
    assert str(user) in cfg.source_files


def test_explicit_path_beats_ml_intern_config(tmp_path: Path) -> None:
    from_env = write_json(tmp_path / "env.json", {"max_iterations": 1})
    explicit = write_json(tmp_path / "explicit.json", {"max_iterations": 2})
    assert load(explicit, ML_INTERN_CONFIG=str(from_env)).max_iterations == 2


def test_explicit_missing_file_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    message = raises(missing)
    assert str(missing) in message and "not found" in message


def test_missing_ml_intern_config_file_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "gone.json"
    message = raises(ML_INTERN_CONFIG=str(missing))
    assert str(missing) in message and "ML_INTERN_CONFIG" in message


def test_overrides_win_over_user_file(tmp_path: Path) -> None:
    user = write_json(tmp_path / "c.json", {"model_name": "a", "retry": {"max_retries": 1}})
    overrides = {"model_name": "b", "yolo": True, "retry": {"base_delay": 2}}
    cfg = load_config(user, env={}, overrides=overrides, load_env_files=False)
    assert (cfg.model_name, cfg.yolo) == ("b", True)
    assert cfg.retry == RetryConfig(max_retries=1, base_delay=2.0, max_delay=30.0)


def test_bad_override_names_overrides_and_key() -> None:
    with pytest.raises(ConfigError, match=r"<overrides>.*max_iterations.*positive integer"):
        load_config(env={}, overrides={"max_iterations": "many"}, load_env_files=False)


def test_to_dict_round_trips_and_replace() -> None:
    cfg = load()
    data = cfg.to_dict()
    assert "mcpServers" in data and "mcp_servers" not in data and "source_files" not in data
    assert data["retry"] == {"max_retries": 5, "base_delay": 1.0, "max_delay": 30.0}
    json.dumps(data)
    again = load_config(env={}, overrides=data, load_env_files=False)
    assert again == cfg
    changed = cfg.replace(model_name="x")
    assert changed.model_name == "x" and cfg.model_name is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.model_name = "y"  # type: ignore[misc]


# ---------------------------------------------------------------- ML_INTERN_YOLO


@pytest.mark.parametrize("value", ["1", "true", "YES", "on"])
def test_ml_intern_yolo_sets_yolo(value: str) -> None:
    assert load(ML_INTERN_YOLO=value).yolo is True


def test_ml_intern_yolo_off_and_bad_value(tmp_path: Path) -> None:
    user = write_json(tmp_path / "c.json", {"yolo": True})
    assert load(user, ML_INTERN_YOLO="0").yolo is False
    assert "ML_INTERN_YOLO" in raises(ML_INTERN_YOLO="maybe")


# ---------------------------------------------------------------- ${VAR} substitution

MCP_WITH_VARS = {
    "mcpServers": {
        "hf": {
            "url": "${MCP_URL:-https://huggingface.co/mcp}",
            "headers": {"Authorization": "Bearer ${HF_MCP_TOKEN}"},
        },
        "local": {"command": "uvx", "args": ["server", "--root=${ROOT:-/srv}", "${FLAG}"]},
    }
}


def test_substitution_nested_in_headers_and_lists(tmp_path: Path) -> None:
    user = write_json(tmp_path / "c.json", MCP_WITH_VARS)
    cfg = load(user, HF_MCP_TOKEN="hf_secret", FLAG="-v")
    hf, local = cfg.mcp_servers["hf"], cfg.mcp_servers["local"]
    assert hf["headers"] == {"Authorization": "Bearer hf_secret"}
    assert hf["url"] == "https://huggingface.co/mcp"
    assert hf["transport"] == "http"
    assert local["args"] == ["server", "--root=/srv", "-v"]
    assert local["transport"] == "stdio"


def test_substitution_set_variable_beats_default(tmp_path: Path) -> None:
    user = write_json(tmp_path / "c.json", {"model_name": "${MODEL:-openai/gpt-4o}"})
    assert load(user).model_name == "openai/gpt-4o"
    assert load(user, MODEL="anthropic/claude").model_name == "anthropic/claude"
    assert load(user, MODEL="").model_name == "openai/gpt-4o"


def test_unset_variable_error_names_file_key_and_var(tmp_path: Path) -> None:
    user = write_json(tmp_path / "c.json", MCP_WITH_VARS)
    message = raises(user, FLAG="-v")
    assert str(user) in message
    assert "mcpServers.hf.headers.Authorization" in message
    assert "HF_MCP_TOKEN" in message and ".env" in message and "${HF_MCP_TOKEN:-default}" in message


def test_unset_variable_in_list_names_index(tmp_path: Path) -> None:
    user = write_json(tmp_path / "c.json", MCP_WITH_VARS)
    with pytest.raises(ConfigError) as info:
        load(user, HF_MCP_TOKEN="t")
    assert info.value.key == "mcpServers.local.args[2]"
    assert info.value.path == str(user)


# ---------------------------------------------------------------- .env files


def test_dotenv_is_read_under_the_environment_never_exported(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = isolated / "work"
    (work / ".env").write_text("CFG_TEST_KEPT=from-dotenv\nCFG_TEST_NEW=new-value\n")
    monkeypatch.setenv("CFG_TEST_KEPT", "from-shell")
    monkeypatch.delenv("CFG_TEST_NEW", raising=False)
    env = environment(work)
    assert env["CFG_TEST_KEPT"] == "from-shell" and env["CFG_TEST_NEW"] == "new-value"
    assert "CFG_TEST_NEW" not in os.environ
    monkeypatch.setenv("CFG_TEST_LATER", "seen")
    assert env["CFG_TEST_LATER"] == "seen"  # a live view: variables set later are seen


def test_cwd_dotenv_wins_over_project_root(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = isolated / "repo"
    (root / "pyproject.toml").parent.mkdir()
    (root / "pyproject.toml").write_text("")
    (root / ".env").write_text("CFG_TEST_WHO=root\nCFG_TEST_ROOT_ONLY=yes\n")
    (isolated / "work" / ".env").write_text("CFG_TEST_WHO=cwd\n")
    monkeypatch.setattr(config_mod, "_DOTENV_ROOT", root)
    for name in ("CFG_TEST_WHO", "CFG_TEST_ROOT_ONLY"):
        monkeypatch.delenv(name, raising=False)
    values = dotenv_values()
    assert values == {"CFG_TEST_WHO": "cwd", "CFG_TEST_ROOT_ONLY": "yes"}
    assert "CFG_TEST_WHO" not in os.environ


def test_cwd_dotenv_feeds_substitution(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (isolated / "work" / ".env").write_text("CFG_TEST_TOKEN=from-dotenv\n")
    monkeypatch.delenv("CFG_TEST_TOKEN", raising=False)
    user = write_json(isolated / "c.json", {"mcpServers": {"s": {"url": "https://x/${CFG_TEST_TOKEN}"}}})
    cfg = load_config(user)
    assert cfg.mcp_servers["s"]["url"] == "https://x/from-dotenv"
    assert cfg.env["CFG_TEST_TOKEN"] == "from-dotenv" and "CFG_TEST_TOKEN" not in os.environ


def test_explicit_env_beats_dotenv_without_touching_environ(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (isolated / "work" / ".env").write_text("CFG_TEST_A=dotenv\nCFG_TEST_B=dotenv\n")
    monkeypatch.delenv("CFG_TEST_B", raising=False)
    user = write_json(isolated / "c.json", {"model_name": "${CFG_TEST_A}-${CFG_TEST_B}"})
    cfg = load_config(user, env={"CFG_TEST_A": "env"})
    assert cfg.model_name == "env-dotenv"
    assert "CFG_TEST_B" not in os.environ


def test_load_env_files_false_ignores_dotenv(isolated: Path) -> None:
    (isolated / "work" / ".env").write_text("CFG_TEST_C=dotenv\n")
    user = write_json(isolated / "c.json", {"model_name": "${CFG_TEST_C:-none}"})
    assert load_config(user, env={}, load_env_files=False).model_name == "none"


# ---------------------------------------------------------------- syntax, keys and types


def test_bad_json_names_file_line_and_column(tmp_path: Path) -> None:
    user = tmp_path / "broken.json"
    user.write_text('{\n  "model_name": "x",\n  "yolo": true,\n}\n')
    with pytest.raises(ConfigError) as info:
        load(user)
    message = str(info.value)
    assert str(user) in message and "line 4" in message and "column" in message
    assert "fix the JSON syntax" in message
    assert info.value.path == str(user)


def test_top_level_must_be_an_object(tmp_path: Path) -> None:
    user = write_json(tmp_path / "list.json", [1, 2])
    message = raises(user)
    assert str(user) in message and "top level is a list, expected a JSON object" in message


def test_default_config_path_prefers_the_packaged_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert default_config_path().is_file()
    packaged = write_json(tmp_path / "pkg" / "configs" / "default_agent_config.json", {})
    monkeypatch.setattr(config_mod, "_PACKAGE_DIR", tmp_path / "pkg")
    assert default_config_path() == packaged


@pytest.mark.parametrize(
    ("typo", "suggestion"),
    [("max_iteration", "max_iterations"), ("mcp_servers", "mcpServers"), ("modelname", "model_name")],
)
def test_unknown_top_level_key_suggests_closest(tmp_path: Path, typo: str, suggestion: str) -> None:
    user = write_json(tmp_path / "c.json", {typo: 1})
    message = raises(user)
    assert str(user) in message and f"`{typo}`" in message
    assert f'did you mean "{suggestion}"' in message
    assert "Valid keys:" in message and "compaction_threshold" in message


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"retry": {"max_retry": 3}}, "retry.max_retry"),
        ({"approval_policy": {"auto": []}}, "approval_policy.auto"),
        ({"messaging": {"channels": {}}}, "messaging.channels"),
        ({"messaging": {"destinations": {"ops": {"provider": "slack", "room": "x"}}}},
         "messaging.destinations.ops.room"),
        ({"mcpServers": {"s": {"command": "x", "cmd_args": []}}}, "mcpServers.s.cmd_args"),
    ],
)  # fmt: skip
def test_unknown_nested_keys(tmp_path: Path, data: dict, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        load(write_json(tmp_path / "c.json", data))
    assert info.value.key == key
    assert "unknown key" in str(info.value) and "Valid keys:" in str(info.value)


@pytest.mark.parametrize(
    ("data", "key", "found", "expected"),
    [
        ({"max_iterations": 0}, "max_iterations", "0 (int)", "a positive integer"),
        ({"max_iterations": "10"}, "max_iterations", "a string", "a positive integer"),
        ({"compaction_threshold": True}, "compaction_threshold", "true (bool)", "a positive integer"),
        ({"stream": "yes"}, "stream", "a string", "true or false"),
        ({"model_name": 5}, "model_name", "5 (int)", "a string or null"),
        ({"retry": {"base_delay": -1}}, "retry.base_delay", "-1 (int)", "a non-negative number"),
        ({"approval_policy": {"always_ask": "bash"}}, "approval_policy.always_ask", "a string",
         "a list of strings"),
        ({"mcpServers": []}, "mcpServers", "a list", "an object"),
        ({"mcpServers": {"s": {"url": "https://x", "headers": {"A": 1}}}}, "mcpServers.s.headers",
         "an object", "an object with string values"),
        ({"messaging": {"enabled": 1}}, "messaging.enabled", "1 (int)", "true or false"),
    ],
)  # fmt: skip
def test_bad_types_name_key_found_and_expected(tmp_path: Path, data: dict, key: str, found: str, expected: str) -> None:
    user = write_json(tmp_path / "c.json", data)
    with pytest.raises(ConfigError) as info:
        load(user)
    message = str(info.value)
    assert info.value.key == key and str(user) in message
    assert f"is {found}, expected {expected}" in message


def test_retry_max_delay_below_base_delay(tmp_path: Path) -> None:
    user = write_json(tmp_path / "c.json", {"retry": {"base_delay": 10, "max_delay": 5}})
    with pytest.raises(ConfigError) as info:
        load(user)
    assert info.value.key == "retry.max_delay" and info.value.path == str(user)


# ---------------------------------------------------------------- MCP servers


@pytest.mark.parametrize(
    ("server", "needle"),
    [
        ({"transport": "websocket", "url": "wss://x"}, 'one of "stdio", "http", "sse"'),
        ({"transport": "stdio", "url": "https://x"}, "needs `command`"),
        ({"transport": "sse", "command": "x"}, "needs `url`"),
        ({"transport": "http"}, "needs `url`"),
        ({"command": "x", "url": "https://x"}, "both `command` and `url`"),
        ({"url": "huggingface.co/mcp"}, "not an http(s) URL"),
        ({"command": "x", "trusted": "yes"}, "expected true or false"),
        ({"command": "x", "auto_approve": "search"}, "list of tool globs"),
    ],
)
def test_mcp_server_validation(tmp_path: Path, server: dict, needle: str) -> None:
    user = write_json(tmp_path / "c.json", {"mcpServers": {"hf": server}})
    message = raises(user)
    assert str(user) in message and "mcpServers.hf" in message and needle in message


def test_mcp_server_defaults_and_extras(tmp_path: Path) -> None:
    servers = {
        "a": {"command": "npx", "args": ["-y", "srv"], "env": {"K": "v"}, "cwd": "/tmp", "trusted": True},
        "b": {"transport": "sse", "url": "http://localhost:8000/sse", "auto_approve": ["search_*"]},
    }
    cfg = load(write_json(tmp_path / "c.json", {"mcpServers": servers}))
    assert cfg.mcp_servers["a"]["transport"] == "stdio" and cfg.mcp_servers["a"]["trusted"] is True
    assert cfg.mcp_servers["b"]["auto_approve"] == ["search_*"]


def test_mcp_server_entries_merge_per_entry(tmp_path: Path) -> None:
    user = write_json(tmp_path / "c.json", {"mcpServers": {"a": {"command": "x"}, "b": {"url": "https://b"}}})
    cfg = load_config(user, env={}, overrides={"mcpServers": {"a": {"trusted": True}}}, load_env_files=False)
    assert cfg.mcp_servers["a"] == {"command": "x", "trusted": True, "transport": "stdio"}
    assert cfg.mcp_servers["b"]["url"] == "https://b"


def test_messaging_destination_from_the_seed(tmp_path: Path) -> None:
    seed = {
        "messaging": {
            "enabled": True,
            "destinations": {
                "slack.ops": {
                    "provider": "slack",
                    "token": "${SLACK_BOT_TOKEN}",
                    "channel": "${SLACK_CHANNEL_ID}",
                    "allow_agent_tool": True,
                    "allow_auto_events": True,
                }
            },
        }
    }
    cfg = load(write_json(tmp_path / "c.json", seed), SLACK_BOT_TOKEN="xoxb-1", SLACK_CHANNEL_ID="C1")
    dest = cfg.messaging["destinations"]["slack.ops"]
    assert (dest["token"], dest["channel"]) == ("xoxb-1", "C1")
    assert cfg.messaging["enabled"] is True
    assert cfg.messaging["auto_event_types"] == ["approval_required", "error", "turn_complete"]

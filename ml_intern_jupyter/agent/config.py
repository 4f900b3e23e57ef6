"""Agent configuration: defaults + user JSON file + overrides, with ${VAR} substitution.

Layers, lowest first: ``configs/default_agent_config.json``, the user file (explicit path,
``ML_INTERN_CONFIG`` or ``~/.config/ml-intern/config.json``), ``ML_INTERN_YOLO``, then
``overrides``. Every problem raises :class:`ConfigError` naming the file, the key and the fix.
"""

from __future__ import annotations

import collections
import copy
import dataclasses
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dotenv
import platformdirs

from ..common import parse_bool
from ..substitute import substitute
from .config_schema import SCHEMA, config_error, resolve_transport, validate
from .config_schema import ConfigError as ConfigError  # re-exported: callers import it from here

_PACKAGE_DIR = Path(__file__).resolve().parents[1]
_REPO_ROOT = Path(__file__).resolve().parents[2]
_DOTENV_ROOT = _REPO_ROOT  # the project root whose .env is loaded (if it is a source checkout)
_DEFAULTS_NAME = "default_agent_config.json"
_OVERRIDES = "<overrides>"
_MISSING = object()


@dataclass(frozen=True)
class RetryConfig:
    """Retry policy for LLM calls (exponential backoff)."""

    max_retries: int
    base_delay: float
    max_delay: float


@dataclass(frozen=True)
class AgentConfig:
    """The merged, validated configuration of one agent."""

    model_name: str | None
    mcp_servers: dict[str, dict]
    max_iterations: int
    compaction_threshold: int
    compaction_keep_recent: int
    stream: bool
    yolo: bool
    approval_policy: dict[str, list[str]]
    max_tool_output_chars: int
    cell_output_max_lines: int
    cell_output_max_bytes: int
    retry: RetryConfig
    share_traces: bool
    personal_trace_repo_template: str
    data_dir: str | None
    yolo_budget_usd: float
    redact_local_model_context: bool
    web_search_url: str | None
    messaging: dict[str, Any]
    source_files: tuple[str, ...] = ()
    env: Mapping[str, str] = dataclasses.field(default_factory=dict, repr=False, compare=False)
    """The environment the agent reads: ``os.environ`` over the ``.env`` files (never exported)."""

    def replace(self, **changes: Any) -> AgentConfig:
        """Return a copy with the given fields changed."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The configuration in file-key form (``mcpServers`` camelCase), JSON-serialisable."""
        out = {key: copy.deepcopy(getattr(self, _attr(key))) for key in SCHEMA}
        out["retry"] = dataclasses.asdict(self.retry)
        return out


def _attr(key: str) -> str:
    return "mcp_servers" if key == "mcpServers" else key


def _check_complete(merged: dict, origin: Mapping[str, str]) -> None:
    """Checks that need the merged result: required keys, MCP transports, retry delays."""
    wanted = [*SCHEMA, *(f"retry.{k}" for k in SCHEMA["retry"])]
    for key in (k for k in wanted if _lookup(merged, k) is _MISSING):
        fix = f"restore `{key}` in the defaults (reinstall ml-intern-jupyter) or set it in your config"
        raise config_error(str(default_config_path()), key, "is missing", fix)
    for name, server in merged["mcpServers"].items():
        resolve_transport(server, origin.get(f"mcpServers.{name}", _OVERRIDES), f"mcpServers.{name}")
    retry = merged["retry"]
    if retry["max_delay"] < retry["base_delay"]:
        fix = "make `retry.max_delay` at least `retry.base_delay`"
        raise config_error(origin.get("retry", _OVERRIDES), "retry.max_delay", "is below retry.base_delay", fix)


def _lookup(data: Mapping[str, Any], dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(data, Mapping) or part not in data:
            return _MISSING
        data = data[part]
    return data


# ---------------------------------------------------------------- files, env, substitution


def default_config_path() -> Path:
    """The shipped defaults: inside the installed package first, else ``<repo>/configs``."""
    packaged = _PACKAGE_DIR / "configs" / _DEFAULTS_NAME
    return packaged if packaged.is_file() else _REPO_ROOT / "configs" / _DEFAULTS_NAME


def user_config_path(env: Mapping[str, str] | None = None) -> Path:
    """``ML_INTERN_CONFIG`` if set, else ``${XDG_CONFIG_HOME:-~/.config}/ml-intern/config.json``."""
    env = os.environ if env is None else env
    if env.get("ML_INTERN_CONFIG"):
        return Path(env["ML_INTERN_CONFIG"]).expanduser()
    home = Path(env["HOME"]) if env.get("HOME") else Path.home()
    base = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else home / ".config"
    return base / "ml-intern" / "config.json"


def resolve_data_dir(config: AgentConfig, env: Mapping[str, str] | None = None) -> Path:
    """Where sessions live: ``config.data_dir``, else ``ML_INTERN_DATA_DIR``, else the user data dir."""
    env = (config.env or os.environ) if env is None else env
    chosen = config.data_dir or env.get("ML_INTERN_DATA_DIR")
    return Path(chosen).expanduser() if chosen else Path(platformdirs.user_data_dir("ml-intern"))


def _dotenv_files(cwd: Path | None) -> list[Path]:
    """``.env`` in ``cwd`` then in the project root (only a source checkout), existing ones only."""
    candidates = [(cwd or Path.cwd()) / ".env"]
    if (_DOTENV_ROOT / "pyproject.toml").is_file():
        candidates.append(_DOTENV_ROOT / ".env")
    found: list[Path] = []
    for candidate in candidates:
        if candidate.is_file() and all(candidate.resolve() != f.resolve() for f in found):
            found.append(candidate)
    return found


def dotenv_values(cwd: Path | None = None) -> dict[str, str]:
    """The variables of the ``.env`` files (cwd's over the project root's); read, never exported."""
    values: dict[str, str] = {}
    for path in reversed(_dotenv_files(cwd)):
        values.update({k: v for k, v in dotenv.dotenv_values(path).items() if v is not None})
    return values


def environment(cwd: Path | None = None) -> Mapping[str, str]:
    """A live view of ``os.environ`` over the ``.env`` values: set variables win, nothing is exported."""
    return collections.ChainMap(os.environ, dotenv_values(cwd))


def _missing_variable(source: str) -> Callable[[str, str], ConfigError]:
    def missing(path: str, name: str) -> ConfigError:
        fix = f"set {name} in your environment or .env, or write ${{{name}:-default}}"
        return config_error(source, path or None, f"uses ${{{name}}} but {name} is not set", fix)

    return missing


def _read_json(path: Path) -> Any:
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        fix = "create the file, or fix the path you passed / ML_INTERN_CONFIG"
        raise config_error(source, None, "config file not found", fix) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise config_error(source, None, f"cannot read ({exc})", "make it a readable UTF-8 JSON file") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        problem = f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        fix = "fix the JSON syntax (no comments or trailing commas; strings in double quotes)"
        raise config_error(source, None, problem, fix) from None


def _load_layer(path: Path, env: Mapping[str, str]) -> dict:
    data = substitute(_read_json(path), env, _missing_variable(str(path)))
    validate(data, SCHEMA, str(path))
    return data


# ---------------------------------------------------------------- merging and loading


def _deep_merge(base: dict, over: Mapping[str, Any]) -> dict:
    """Merge ``over`` into a copy of ``base``: dicts recursively, other values replace."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(dict(value) if isinstance(value, Mapping) else value)
    return out


def _note_origin(origin: dict[str, str], layer: Mapping[str, Any], source: str) -> None:
    for key in layer:
        origin[key] = source
    for name in layer.get("mcpServers") or {}:
        origin[f"mcpServers.{name}"] = source


def _env_yolo(env: Mapping[str, str]) -> bool | None:
    raw = env.get("ML_INTERN_YOLO", "").strip().lower()
    if not raw:
        return None
    if parse_bool(raw) is not None:
        return parse_bool(raw)
    problem = f"is {raw!r}, expected 1/true/yes/on or 0/false/no/off"
    raise config_error("environment", "ML_INTERN_YOLO", problem, "set ML_INTERN_YOLO=1 to auto-approve, or unset it")


def _user_file(path: str | Path | None, env: Mapping[str, str]) -> Path | None:
    """The user config to read, or None when the default-location file does not exist."""
    if path is not None:
        return Path(path).expanduser()
    chosen = user_config_path(env)
    return chosen if env.get("ML_INTERN_CONFIG") or chosen.is_file() else None


def _build(merged: dict, sources: list[str], env: Mapping[str, str]) -> AgentConfig:
    fields = {_attr(key): copy.deepcopy(merged[key]) for key in SCHEMA}
    retry = merged["retry"]
    fields["retry"] = RetryConfig(retry["max_retries"], float(retry["base_delay"]), float(retry["max_delay"]))
    return AgentConfig(**fields, source_files=tuple(sources), env=env)


def load_config(
    path: str | Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    load_env_files: bool = True,
) -> AgentConfig:
    """Load defaults, deep-merge the user file and ``overrides`` over them, validate, return."""
    if env is None:
        env = environment() if load_env_files else os.environ
    elif load_env_files:
        env = collections.ChainMap(dict(env), dotenv_values())
    origin: dict[str, str] = {}
    sources: list[str] = []
    merged: dict = {}
    for layer_path in (default_config_path(), _user_file(path, env)):
        if layer_path is not None:
            layer = _load_layer(layer_path, env)
            merged = _deep_merge(merged, layer)
            _note_origin(origin, layer, str(layer_path))
            sources.append(str(layer_path))
    yolo = _env_yolo(env)
    if yolo is not None:
        merged["yolo"] = yolo
    if overrides:
        validate(dict(overrides), SCHEMA, _OVERRIDES)
        merged = _deep_merge(merged, overrides)
        _note_origin(origin, overrides, _OVERRIDES)
    _check_complete(merged, origin)
    return _build(merged, sources, env)

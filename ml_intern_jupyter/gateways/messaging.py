"""Messaging settings: the config's ``messaging`` section plus the Slack environment variables.

Precedence, lowest first:

1. The config's ``messaging`` section (defaults, user file and overrides, ``${VAR}`` already
   substituted by ``load_config``).
2. ``SLACK_BOT_TOKEN`` + ``SLACK_CHANNEL_ID`` (both non-empty) add a Slack destination named
   ``slack.default`` with ``allow_agent_tool`` and ``allow_auto_events`` true. If
   ``ML_INTERN_SLACK_DESTINATION`` names a destination the config does not define, the env
   destination gets that name instead (the seeds' env-only ``slack.ops`` setup). A destination
   the config defines is never replaced by the env one.
3. ``ML_INTERN_SLACK_*`` win over the config:
   ``NOTIFICATIONS`` (true/false) sets ``enabled``; ``DESTINATION`` picks the destination auto
   events go to; ``AUTO_EVENTS`` (comma list) replaces ``auto_event_types``;
   ``ALLOW_AGENT_TOOL``, ``ALLOW_AUTO_EVENTS`` and ``BASE_URL`` apply to every Slack destination.

Messaging is on when ``ML_INTERN_SLACK_NOTIFICATIONS`` is true, off when it is false, and
otherwise on when the config says ``enabled`` or the environment created a destination.
Auto events go to ``ML_INTERN_SLACK_DESTINATION``, else ``slack.default``, else the first
destination (config order) that allows auto events. Config destinations default to
``allow_auto_events: true`` and ``allow_agent_tool: false`` (the agent writing to a channel is
opt-in). Problems raise :class:`ConfigError` when messaging is on; when it is off nothing is checked.
"""

from __future__ import annotations

import difflib
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..common import ConfigError, parse_bool
from ..protocol import EVENT_TYPES

DEFAULT_DESTINATION = "slack.default"
DEFAULT_BASE_URL = "https://slack.com/api"
DEFAULT_AUTO_EVENTS = ("approval_required", "error", "turn_complete")
PROVIDERS = ("slack",)
ENV_PREFIX = "ML_INTERN_SLACK_"
_CONFIG = "config"
_ENV = "environment"


@dataclass(frozen=True)
class Destination:
    """One named place messages go to. The token never appears in ``repr``."""

    name: str
    provider: str
    channel: str
    token: str = field(repr=False)
    allow_agent_tool: bool = False
    allow_auto_events: bool = True
    base_url: str = DEFAULT_BASE_URL


@dataclass(frozen=True)
class MessagingSettings:
    """Resolved messaging settings; see the module docstring for precedence."""

    enabled: bool = False
    auto_event_types: tuple[str, ...] = DEFAULT_AUTO_EVENTS
    destinations: tuple[Destination, ...] = ()
    auto_destination: str | None = None

    def get(self, name: str) -> Destination | None:
        """The destination called ``name``, or None."""
        return next((d for d in self.destinations if d.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        """Destination names, in order."""
        return tuple(d.name for d in self.destinations)

    @property
    def tool_destinations(self) -> tuple[str, ...]:
        """Names of the destinations the agent's ``notify`` tool may write to."""
        return tuple(d.name for d in self.destinations if d.allow_agent_tool)


def _error(source: str, key: str, problem: str, fix: str) -> ConfigError:
    return ConfigError(f"{source}: `{key}`: {problem}. Fix: {fix}", path=source, key=key)


def _env_bool(env: Mapping[str, str], suffix: str) -> bool | None:
    name = ENV_PREFIX + suffix
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return None
    value = parse_bool(raw)
    if value is not None:
        return value
    raise _error(_ENV, name, f"is {raw!r}, expected true or false", f"set {name}=true or {name}=false, or unset it")


def _env_str(env: Mapping[str, str], name: str) -> str:
    return (env.get(name) or "").strip()


def _env_destination(env: Mapping[str, str]) -> dict[str, Any] | None:
    token, channel = _env_str(env, "SLACK_BOT_TOKEN"), _env_str(env, "SLACK_CHANNEL_ID")
    if not token or not channel:
        return None
    entry = {"provider": "slack", "token": token, "channel": channel, "allow_agent_tool": True}
    return {**entry, "allow_auto_events": True, "_source": _ENV}


def _raw_destinations(config: Mapping[str, Any], env: Mapping[str, str]) -> tuple[dict[str, dict], bool]:
    """Config destinations plus the env one; also whether the env one was added."""
    raw = {name: {**dict(entry), "_source": _CONFIG} for name, entry in (config.get("destinations") or {}).items()}
    chosen = _env_str(env, ENV_PREFIX + "DESTINATION")
    env_name = chosen if chosen and chosen not in raw else DEFAULT_DESTINATION
    from_env = _env_destination(env)
    if from_env is None or env_name in raw:
        return raw, False
    raw[env_name] = from_env
    return raw, True


def _check_url(url: str, source: str, key: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return url.rstrip("/")
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if parts.scheme == "http" and loopback:
        return url.rstrip("/")
    fix = f"use an https:// URL such as {DEFAULT_BASE_URL} (plain http only for localhost)"
    raise _error(source, key, f"{url!r} is not an https URL, so the token would travel in clear text", fix)


def _destination(name: str, entry: Mapping[str, Any], env: Mapping[str, str]) -> Destination:
    source = entry.get("_source", _CONFIG)
    key = f"messaging.destinations.{name}"
    provider = entry.get("provider") or "slack"
    if provider not in PROVIDERS:
        raise _error(source, f"{key}.provider", f"provider {provider!r} is not supported", 'use "slack"')
    for part in ("token", "channel"):
        value = str(entry.get(part) or "").strip()
        if not value:
            fix = f'set "{part}" (e.g. "${{SLACK_BOT_TOKEN}}" / "${{SLACK_CHANNEL_ID}}")'
            raise _error(source, f"{key}.{part}", "is missing or empty", fix)
        if any(ch.isspace() for ch in value):
            raise _error(source, f"{key}.{part}", "contains whitespace", f"remove the spaces from the {part}")
    overrides = {
        "allow_agent_tool": _env_bool(env, "ALLOW_AGENT_TOOL"),
        "allow_auto_events": _env_bool(env, "ALLOW_AUTO_EVENTS"),
    }
    flags = {k: bool(entry.get(k, k == "allow_auto_events")) if v is None else v for k, v in overrides.items()}
    env_url = _env_str(env, ENV_PREFIX + "BASE_URL")
    url_at = (_ENV, ENV_PREFIX + "BASE_URL") if env_url else (source, f"{key}.base_url")
    base_url = _check_url(env_url or str(entry.get("base_url") or DEFAULT_BASE_URL), *url_at)
    token, channel = str(entry["token"]).strip(), str(entry["channel"]).strip()
    return Destination(name, provider, channel, token, base_url=base_url, **flags)


def _event_types(config: Mapping[str, Any], env: Mapping[str, str]) -> tuple[str, ...]:
    raw = _env_str(env, ENV_PREFIX + "AUTO_EVENTS")
    key, source = (ENV_PREFIX + "AUTO_EVENTS", _ENV) if raw else ("messaging.auto_event_types", _CONFIG)
    if raw:
        names = [part.strip() for part in raw.split(",") if part.strip()]
    else:
        names = list(config.get("auto_event_types", DEFAULT_AUTO_EVENTS))
    known = [cls.type for cls in EVENT_TYPES]
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f'did you mean "{close[0]}"? ' if close else ""
            raise _error(source, key, f"unknown event type {name!r}", f"{hint}Valid types: {', '.join(known)}")
    return tuple(dict.fromkeys(names))


def _auto_destination(destinations: tuple[Destination, ...], env: Mapping[str, str]) -> str | None:
    chosen = _env_str(env, ENV_PREFIX + "DESTINATION")
    names = [d.name for d in destinations]
    if chosen:
        if chosen not in names:
            name = ENV_PREFIX + "DESTINATION"
            fix = f"define it under messaging.destinations, set SLACK_BOT_TOKEN and SLACK_CHANNEL_ID, or unset {name}"
            raise _error(_ENV, name, f"names an unknown destination {chosen!r}", fix)
        return chosen
    if DEFAULT_DESTINATION in names:
        return DEFAULT_DESTINATION
    return next((d.name for d in destinations if d.allow_auto_events), None)


def messaging_settings(config_messaging: Mapping[str, Any] | None, env: Mapping[str, str]) -> MessagingSettings:
    """Resolve the settings from ``config.messaging`` and ``env`` (raises :class:`ConfigError`)."""
    config = dict(config_messaging or {})
    raw, from_env = _raw_destinations(config, env)
    switch = _env_bool(env, "NOTIFICATIONS")
    enabled = switch if switch is not None else bool(config.get("enabled")) or from_env
    if not enabled:
        return MessagingSettings(enabled=False)
    destinations = tuple(_destination(name, entry, env) for name, entry in raw.items())
    return MessagingSettings(
        enabled=True,
        auto_event_types=_event_types(config, env),
        destinations=destinations,
        auto_destination=_auto_destination(destinations, env),
    )

"""Resolving messaging settings from the config's ``messaging`` section and the environment."""

from __future__ import annotations

import json

import pytest

from ml_intern_jupyter.agent.config import ConfigError, load_config
from ml_intern_jupyter.gateways import DEFAULT_BASE_URL, SlackClient, SlackError, messaging_settings

from .slack_server import SlackServer

TOKEN = "xoxb-111-222-envtoken"
SLACK_ENV = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_CHANNEL_ID": "C0ENV"}
DEFAULTS = {"enabled": False, "auto_event_types": ["approval_required", "error", "turn_complete"], "destinations": {}}


def ops(**extra) -> dict:
    return {"provider": "slack", "token": "xoxb-ops-token", "channel": "C0OPS", **extra}


def config(enabled: bool = True, **destinations) -> dict:
    return {**DEFAULTS, "enabled": enabled, "destinations": destinations}


def test_nothing_configured_means_off():
    settings = messaging_settings(DEFAULTS, {})
    assert not settings.enabled
    assert settings.destinations == ()


@pytest.mark.parametrize("env", [{"SLACK_BOT_TOKEN": TOKEN}, {"SLACK_CHANNEL_ID": "C1"}, {"SLACK_BOT_TOKEN": " "}])
def test_env_needs_both_token_and_channel(env):
    assert not messaging_settings(DEFAULTS, {**env}).enabled


def test_env_token_and_channel_create_slack_default():
    settings = messaging_settings(DEFAULTS, SLACK_ENV)
    assert settings.enabled
    assert settings.names == ("slack.default",)
    dest = settings.get("slack.default")
    assert (dest.provider, dest.token, dest.channel) == ("slack", TOKEN, "C0ENV")
    assert dest.allow_agent_tool and dest.allow_auto_events
    assert dest.base_url == DEFAULT_BASE_URL == "https://slack.com/api"
    assert settings.auto_destination == "slack.default"
    assert settings.auto_event_types == ("approval_required", "error", "turn_complete")
    assert settings.tool_destinations == ("slack.default",)


def test_destination_repr_hides_the_token():
    dest = messaging_settings(DEFAULTS, SLACK_ENV).get("slack.default")
    assert TOKEN not in repr(dest)
    assert TOKEN not in repr(messaging_settings(DEFAULTS, SLACK_ENV))


def test_config_destinations_and_their_defaults():
    cfg = config(**{"slack.ops": ops(), "slack.tool": ops(allow_agent_tool=True, allow_auto_events=False)})
    settings = messaging_settings(cfg, {})
    assert settings.enabled
    assert settings.names == ("slack.ops", "slack.tool")
    assert settings.get("slack.ops").allow_auto_events and not settings.get("slack.ops").allow_agent_tool
    assert settings.tool_destinations == ("slack.tool",)
    assert settings.auto_destination == "slack.ops"  # the first that allows auto events


def test_config_destination_base_url_is_kept():
    cfg = config(**{"slack.ops": ops(base_url="https://slack.example.com/api/")})
    assert messaging_settings(cfg, {}).get("slack.ops").base_url == "https://slack.example.com/api"


def test_config_disabled_ignores_its_destinations_unless_env_creates_one():
    cfg = config(False, **{"slack.ops": ops()})
    assert not messaging_settings(cfg, {}).enabled
    settings = messaging_settings(cfg, SLACK_ENV)
    assert settings.enabled
    assert settings.names == ("slack.ops", "slack.default")
    assert settings.auto_destination == "slack.default"


def test_config_slack_default_wins_over_env():
    cfg = config(**{"slack.default": ops(allow_agent_tool=False)})
    dest = messaging_settings(cfg, SLACK_ENV).get("slack.default")
    assert (dest.token, dest.channel, dest.allow_agent_tool) == ("xoxb-ops-token", "C0OPS", False)


def test_seed_config_file_with_env_substitution(tmp_path):
    seed = {
        "messaging": {
            "enabled": True,
            "auto_event_types": ["approval_required", "error", "turn_complete"],
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
    path = tmp_path / "config.json"
    path.write_text(json.dumps(seed))
    cfg = load_config(path, env=SLACK_ENV, load_env_files=False)
    settings = messaging_settings(cfg.messaging, SLACK_ENV)
    assert settings.get("slack.ops").token == TOKEN
    assert settings.names == ("slack.ops", "slack.default")
    assert settings.auto_destination == "slack.default"


# -- ML_INTERN_SLACK_* overrides -------------------------------------------------------------


def test_notifications_false_turns_everything_off():
    env = {**SLACK_ENV, "ML_INTERN_SLACK_NOTIFICATIONS": "false"}
    assert not messaging_settings(config(**{"slack.ops": ops()}), env).enabled


def test_notifications_true_turns_config_on():
    env = {"ML_INTERN_SLACK_NOTIFICATIONS": "yes"}
    assert messaging_settings(config(False, **{"slack.ops": ops()}), env).enabled


def test_notifications_bad_value_names_the_variable():
    with pytest.raises(ConfigError, match="ML_INTERN_SLACK_NOTIFICATIONS") as info:
        messaging_settings(DEFAULTS, {**SLACK_ENV, "ML_INTERN_SLACK_NOTIFICATIONS": "maybe"})
    assert info.value.key == "ML_INTERN_SLACK_NOTIFICATIONS"


def test_destination_picks_a_configured_destination_for_auto_events():
    env = {**SLACK_ENV, "ML_INTERN_SLACK_DESTINATION": "slack.ops"}
    settings = messaging_settings(config(**{"slack.ops": ops()}), env)
    assert settings.auto_destination == "slack.ops"
    assert settings.names == ("slack.ops", "slack.default")


def test_destination_names_the_env_destination_when_unconfigured():
    env = {**SLACK_ENV, "ML_INTERN_SLACK_DESTINATION": "slack.team"}
    settings = messaging_settings(DEFAULTS, env)
    assert settings.names == ("slack.team",)
    assert settings.get("slack.team").token == TOKEN
    assert settings.auto_destination == "slack.team"


def test_unknown_destination_without_env_credentials_is_an_error():
    env = {"ML_INTERN_SLACK_DESTINATION": "slack.nowhere"}
    with pytest.raises(ConfigError, match=r"slack\.nowhere"):
        messaging_settings(config(**{"slack.ops": ops()}), env)


def test_auto_events_override():
    env = {**SLACK_ENV, "ML_INTERN_SLACK_AUTO_EVENTS": " error , interrupted,,error"}
    assert messaging_settings(DEFAULTS, env).auto_event_types == ("error", "interrupted")


def test_auto_events_typo_suggests_the_name():
    env = {**SLACK_ENV, "ML_INTERN_SLACK_AUTO_EVENTS": "approvalrequired,error"}
    with pytest.raises(ConfigError, match='did you mean "approval_required"'):
        messaging_settings(DEFAULTS, env)


def test_config_auto_event_types_are_checked_too():
    cfg = {**config(**{"slack.ops": ops()}), "auto_event_types": ["turn_done"]}
    with pytest.raises(ConfigError, match="turn_done"):
        messaging_settings(cfg, {})


@pytest.mark.parametrize("value", ["false", "0", "off"])
def test_allow_agent_tool_override_applies_to_every_slack_destination(value):
    cfg = config(**{"slack.ops": ops(allow_agent_tool=True)})
    settings = messaging_settings(cfg, {**SLACK_ENV, "ML_INTERN_SLACK_ALLOW_AGENT_TOOL": value})
    assert settings.tool_destinations == ()


def test_allow_agent_tool_true_opens_config_destinations():
    settings = messaging_settings(config(**{"slack.ops": ops()}), {"ML_INTERN_SLACK_ALLOW_AGENT_TOOL": "true"})
    assert settings.tool_destinations == ("slack.ops",)


def test_allow_auto_events_override():
    settings = messaging_settings(DEFAULTS, {**SLACK_ENV, "ML_INTERN_SLACK_ALLOW_AUTO_EVENTS": "false"})
    assert not settings.get("slack.default").allow_auto_events
    assert settings.auto_destination == "slack.default"  # chosen, but it will not post auto events


def test_base_url_override_applies_to_every_slack_destination():
    env = {**SLACK_ENV, "ML_INTERN_SLACK_BASE_URL": "http://127.0.0.1:8765/api/"}
    settings = messaging_settings(config(**{"slack.ops": ops(base_url="https://x.example/api")}), env)
    assert {d.base_url for d in settings.destinations} == {"http://127.0.0.1:8765/api"}


@pytest.mark.parametrize("url", ["http://slack.example.com/api", "ftp://127.0.0.1/api", "slack.com/api"])
def test_base_url_must_be_https_except_on_localhost(url):
    with pytest.raises(ConfigError, match="https") as info:
        messaging_settings(DEFAULTS, {**SLACK_ENV, "ML_INTERN_SLACK_BASE_URL": url})
    assert info.value.key == "ML_INTERN_SLACK_BASE_URL"


def test_localhost_http_is_allowed():
    env = {**SLACK_ENV, "ML_INTERN_SLACK_BASE_URL": "http://localhost:9/api"}
    assert messaging_settings(DEFAULTS, env).get("slack.default").base_url == "http://localhost:9/api"


# -- broken destinations ---------------------------------------------------------------------


def test_missing_token_is_an_error_with_the_key():
    with pytest.raises(ConfigError) as info:
        messaging_settings(config(**{"slack.ops": ops(token="")}), {})
    assert info.value.key == "messaging.destinations.slack.ops.token"


def test_unsupported_provider_is_an_error():
    with pytest.raises(ConfigError, match="zulip"):
        messaging_settings(config(**{"z": ops(provider="zulip")}), {})


def test_missing_provider_means_slack():
    cfg = config(**{"slack.ops": {"token": "xoxb-a", "channel": "C1"}})
    assert messaging_settings(cfg, {}).get("slack.ops").provider == "slack"


def test_broken_destinations_are_ignored_while_messaging_is_off():
    assert not messaging_settings(config(False, **{"slack.ops": ops(token="")}), {}).enabled


# -- the Slack client ------------------------------------------------------------------------


async def test_slack_client_posts_json_with_the_bearer_token():
    with SlackServer(token=TOKEN) as server:
        await SlackClient(TOKEN, server.url + "/").post("C1", "hello")
    [post] = server.posts()
    assert post.authorization == f"Bearer {TOKEN}"
    assert post.body == {"channel": "C1", "text": "hello", "unfurl_links": False, "unfurl_media": False}
    assert TOKEN not in repr(SlackClient(TOKEN, server.url))


async def test_slack_client_does_not_follow_redirects_with_the_token():
    with SlackServer(token=TOKEN) as thief, SlackServer(token=TOKEN) as server:
        server.redirect = thief.url + "/chat.postMessage"
        with pytest.raises(SlackError, match="HTTP 307") as info:
            await SlackClient(TOKEN, server.url).post("C1", "hello")
    assert len(server.posts()) == 1 and thief.requests == []
    assert TOKEN not in str(info.value)

"""The notifier, the ``notify`` tool and ``attach_gateways``, against a local Slack server."""

from __future__ import annotations

import asyncio
import logging
import sys

import httpx
import pytest

from ml_intern_jupyter.gateways import Notifier, attach_gateways, messaging_settings
from ml_intern_jupyter.gateways.notifier import default_redactor
from ml_intern_jupyter.protocol import (
    ApprovalRequired,
    AssistantChunk,
    ErrorEvent,
    ExecApproval,
    Interrupted,
    Processing,
    Ready,
    ToolOutput,
    TurnComplete,
)
from ml_intern_jupyter.tools.spec import ToolContext

from ..conftest import RiskyTool, say
from .slack_server import SlackServer, dead_url

TOKEN = "xoxb-999-888-testtoken"
CHANNEL = "C0TEST"
DEFAULTS = {"enabled": False, "auto_event_types": ["approval_required", "error", "turn_complete"], "destinations": {}}
LOGGER = "ml_intern_jupyter.gateways"


@pytest.fixture
def slack():
    with SlackServer(token=TOKEN) as server:
        yield server


def slack_env(url: str, **extra: str) -> dict[str, str]:
    return {"SLACK_BOT_TOKEN": TOKEN, "SLACK_CHANNEL_ID": CHANNEL, "ML_INTERN_SLACK_BASE_URL": url, **extra}


def recording_factory(sent: list):
    class Client:
        def __init__(self, token: str, base_url: str) -> None:
            self.token, self.base_url = token, base_url

        async def post(self, channel: str, text: str) -> None:
            sent.append((self.token, self.base_url, channel, text))

    return Client


def notifier_for(env: dict, sent: list, messaging: dict = DEFAULTS, **kwargs) -> Notifier:
    kwargs.setdefault("redact", lambda s: s)
    return Notifier(messaging_settings(messaging, env), client_factory=recording_factory(sent), **kwargs)


def notify(name: str = "notify", **arguments):
    return {"name": name, "arguments": arguments}


# -- formatting and the sink -------------------------------------------------------------


async def test_sink_posts_approval_error_and_turn_complete_only():
    sent: list = []
    notifier = notifier_for(slack_env("https://slack.com/api"), sent)
    events = [
        Processing(user_message="hi"),
        AssistantChunk(content="x"),
        ToolOutput(name="python", output="2"),
        ApprovalRequired(name="python", arguments={"code": "1+1"}, reason="runs code"),
        ErrorEvent(message="rate limited", fix="wait a minute"),
        TurnComplete(final_text="All done.\nModel pushed."),
        Interrupted(),
        Ready(),
    ]
    for event in events:
        notifier.sink(event)
    assert await notifier.drain(timeout=5)
    assert [text for *_, text in sent] == [
        '⏳ ML Intern needs approval: python(code="1+1") — runs code',
        "✗ error: rate limited\nFix: wait a minute",
        "✓ turn complete: All done. Model pushed.",
    ]
    assert {(token, url, channel) for token, url, channel, _ in sent} == {(TOKEN, "https://slack.com/api", CHANNEL)}
    assert notifier.sent == 3


async def test_auto_events_override_and_other_event_types():
    sent: list = []
    notifier = notifier_for(slack_env("https://slack.com/api", ML_INTERN_SLACK_AUTO_EVENTS="interrupted"), sent)
    notifier.sink(TurnComplete(final_text="done"))
    notifier.sink(Interrupted(reason="user"))
    await notifier.drain()
    assert [text for *_, text in sent] == ["• interrupted: user"]


async def test_allow_auto_events_false_posts_nothing():
    sent: list = []
    notifier = notifier_for(slack_env("https://slack.com/api", ML_INTERN_SLACK_ALLOW_AUTO_EVENTS="false"), sent)
    notifier.sink(TurnComplete(final_text="done"))
    notifier.sink(ErrorEvent(message="boom"))
    await notifier.drain()
    assert sent == []


async def test_text_is_redacted_before_it_is_cut_and_escaped():
    sent: list = []
    notifier = notifier_for(slack_env("https://slack.com/api"), sent, redact=lambda s: s.replace("hunter2", "[X]"))
    notifier.sink(TurnComplete(final_text="pw hunter2 <!channel> & done"))
    notifier.sink(TurnComplete(final_text="x" * 295 + TOKEN))  # the token straddles the 300-char cut
    await notifier.drain()
    first, second = (text for *_, text in sent)
    assert first == "✓ turn complete: pw [X] &lt;!channel&gt; &amp; done"
    assert "xoxb" not in second and second.endswith("x[RED…")
    assert len(second) == len("✓ turn complete: ") + 300


def test_sink_without_a_running_loop_drops_and_logs(caplog):
    notifier = notifier_for(slack_env("https://slack.com/api"), [])
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        notifier.sink(TurnComplete(final_text="done"))
    assert "no running event loop" in caplog.text


def test_default_redactor_hook(monkeypatch):
    monkeypatch.setitem(sys.modules, "ml_intern_jupyter.traces.redact", None)  # module absent
    assert default_redactor({})("hf_abcdefghijklmnopqrstuvwxyz0123456789") == "hf_abcdefghijklmnopqrstuvwxyz0123456789"


def test_default_redactor_uses_traces_redact_when_present():
    pytest.importorskip("ml_intern_jupyter.traces.redact")
    secret = "hf_" + "AbCdEfGhIjKlMnOpQrStUvWxYz012345"
    assert secret not in default_redactor({"HF_TOKEN": secret})(f"token is {secret}")


# -- the notify tool ---------------------------------------------------------------------


def two_destinations(url: str) -> dict:
    def dest(allow_tool: bool) -> dict:
        return {"token": TOKEN, "channel": CHANNEL, "base_url": url, "allow_agent_tool": allow_tool}

    return {**DEFAULTS, "enabled": True, "destinations": {"slack.ops": dest(True), "slack.quiet": dest(False)}}


async def test_notify_tool_refuses_unknown_and_closed_destinations():
    sent: list = []
    tool = notifier_for({}, sent, two_destinations("https://slack.com/api")).notify_tool()
    ctx = ToolContext(tool_call_id="c1", name="notify")
    unknown = await tool.handler({"message": "hi", "destination": "slack.nope"}, ctx)
    closed = await tool.handler({"message": "hi", "destination": "slack.quiet"}, ctx)
    empty = await tool.handler({"message": "  "}, ctx)
    assert not unknown.ok and "slack.ops" in unknown.output
    assert not closed.ok and "does not accept" in closed.output
    assert not empty.ok
    assert sent == []
    ok = await tool.handler({"message": "hi"}, ctx)
    assert ok.ok and ok.output == "Message sent to slack.ops."
    assert not tool.requires_approval({"message": "hi"})


def test_no_notify_tool_when_no_destination_allows_it():
    env = slack_env("https://slack.com/api", ML_INTERN_SLACK_ALLOW_AGENT_TOOL="false")
    assert notifier_for(env, []).notify_tool() is None


async def test_notify_tool_does_not_wait_for_a_slow_slack(slack):
    slack.delay = 2.0
    notifier = Notifier(messaging_settings(DEFAULTS, slack_env(slack.url)), redact=lambda s: s, tool_wait=0.05)
    result = await notifier.notify_tool().handler({"message": "hi"}, ToolContext("c1", "notify"))
    assert result.ok and "queued" in result.output
    assert not await notifier.drain(timeout=0.05)
    assert await notifier.drain(timeout=10) and slack.texts() == ["hi"]


# -- a real session against the local Slack server ------------------------------------------


async def test_session_posts_turn_complete(make_session, slack):
    session, _ = make_session([{"text": "Trained the model; accuracy 0.93."}])
    notifier = attach_gateways(session, slack_env(slack.url))
    assert (await say(session, "train it")).ok
    assert await notifier.drain(timeout=10)
    [post] = slack.posts()
    assert post.authorization == f"Bearer {TOKEN}"
    assert post.body["channel"] == CHANNEL
    assert post.body["text"] == "✓ turn complete: Trained the model; accuracy 0.93."


async def test_session_notify_tool_called_by_the_model(make_session, slack):
    session, rec = make_session([{"tool_calls": [notify(message="Training finished: acc 0.93")]}, {"text": "Sent."}])
    notifier = attach_gateways(session, slack_env(slack.url, ML_INTERN_SLACK_AUTO_EVENTS="error"))
    assert "notify" in session.tools
    assert (await say(session, "tell me on slack when done")).ok
    await notifier.drain(timeout=10)
    assert slack.texts() == ["Training finished: acc 0.93"]
    [output] = rec.of("tool_output")
    assert output.ok and output.output == "Message sent to slack.default."
    assert rec.of("approval_required") == []


async def test_session_posts_approval_required_and_errors(make_session, slack):
    risky = RiskyTool()
    session, _ = make_session(
        [{"tool_calls": [{"name": "risky", "arguments": {"code": "train()"}}]}, {"error": "auth"}],
        tools=[risky.spec()],
    )
    notifier = attach_gateways(session, slack_env(slack.url))

    def approve(event):
        if event.type == "approval_required":
            asyncio.get_running_loop().create_task(session.submit(ExecApproval(event.tool_call_id, approved=True)))

    session.add_sink(approve)
    assert (await say(session, "train")).stop_reason == "error"
    await notifier.drain(timeout=10)
    approval, error = slack.texts()
    assert approval == '⏳ ML Intern needs approval: risky(code="train()") — runs code'
    assert error.startswith("✗ error: ")


async def test_attach_gateways_is_a_no_op_when_messaging_is_off(make_session):
    session, _ = make_session([{"text": "hi"}])
    assert attach_gateways(session, {}) is None
    assert "notify" not in session.tools


@pytest.mark.parametrize("failure", ["dead", "ok_false", "http_500", "bad_token"])
async def test_failed_posts_never_break_the_turn(make_session, slack, caplog, failure):
    url = dead_url() if failure == "dead" else slack.url
    slack.fail = "channel_not_found" if failure == "ok_false" else None
    slack.status = 500 if failure == "http_500" else 200
    if failure == "bad_token":
        slack.token = "xoxb-the-right-one"
    session, rec = make_session([{"tool_calls": [notify(message="hello")]}, {"text": "Done."}])
    notifier = attach_gateways(session, slack_env(url))
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        outcome = await say(session, "go")
        await notifier.drain(timeout=10)
    assert outcome.ok and rec.types()[-2:] == ["turn_complete", "ready"]
    [output] = rec.of("tool_output")
    assert not output.ok and "Could not deliver" in output.output
    assert notifier.failed == 2 and notifier.sent == 0
    assert caplog.text.count("dropped") == 2
    expected = {"dead": "cannot reach", "ok_false": "channel_not_found", "http_500": "HTTP 500"}
    assert expected.get(failure, "invalid_auth") in caplog.text
    assert TOKEN not in caplog.text and TOKEN not in output.output


async def test_token_only_goes_to_the_configured_server(make_session, slack, monkeypatch):
    seen: list[httpx.Request] = []
    original = httpx.AsyncClient.send

    async def spy(self, request, *args, **kwargs):
        seen.append(request)
        return await original(self, request, *args, **kwargs)

    monkeypatch.setattr(httpx.AsyncClient, "send", spy)
    session, _ = make_session([{"tool_calls": [notify(message="ping")]}, {"text": f"leaked {TOKEN}?"}])
    notifier = attach_gateways(session, slack_env(slack.url))
    await say(session, "go")
    await notifier.drain(timeout=10)
    assert len(seen) == 2 and len(slack.posts()) == 2
    assert {(r.url.host, r.url.port, r.url.path) for r in seen} == {("127.0.0.1", slack.port, "/chat.postMessage")}
    assert all(TOKEN not in r.content.decode() for r in seen)
    assert slack.texts()[1].startswith("✓ turn complete: leaked [REDACTED")


async def test_a_slow_slack_does_not_delay_the_turn(make_session, slack):
    slack.delay = 2.0
    session, _ = make_session([{"text": "Done."}])
    notifier = attach_gateways(session, slack_env(slack.url))
    order: list[str] = []
    session.add_sink(lambda event: order.append(event.type) if event.type == "turn_complete" else None)
    await say(session, "go")
    order.append(f"turn returned; posts answered: {len(slack.completed)}; in flight: {notifier.pending}")
    assert await notifier.drain(timeout=10)
    order.append(f"drained; posts answered: {len(slack.completed)}")
    assert order == ["turn_complete", "turn returned; posts answered: 0; in flight: 1", "drained; posts answered: 1"]
    assert slack.texts() == ["✓ turn complete: Done."]

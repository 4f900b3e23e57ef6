"""Posts agent events and ``notify`` tool messages to messaging destinations, in the background.

A session's sink must not block: :meth:`Notifier.sink` only formats the message and starts a
task. Every post runs as a task the notifier keeps; a failure is logged (without the token) and
dropped, never raised into the turn.

Redaction: every message goes through ``redact`` before it is cut to length, so no secret or half
of one reaches Slack. By default that is ``traces.redact.Redactor(env=env).text`` when the module
exists; the destination tokens are always masked as well.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from ..protocol import ApprovalRequired, ErrorEvent, Event, TurnComplete
from ..tools.spec import ToolContext, ToolResult, ToolRouter, ToolSpec
from .messaging import Destination, MessagingSettings, messaging_settings
from .slack import SlackClient, clip, escape

log = logging.getLogger(__name__)

Redact = Callable[[str], str]
PLACEHOLDER = "[REDACTED]"
TOOL_WAIT = 3.0
"""Seconds the ``notify`` tool waits for Slack before answering "queued" (delivery goes on)."""


class GatewayHost(Protocol):
    """What ``attach_gateways`` needs of a session: its messaging config, its tools and its events."""

    config: Any
    tools: ToolRouter

    def add_sink(self, sink: Callable[[Event], None]) -> None: ...


class Poster(Protocol):
    """What a client factory returns (``SlackClient`` in production)."""

    async def post(self, channel: str, text: str) -> None: ...


ClientFactory = Callable[[str, str], Poster]
"""``factory(token, base_url)``."""


class NotifyError(LookupError):
    """``send`` was asked for a destination that is not configured."""


def _identity(text: str) -> str:
    return text


def default_redactor(env: Mapping[str, str], secrets: Iterable[str] = ()) -> Redact:
    """``traces.redact.Redactor(env=env, extra_secrets=secrets).text``; identity if it is missing."""
    try:
        from ..traces.redact import Redactor
    except ImportError:
        log.warning("traces.redact is not available: Slack messages are not redacted beyond the Slack tokens")
        return _identity
    return Redactor(env=env, extra_secrets=secrets).text


def _short(text: str, redact: Redact, limit: int) -> str:
    """Redact first, then cut: a cut must never leave half a secret behind."""
    return clip(" ".join(redact(text).split()), limit)


def _call_preview(arguments: Mapping[str, Any], redact: Redact) -> str:
    parts = (f"{key}={json.dumps(value, ensure_ascii=False, default=str)}" for key, value in arguments.items())
    return _short(", ".join(parts), redact, 200)


def format_event(event: Event, redact: Redact = _identity) -> str | None:
    """A short, human message for one event, or None for events without text."""
    if isinstance(event, ApprovalRequired):
        text = f"⏳ ML Intern needs approval: {event.name}({_call_preview(event.arguments, redact)})"
        return text + (f" — {_short(event.reason, redact, 200)}" if event.reason else "")
    if isinstance(event, ErrorEvent):
        text = f"✗ error: {_short(event.message, redact, 500)}"
        return text + (f"\nFix: {_short(event.fix, redact, 300)}" if event.fix else "")
    if isinstance(event, TurnComplete):
        head = "✓ turn complete" if event.stop_reason == "done" else f"✓ turn complete ({event.stop_reason})"
        body = _short(event.final_text, redact, 300)
        return f"{head}: {body}" if body else head
    data = event.to_dict()
    for key in ("message", "content", "output", "line", "reason", "user_message", "name"):
        if isinstance(data.get(key), str) and data[key].strip():
            return f"• {event.type}: {_short(data[key], redact, 300)}"
    return f"• {event.type}"


class Notifier:
    """Sends to the destinations of one session's :class:`MessagingSettings`."""

    def __init__(
        self,
        settings: MessagingSettings,
        *,
        client_factory: ClientFactory | None = None,
        redact: Redact | None = None,
        env: Mapping[str, str] | None = None,
        tool_wait: float = TOOL_WAIT,
    ) -> None:
        self.settings = settings
        self.tool_wait = tool_wait
        self.sent = 0
        self.failed = 0
        self._factory: ClientFactory = client_factory or SlackClient
        self._clients: dict[str, Poster] = {}
        self._tasks: set[asyncio.Task[str | None]] = set()
        self._tokens = sorted({d.token for d in settings.destinations if d.token}, key=len, reverse=True)
        env = os.environ if env is None else env
        base = redact if redact is not None else default_redactor(env, self._tokens)
        self._redact: Redact = lambda text: self._mask(base(text))

    # -- sending ---------------------------------------------------------------------
    def _mask(self, text: str) -> str:
        for token in self._tokens:
            text = text.replace(token, PLACEHOLDER)
        return text

    def _client(self, dest: Destination) -> Poster:
        if dest.name not in self._clients:
            self._clients[dest.name] = self._factory(dest.token, dest.base_url)
        return self._clients[dest.name]

    async def _deliver(self, dest: Destination, text: str) -> str | None:
        """Post once; None when delivered, else the (logged) reason."""
        try:
            await self._client(dest).post(dest.channel, escape(clip(text)))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            reason = self._mask(str(exc) or type(exc).__name__)
            self.failed += 1
            log.warning("message to %s dropped: %s", dest.name, reason)
            return reason
        self.sent += 1
        return None

    def _start(self, dest: Destination, text: str) -> asyncio.Task[str | None] | None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            log.warning("message to %s dropped: no running event loop", dest.name)
            return None
        task = loop.create_task(self._deliver(dest, text), name=f"notify:{dest.name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def sink(self, event: Event) -> None:
        """Session sink: start a background post for auto events; never blocks, never raises."""
        if event.type not in self.settings.auto_event_types or not self.settings.auto_destination:
            return
        dest = self.settings.get(self.settings.auto_destination)
        if dest is None or not dest.allow_auto_events:
            return
        try:
            text = format_event(event, self._redact)
        except Exception:  # a formatting bug must not cost the user the message silently
            log.exception("cannot format %s for %s", event.type, dest.name)
            return
        if text:
            self._start(dest, text)

    async def send(self, destination: str, text: str, *, wait: float | None = None) -> str | None:
        """Redact and post ``text``; None when delivered, else the failure reason (also logged).

        Raises :class:`NotifyError` for an unknown destination and ``TimeoutError`` when the post
        is still running after ``wait`` seconds (it goes on in the background).
        """
        dest = self.settings.get(destination)
        if dest is None:
            raise NotifyError(f"unknown destination {destination!r}; configured: {', '.join(self.settings.names)}")
        task = self._start(dest, clip(self._redact(text)))
        assert task is not None  # we are inside a coroutine, so a loop runs
        done, _ = await asyncio.wait({task}, timeout=wait)
        if not done:
            raise TimeoutError(f"the post to {destination} is still running")
        return task.result()

    @property
    def pending(self) -> int:
        """Posts still in flight."""
        return len(self._tasks)

    async def drain(self, timeout: float | None = None) -> bool:
        """Wait for the posts in flight (e.g. before the CLI exits); True when none is left."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while self._tasks:
            left = None if deadline is None else deadline - loop.time()
            if left is not None and left <= 0:
                return False
            await asyncio.wait(set(self._tasks), timeout=left)
        return True

    # -- the notify tool -------------------------------------------------------------
    def notify_tool(self) -> ToolSpec | None:
        """The ``notify`` tool, or None when no destination allows the agent to write.

        No approval: it writes only to destinations the user configured and opted in with
        ``allow_agent_tool``, text is redacted and escaped, and asking would defeat its purpose
        (telling an away user that a long run finished). Put ``notify`` in
        ``approval_policy.always_ask`` to confirm every message.
        """
        allowed = self.settings.tool_destinations
        if not allowed:
            return None
        auto = self.settings.auto_destination
        default = auto if auto in allowed else allowed[0]
        description = (
            "Send a short message to the user's team chat (Slack), e.g. when a long job finishes, "
            "when you are blocked, or when the user asked to be told. Keep it brief; never include "
            f"secrets. Destinations: {', '.join(allowed)} (default {default})."
        )
        parameters = {
            "type": "object",
            "properties": {
                "message": {"type": "string", "minLength": 1, "description": "The message text."},
                "destination": {"type": "string", "description": f"One of: {', '.join(allowed)}."},
            },
            "required": ["message"],
            "additionalProperties": False,
        }

        async def handler(arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
            return await self._tool_call(arguments, default)

        return ToolSpec(name="notify", description=description, parameters=parameters, handler=handler)

    async def _tool_call(self, arguments: Mapping[str, Any], default: str) -> ToolResult:
        name = str(arguments.get("destination") or default)
        message = str(arguments.get("message") or "").strip()
        allowed = ", ".join(self.settings.tool_destinations)
        dest = self.settings.get(name)
        if dest is None:
            return ToolResult(f"Unknown destination {name!r}. Use one of: {allowed}.", ok=False)
        if not dest.allow_agent_tool:
            text = f"Destination {name!r} does not accept messages from the agent. Use one of: {allowed}."
            return ToolResult(text, ok=False)
        if not message:
            return ToolResult("The message is empty.", ok=False)
        try:
            error = await self.send(name, message, wait=self.tool_wait)
        except TimeoutError:
            return ToolResult(f"Message queued for {name}; delivery continues in the background.")
        if error:
            return ToolResult(f"Could not deliver the message to {name}: {error}. It was dropped.", ok=False)
        return ToolResult(f"Message sent to {name}.")


def attach_gateways(
    session: GatewayHost,
    env: Mapping[str, str] | None = None,
    *,
    client_factory: ClientFactory | None = None,
    redact: Redact | None = None,
) -> Notifier | None:
    """Wire messaging into ``session`` (sink + ``notify`` tool); None when messaging is off.

    Call once per session. Raises ``ConfigError`` for a broken messaging setup.
    """
    env = os.environ if env is None else env
    settings = messaging_settings(session.config.messaging, env)
    if not settings.enabled:
        return None
    if not settings.destinations:
        log.warning("messaging is enabled but no destination is configured: set SLACK_BOT_TOKEN and SLACK_CHANNEL_ID")
        return None
    notifier = Notifier(settings, client_factory=client_factory, redact=redact, env=env)
    session.add_sink(notifier.sink)
    tool = notifier.notify_tool()
    if tool is not None:
        session.tools.register(tool)
    return notifier

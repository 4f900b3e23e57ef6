"""A minimal async Slack Web API client: ``chat.postMessage`` and nothing else.

The bot token goes only to ``base_url`` (redirects are not followed, so it cannot be carried
elsewhere) and never into an exception message.
"""

from __future__ import annotations

import httpx

from .messaging import DEFAULT_BASE_URL

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
MAX_TEXT_CHARS = 3500
"""What notifications are cut to: Slack advises keeping ``text`` under 4k characters."""
SLACK_TEXT_LIMIT = 40_000
"""Slack truncates ``text`` past this."""


class SlackError(RuntimeError):
    """A post Slack refused (``ok: false``) or that failed at the HTTP level."""


def escape(text: str) -> str:
    """Escape ``& < >`` as Slack asks, so text cannot form ``<!channel>`` pings or fake links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int = MAX_TEXT_CHARS) -> str:
    """``text`` cut to ``limit`` characters, marked with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class SlackClient:
    """Posts messages with one bot token to one Slack API base URL."""

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._token = token
        self.base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._transport = transport

    def __repr__(self) -> str:
        return f"SlackClient(base_url={self.base_url!r})"

    async def post(self, channel: str, text: str) -> None:
        """Post ``text`` (already escaped, plain mrkdwn) to ``channel``; raises on any failure."""
        body = {"channel": channel, "text": clip(text, SLACK_TEXT_LIMIT), "unfurl_links": False, "unfurl_media": False}
        headers = {"Authorization": f"Bearer {self._token}", "Content-Type": "application/json; charset=utf-8"}
        async with httpx.AsyncClient(
            timeout=self._timeout, follow_redirects=False, transport=self._transport
        ) as client:
            try:
                response = await client.post(f"{self.base_url}/chat.postMessage", json=body, headers=headers)
            except httpx.HTTPError as exc:
                raise SlackError(f"cannot reach {self.base_url}: {type(exc).__name__}: {exc}") from None
        if response.status_code != 200:
            retry = response.headers.get("retry-after")
            hint = f" (retry after {retry} s)" if retry else ""
            raise SlackError(f"chat.postMessage returned HTTP {response.status_code}{hint}")
        try:
            data = response.json()
        except ValueError:
            raise SlackError("chat.postMessage returned a non-JSON body") from None
        if not isinstance(data, dict) or data.get("ok") is not True:
            error = data.get("error", "unknown_error") if isinstance(data, dict) else "unknown_error"
            raise SlackError(f"chat.postMessage failed: {error}")

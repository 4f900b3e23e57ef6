"""A small async GitHub REST client: the token goes only to the configured API, errors read well.

``GITHUB_TOKEN`` is optional for most calls (GitHub allows 60 anonymous requests an hour);
code search needs it. ``GITHUB_API_URL`` points at another API (GitHub Enterprise, tests).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

DEFAULT_API_URL = "https://api.github.com"
USER_AGENT = "ml-intern-jupyter"
MAX_REDIRECTS = 5
TOKEN_HELP = (
    "Set GITHUB_TOKEN to a GitHub personal access token (https://github.com/settings/tokens; "
    "read access to public repositories is enough)."
)


class GitHubError(Exception):
    """A failure whose message is written for the model."""


@dataclass(frozen=True)
class GitHubConfig:
    """The API base URL and the token (``None``: anonymous)."""

    api_url: str = DEFAULT_API_URL
    token: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> GitHubConfig:
        """``GITHUB_API_URL`` (default https://api.github.com) and ``GITHUB_TOKEN``."""
        url = (env.get("GITHUB_API_URL") or "").strip().rstrip("/") or DEFAULT_API_URL
        return cls(api_url=url, token=(env.get("GITHUB_TOKEN") or "").strip() or None)

    def headers_for(self, url: str, accept: str) -> dict[str, str]:
        """Request headers; ``Authorization`` only when ``url`` is on the configured API."""
        headers = {"Accept": accept, "X-GitHub-Api-Version": "2022-11-28", "User-Agent": USER_AGENT}
        if self.token and _origin(url) == _origin(self.api_url):
            headers["Authorization"] = f"Bearer {self.token}"
        return headers


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _reset_text(reset: str | None) -> str:
    try:
        at = int(reset or "")
    except ValueError:
        return "soon"
    minutes = max(0, round((at - time.time()) / 60))
    return f"at {time.strftime('%H:%M:%S UTC', time.gmtime(at))} (in {minutes} min)"


def error_message(response: httpx.Response, config: GitHubConfig, what: str) -> str:
    """A message for a failed GitHub response, with the rate-limit reset time when limited."""
    try:
        message = str(response.json().get("message") or "")
    except (ValueError, AttributeError):
        message = ""
    status = response.status_code
    remaining = response.headers.get("X-RateLimit-Remaining")
    if status in (403, 429) and (remaining == "0" or "rate limit" in message.lower()):
        limit = response.headers.get("X-RateLimit-Limit", "?")
        anonymous = "" if config.token else f" without a token. {TOKEN_HELP} Then the limit is 5,000 an hour"
        retry = response.headers.get("Retry-After")
        when = f"in {retry} s" if retry else _reset_text(response.headers.get("X-RateLimit-Reset"))
        return f"GitHub API rate limit reached ({limit} requests an hour{anonymous}). It resets {when}."
    if status == 401:
        if config.token:
            return f"GitHub rejected GITHUB_TOKEN (401 {message or 'Bad credentials'}). {TOKEN_HELP}"
        return f"GitHub needs a token for {what} (401). {TOKEN_HELP}"
    if status == 404:
        hint = "" if config.token else " If it is private, set GITHUB_TOKEN."
        return f"Not found on GitHub: {what}.{hint}"
    if status == 422:
        return f"GitHub could not process the request for {what}: {message}"
    return f"GitHub answered {status} for {what}: {message or response.reason_phrase}"


class GitHubClient:
    """``async with GitHubClient(config) as github: await github.get_json("/repos/o/r", what="...")``."""

    def __init__(self, config: GitHubConfig) -> None:
        self.config = config
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=10.0), follow_redirects=False)

    async def __aenter__(self) -> GitHubClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()

    async def get(
        self, path: str, *, what: str, params: Mapping[str, Any] | None = None, accept: str = ""
    ) -> httpx.Response:
        """GET ``path`` on the API (redirects followed; the token only on the API's own origin)."""
        url = self.config.api_url + path
        accept = accept or "application/vnd.github+json"
        for _ in range(MAX_REDIRECTS + 1):
            try:
                response = await self._client.get(url, params=params, headers=self.config.headers_for(url, accept))
            except httpx.TimeoutException:
                raise GitHubError(f"Timed out reaching {self.config.api_url} for {what}; retry.") from None
            except httpx.TransportError as exc:
                raise GitHubError(f"Could not reach {self.config.api_url}: {exc}") from None
            if not response.is_redirect:
                break
            url, params = urljoin(str(response.url), response.headers["location"]), None
        else:
            raise GitHubError(f"Too many redirects for {what}.")
        if not response.is_success:
            raise GitHubError(error_message(response, self.config, what))
        return response

    async def get_json(self, path: str, *, what: str, params: Mapping[str, Any] | None = None, accept: str = "") -> Any:
        """GET and decode JSON."""
        response = await self.get(path, what=what, params=params, accept=accept)
        try:
            return response.json()
        except ValueError:
            raise GitHubError(f"GitHub did not answer JSON for {what}.") from None

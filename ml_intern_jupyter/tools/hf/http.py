"""Plain HTTP to Hugging Face hosts with httpx: the token goes only where ``HubAccess`` allows.

Redirects are followed by hand so that each hop gets its own headers: a hop to a host that
is not a Hugging Face host never sees the ``Authorization`` header.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin

import httpx

from .access import HubAccess
from .errors import HubToolError, http_error_message

USER_AGENT = "ml-intern-jupyter"
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
MAX_REDIRECTS = 5


def hub_client() -> httpx.AsyncClient:
    """A client that does not follow redirects (see :func:`get`)."""
    return httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False, headers={"User-Agent": USER_AGENT})


async def get(
    client: httpx.AsyncClient,
    access: HubAccess,
    url: str,
    params: Mapping[str, Any] | None = None,
) -> httpx.Response:
    """GET ``url``, following redirects; the token is added per hop for Hugging Face hosts only."""
    for _ in range(MAX_REDIRECTS + 1):
        response = await client.get(url, params=params, headers=access.auth_headers(url))
        if not response.is_redirect:
            return response
        url = urljoin(str(response.url), response.headers["location"])
        params = None  # the Location carries its own query
    raise HubToolError(f"Too many redirects fetching {url}.")


def check(response: httpx.Response, access: HubAccess, what: str) -> httpx.Response:
    """``response`` if 2xx, else a :class:`HubToolError` with the server's message."""
    if response.is_success:
        return response
    message = ""
    try:
        body = response.json()
        message = str(body.get("error") or body.get("message") or "") if isinstance(body, dict) else ""
    except ValueError:
        message = response.headers.get("X-Error-Message", "")
    raise HubToolError(
        http_error_message(
            response.status_code,
            message,
            what=what,
            has_token=bool(access.token()),
            retry_after=response.headers.get("Retry-After"),
        )
    )


async def get_json(client: httpx.AsyncClient, access: HubAccess, url: str, what: str, **params: Any) -> Any:
    """GET and decode JSON, raising :class:`HubToolError` on HTTP errors."""
    response = check(await get(client, access, url, params or None), access, what)
    try:
        return response.json()
    except ValueError as exc:
        raise HubToolError(f"{url} did not answer JSON ({what}).") from exc

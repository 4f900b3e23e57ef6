"""What each server is sent: its own headers and environment, and the HF token only to Hugging Face.

The HF token goes, as ``Authorization: Bearer``, to an HTTP/SSE server whose URL is a Hugging
Face host (https on ``huggingface.co``, ``*.huggingface.co`` or ``hf.co``, or exactly the
scheme, host and port of ``HF_ENDPOINT``), and only when the entry sets no ``Authorization``
header of its own. It never goes to any other server, and never into a stdio server's
environment unless that entry's ``env`` names it (``"HF_TOKEN": "${HF_TOKEN}"``).

A stdio server gets a minimal environment: ``PATH``, ``HOME``, the locale and terminal
variables, the temp dir, and what its ``env`` sets; ``"inherit_env": true`` passes the
kernel's whole environment instead. (The SDK adds its own allow-list: ``HOME``, ``LOGNAME``,
``PATH``, ``SHELL``, ``TERM``, ``USER`` on POSIX.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

from .config import McpServerConfig

HF_PUBLIC_HOSTS = ("huggingface.co", "hf.co")
STDIO_BASE_VARIABLES = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TERM", "TMPDIR", "TEMP", "TMP", "SYSTEMROOT")

TokenSource = Callable[[], str | None]


def _origin(url: str) -> tuple[str, str, int | None] | None:
    try:
        parts = urlsplit(url)
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return parts.scheme, parts.hostname.lower(), port


def is_hf_host(url: str, env: Mapping[str, str]) -> bool:
    """Whether ``url`` is a Hugging Face host the HF token may be sent to."""
    origin = _origin(url)
    if origin is None:
        return False
    scheme, host, _ = origin
    if scheme == "https" and (host in HF_PUBLIC_HOSTS or host.endswith(".huggingface.co")):
        return True
    endpoint = env.get("HF_ENDPOINT")
    return bool(endpoint) and _origin(endpoint) == origin


def sends_hf_token(config: McpServerConfig, env: Mapping[str, str]) -> bool:
    """Whether this server is one the HF token is sent to: an HF-host URL and no ``Authorization`` of its own."""
    if config.transport == "stdio" or not config.url:
        return False
    has_own = any(key.lower() == "authorization" for key in config.headers)
    return not has_own and is_hf_host(config.url, env)


def request_headers(config: McpServerConfig, env: Mapping[str, str], hf_token: str | None) -> dict[str, str]:
    """The headers for an HTTP/SSE server: its own, plus ``hf_token`` if :func:`sends_hf_token` allows it."""
    headers = dict(config.headers)
    if hf_token and sends_hf_token(config, env):
        headers["Authorization"] = f"Bearer {hf_token}"
    return headers


def stdio_environment(config: McpServerConfig, env: Mapping[str, str]) -> dict[str, str]:
    """The environment a stdio server is started with."""
    if config.inherit_env:
        return {**env, **config.env}
    base = {name: env[name] for name in STDIO_BASE_VARIABLES if env.get(name)}
    return {**base, **config.env}

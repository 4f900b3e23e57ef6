"""Turning Hub failures into short, actionable messages for the model.

Every Hub tool handler is wrapped by :func:`guarded`: a :class:`HubToolError` becomes
``ToolResult(ok=False)`` with its message, any other exception is described by
:func:`describe_error`; cancellation always propagates.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import httpx

from ..spec import ToolContext, ToolResult
from .access import MISSING_TOKEN_HELP, HubAccess, missing_token_message

_MAX_SERVER_MESSAGE = 300


class HubToolError(Exception):
    """A failure whose message is written for the model."""


def _subject(arguments: Mapping[str, Any]) -> str:
    repo_id = arguments.get("repo_id") or arguments.get("dataset") or ""
    if repo_id:
        repo_type = arguments.get("repo_type") or ("dataset" if arguments.get("dataset") else "model")
        return f"{repo_id} ({repo_type})"
    for key, label in (("arxiv_id", "paper"), ("job_id", "job"), ("scheduled_job_id", "scheduled job"), ("url", "")):
        if arguments.get(key):
            return f"{label} {arguments[key]}".strip()
    return "the requested resource"


def http_error_message(
    status: int,
    server_message: str = "",
    *,
    what: str = "the requested resource",
    has_token: bool,
    retry_after: str | None = None,
) -> str:
    """One message per HTTP status, saying what to do next."""
    detail = f": {server_message[:_MAX_SERVER_MESSAGE]}" if server_message else ""
    if status == 401:
        if has_token:
            return f"The Hub rejected the token (401 for {what}): it is invalid or expired. {MISSING_TOKEN_HELP}"
        return f"{what} needs a Hugging Face token (401){detail}. {MISSING_TOKEN_HELP}"
    if status == 403:
        return f"Forbidden (403) for {what}{detail}. The token needs the write role on that namespace."
    if status == 404:
        hint = "" if has_token else f" If it is private or gated, it needs a token. {MISSING_TOKEN_HELP}"
        return f"Not found (404): {what}{detail}.{hint}"
    if status == 409:
        return f"Conflict (409) for {what}{detail}."
    if status == 412:
        return f"The branch moved while committing to {what} (412); retry."
    if status == 429:
        wait = f" Retry after {retry_after} s." if retry_after else " Retry in a minute."
        return f"Rate limited by the Hub (429) for {what}.{wait} Logged-in requests get higher limits."
    if status >= 500:
        return f"The Hub failed with {status} for {what}{detail}; retry later."
    return f"The Hub answered {status} for {what}{detail}."


def _hf_http_message(exc: Any, what: str, has_token: bool) -> str:
    from huggingface_hub.errors import (
        GatedRepoError,
        RemoteEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", 0) or 0
    server = getattr(exc, "server_message", None) or ""
    if isinstance(exc, GatedRepoError):
        return f"{what} is gated: request access on its Hub page with your token's account, then retry."
    if isinstance(exc, RepositoryNotFoundError):
        if status == 401 and has_token:
            return http_error_message(401, what=what, has_token=True)
        hint = (
            " (or your token cannot see it)"
            if has_token
            else f". If it is private, it needs a token. {MISSING_TOKEN_HELP}"
        )
        return f"Repository not found: {what}{hint}. Check the id and repo_type (model, dataset or space)."
    if isinstance(exc, RevisionNotFoundError):
        return f"Revision not found in {what}. List branches and tags with hf_repo_git (operation list_refs)."
    if isinstance(exc, RemoteEntryNotFoundError):
        return f"File not found in {what}. List the files with hf_repo_files (operation list)."
    retry_after = response.headers.get("Retry-After") if response is not None else None
    return http_error_message(status, server, what=what, has_token=has_token, retry_after=retry_after)


def describe_error(exc: BaseException, *, what: str, has_token: bool, endpoint: str = "") -> str:
    """A message for ``exc`` raised while working on ``what``."""
    from huggingface_hub.errors import HfHubHTTPError, HFValidationError, LocalTokenNotFoundError, OfflineModeIsEnabled

    if isinstance(exc, HubToolError):
        return str(exc)
    if isinstance(exc, HfHubHTTPError):
        return _hf_http_message(exc, what, has_token)
    if isinstance(exc, httpx.HTTPStatusError):
        response = exc.response
        retry_after = response.headers.get("Retry-After")
        return http_error_message(response.status_code, what=what, has_token=has_token, retry_after=retry_after)
    if isinstance(exc, LocalTokenNotFoundError):
        return f"{what}: no token. {MISSING_TOKEN_HELP}"
    if isinstance(exc, OfflineModeIsEnabled):
        return "huggingface_hub is in offline mode (HF_HUB_OFFLINE=1); unset it to reach the Hub."
    if isinstance(exc, httpx.TimeoutException):
        return f"Timed out reaching the Hub{f' at {endpoint}' if endpoint else ''} for {what}; retry."
    if isinstance(exc, httpx.TransportError | ConnectionError):
        return f"Could not reach the Hub{f' at {endpoint}' if endpoint else ''}: {exc}"
    if isinstance(exc, HFValidationError | ValueError | TypeError):
        return f"Invalid argument: {exc}"
    if isinstance(exc, FileNotFoundError):
        return f"File not found: {exc}"
    return f"{type(exc).__name__}: {exc}"


ToolHandler = Callable[[dict[str, Any], ToolContext], Awaitable[ToolResult]]


def guarded(access: HubAccess, handler: ToolHandler) -> ToolHandler:
    """``handler`` with every failure turned into ``ToolResult(ok=False)`` (cancellation propagates)."""

    async def run(arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        try:
            return await handler(arguments, ctx)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            has_token = bool(access.token())
            message = describe_error(exc, what=_subject(arguments), has_token=has_token, endpoint=access.endpoint)
            return ToolResult(message, ok=False)

    return run


def require(arguments: Mapping[str, Any], *names: str, operation: str = "") -> None:
    """Raise a :class:`HubToolError` naming the first missing argument."""
    for name in names:
        value = arguments.get(name)
        if value is None or (isinstance(value, str | list) and not value):
            where = f" for operation {operation!r}" if operation else ""
            raise HubToolError(f"Missing argument {name!r}{where}.")


def checked_operation(operation: Any, operations: Sequence[str], *, repo_id: Mapping[str, Any] | None = None) -> str:
    """``operation`` if it is one of ``operations`` (else a :class:`HubToolError` listing them).

    With ``repo_id`` (the call's arguments), a missing ``repo_id`` argument is refused too.
    """
    if operation not in operations:
        raise HubToolError(f"Unknown operation {operation!r}; use one of {', '.join(operations)}.")
    if repo_id is not None:
        require(repo_id, "repo_id", operation=operation)
    return operation


def require_token(access: HubAccess, action: str) -> str:
    """The current token, or a :class:`HubToolError` saying how to set one."""
    token = access.token()
    if not token:
        raise HubToolError(missing_token_message(action))
    return token

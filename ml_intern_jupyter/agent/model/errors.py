"""Typed model-call errors, and what each one means for the user.

Providers raise :class:`ProviderError`; its ``kind`` decides whether a retry may help,
never the text or where it surfaced. :func:`explain` turns one into an :class:`ErrorInfo`
whose ``fix`` is worded for any front end and whose ``remedies`` name the session
commands that help (each front end words those in its own syntax).
"""

from __future__ import annotations

from dataclasses import dataclass

RETRYABLE_KINDS = frozenset({"rate_limit", "timeout", "connection", "server_error"})
"""Kinds a retry with backoff may cure; every other kind fails at once."""


class ProviderError(Exception):
    """A model call failed. ``kind`` is one of the names below; ``status`` the HTTP status, if any.

    Kinds: rate_limit, timeout, connection, server_error (retried); auth, unknown_model,
    context_window, bad_request, missing_module, embedded_model, script, llm_error (not).
    """

    def __init__(self, kind: str, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status

    @property
    def retryable(self) -> bool:
        """Whether trying again later may succeed."""
        return self.kind in RETRYABLE_KINDS


@dataclass(frozen=True)
class ErrorInfo:
    """What went wrong with a model call and what to do about it."""

    kind: str
    retryable: bool
    message: str
    fix: str
    remedies: tuple[str, ...] = ()


class ModelFailure(Exception):
    """A model call failed for good; carries the user-facing explanation."""

    def __init__(self, info: ErrorInfo) -> None:
        super().__init__(info.message)
        self.info = info


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def explain(error: ProviderError, model_id: str, model_help: str) -> ErrorInfo:
    """The user-facing explanation of ``error`` for ``model_id`` (``model_help`` lists examples)."""
    text = _short(str(error)) or error.kind
    provider = model_id.split("/", 1)[0]
    fixes: dict[str, tuple[str, str, tuple[str, ...]]] = {
        "context_window": (
            f"The conversation no longer fits in {model_id}'s context window.",
            "Compact the history, undo the last turn or start a new conversation; "
            "a model with a larger window also helps.",
            ("compact", "undo", "new"),
        ),
        "auth": (
            f"{model_id} rejected the credentials: {text}",
            f"Check the API key for {provider} (ANTHROPIC_API_KEY, OPENAI_API_KEY or HF_TOKEN in your "
            "environment or a .env file), or pick another model.",
            ("model",),
        ),
        "unknown_model": (f"Unknown model {model_id!r}: {text}", model_help, ("model",)),
        "bad_request": (
            f"{model_id} refused the request: {text}",
            "If it happens again, undo the last turn or start a new conversation.",
            ("undo", "new"),
        ),
        "missing_module": (
            f"Calling {model_id} needs a Python package that is not installed: {text}",
            "Install it with pip in the kernel's environment (`pip install <package>`), then try again.",
            (),
        ),
        "embedded_model": (text, "Install the embedded model, or pick another model.", ("model",)),
        "script": (text, "Fix the script file, or start a new conversation to replay it from the top.", ("new",)),
    }
    if error.kind in fixes:
        message, fix, remedies = fixes[error.kind]
        return ErrorInfo(error.kind, False, message, fix, remedies)
    if error.retryable:
        return ErrorInfo(error.kind, True, f"{model_id} is unavailable right now: {text}", "Try again in a moment.", ())
    return ErrorInfo(
        error.kind,
        False,
        f"Calling {model_id} failed: {text}",
        "Check the model id and your network or server, then try again.",
        ("model",),
    )


def missing_key_info(model_id: str, missing: list[str], model_help: str) -> ErrorInfo:
    """The error for a model whose API key is not set (checked before any network call)."""
    keys = ", ".join(missing)
    return ErrorInfo(
        "missing_key",
        False,
        f"{model_id} needs {keys}, which is not set.",
        f"Set {keys} in your environment or in a .env file in the working directory, "
        f"or pick a model you have access to. {model_help}",
        ("model",),
    )

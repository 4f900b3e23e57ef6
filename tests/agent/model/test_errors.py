"""Provider errors: classified by type (never by wording), explained per kind with front-neutral remedies."""

from __future__ import annotations

import httpx
import pytest

from ml_intern_jupyter.agent.model.errors import RETRYABLE_KINDS, ProviderError, explain, missing_key_info
from ml_intern_jupyter.agent.model.ids import model_help
from ml_intern_jupyter.agent.model.litellm_provider import classify_litellm_error

MODEL = "openai/gpt-5.5"


def _response(status: int) -> httpx.Response:
    return httpx.Response(status, request=httpx.Request("POST", "https://api.example/v1"))


def _exc(cls, message: str = "boom", **extra):
    return cls(message=message, llm_provider="openai", model="gpt-5.5", **extra)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("RateLimitError", "rate_limit"),
        ("InternalServerError", "server_error"),
        ("ServiceUnavailableError", "server_error"),
        ("BadGatewayError", "server_error"),
        ("Timeout", "timeout"),
        ("APIConnectionError", "connection"),
        ("AuthenticationError", "auth"),
        ("NotFoundError", "unknown_model"),
        ("BadRequestError", "bad_request"),
        ("ContextWindowExceededError", "context_window"),
    ],
)
def test_litellm_exceptions_are_classified_by_type(litellm, name: str, kind: str) -> None:
    error = classify_litellm_error(_exc(getattr(litellm, name), "something"))
    assert error.kind == kind
    assert error.retryable is (kind in RETRYABLE_KINDS)


def test_permission_denied_is_auth(litellm) -> None:
    error = classify_litellm_error(_exc(litellm.PermissionDeniedError, "forbidden", response=_response(403)))
    assert (error.kind, error.retryable) == ("auth", False)


def test_a_missing_module_inside_litellm_is_never_retried(litellm) -> None:
    try:
        try:
            import ml_intern_jupyter_no_such_module  # noqa: F401
        except ImportError as missing:
            raise _exc(litellm.APIConnectionError, "Connection error") from missing
    except Exception as wrapped:
        error = classify_litellm_error(wrapped)
    assert (error.kind, error.retryable) == ("missing_module", False)
    assert "ml_intern_jupyter_no_such_module" in str(error)


def test_provider_not_provided_is_an_unknown_model(litellm) -> None:
    exc = _exc(litellm.BadRequestError, "LLM Provider NOT provided. Pass in the LLM provider you are trying to call")
    assert classify_litellm_error(exc).kind == "unknown_model"


def test_unknown_exceptions_and_status_codes() -> None:
    error = classify_litellm_error(ValueError("weird"))
    assert (error.kind, error.retryable) == ("llm_error", False) and "ValueError" in str(error)

    class Upstream(Exception):
        status_code = 503

    assert classify_litellm_error(Upstream("gateway")).retryable is True


@pytest.mark.parametrize(
    ("kind", "fix_words", "remedies"),
    [
        ("context_window", "Compact the history", ("compact", "undo", "new")),
        ("auth", "OPENAI_API_KEY", ("model",)),
        ("unknown_model", "anthropic/claude-sonnet-4-5-20250929", ("model",)),
        ("bad_request", "undo the last turn", ("undo", "new")),
        ("missing_module", "pip install", ()),
        ("script", "script file", ("new",)),
    ],
)
def test_each_kind_gets_a_fix_that_fits_it(kind: str, fix_words: str, remedies: tuple) -> None:
    info = explain(ProviderError(kind, "details here"), MODEL, model_help())
    assert info.kind == kind and not info.retryable
    assert fix_words in info.fix and info.remedies == remedies
    assert "%intern" not in info.fix and "/undo" not in info.fix  # each front end words its own commands


def test_transient_kinds_are_retryable_and_long_messages_shortened() -> None:
    info = explain(ProviderError("rate_limit", "x" * 5000), MODEL, model_help())
    assert info.retryable and len(info.message) < 600 and info.message.endswith("…")


def test_missing_key_names_the_variable_and_dotenv() -> None:
    info = missing_key_info("anthropic/claude-sonnet-4-5-20250929", ["ANTHROPIC_API_KEY"], model_help())
    assert (info.kind, info.retryable) == ("missing_key", False)
    assert "ANTHROPIC_API_KEY" in info.message and ".env" in info.fix and info.remedies == ("model",)

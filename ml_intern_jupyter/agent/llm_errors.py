"""Classify model-call exceptions: retry, or tell the user exactly what to do."""

from __future__ import annotations

from dataclasses import dataclass

from .llm import ModelRoute, model_help

_RETRYABLE = (
    "RateLimitError",
    "Timeout",
    "APIConnectionError",
    "InternalServerError",
    "ServiceUnavailableError",
    "BadGatewayError",
)


@dataclass(frozen=True)
class LLMErrorInfo:
    """What went wrong with a model call and what to do about it."""

    kind: str
    retryable: bool
    message: str
    fix: str


class LLMFailure(Exception):
    """A model call failed for good; carries the user-facing explanation."""

    def __init__(self, info: LLMErrorInfo) -> None:
        super().__init__(info.message)
        self.info = info


def _class_names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def _short(exc: BaseException, limit: int = 400) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= limit else text[:limit] + "…"


def classify_error(exc: BaseException, route: ModelRoute) -> LLMErrorInfo:
    """Map an exception from ``litellm.acompletion`` to an :class:`LLMErrorInfo`."""
    names = _class_names(exc)
    text = _short(exc)
    model = route.model_id
    if route.kind == "embedded" and names & {"NotFoundError", "BadRequestError"}:
        return _embedded_error(text)
    if "ContextWindowExceededError" in names:
        return LLMErrorInfo(
            "context_window",
            False,
            f"The conversation no longer fits in {model}'s context window.",
            "Compact the history (%intern compact, /compact), undo the last turn, "
            "or start a new session (%intern new); a model with a larger window also helps.",
        )
    if names & {"AuthenticationError", "PermissionDeniedError"}:
        return LLMErrorInfo(
            "auth",
            False,
            f"{model} rejected the credentials: {text}",
            f"Check the API key for {model.split('/')[0]} (e.g. ANTHROPIC_API_KEY, OPENAI_API_KEY "
            "or HF_TOKEN in your environment or .env), or pick another model. " + model_help(),
        )
    if "NotFoundError" in names or _looks_like_unknown_model(text):
        return LLMErrorInfo(
            "unknown_model",
            False,
            f"Unknown model {model!r}: {text}",
            model_help(),
        )
    if names & set(_RETRYABLE) or _status(exc) >= 500:
        return LLMErrorInfo("transient", True, f"{model} is unavailable right now: {text}", "")
    if "BadRequestError" in names:
        return LLMErrorInfo(
            "bad_request",
            False,
            f"{model} refused the request: {text}",
            "If this persists, undo the last turn (%intern undo) or start a new session.",
        )
    return LLMErrorInfo(
        "llm_error",
        False,
        f"Calling {model} failed: {type(exc).__name__}: {text}",
        "Check the model id and your network or server, then try again.",
    )


def _embedded_error(text: str) -> LLMErrorInfo:
    """The embedded model is missing or misnamed: its own message already says what is wrong."""
    from .llm import embedded_install_hint

    message = text.split(": ", 1)[1] if text.startswith("litellm.") and ": " in text else text
    return LLMErrorInfo("embedded_model", False, message, embedded_install_hint())


def _status(exc: BaseException) -> int:
    status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) else 0


def _looks_like_unknown_model(text: str) -> bool:
    lowered = text.lower()
    return "llm provider not provided" in lowered or "model not found" in lowered


def missing_key_error(route: ModelRoute, missing: list[str]) -> LLMErrorInfo:
    """The error for a model whose API key is not set."""
    keys = ", ".join(missing)
    return LLMErrorInfo(
        "missing_key",
        False,
        f"{route.model_id} needs {keys}, which is not set.",
        f"Set {keys} in your environment or in a .env file in the working directory, "
        "or pick a model you have access to. " + model_help(),
    )

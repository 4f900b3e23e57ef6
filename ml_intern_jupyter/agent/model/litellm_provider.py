"""Cloud models and local OpenAI-compatible servers, through ``litellm.acompletion``.

litellm is imported lazily, in a worker thread, the first time a session prepares a call
(about 2 s of CPU). Nothing here changes litellm's process-wide settings: ``drop_params`` is
passed per call, so the user's own litellm calls in the same kernel behave as before.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from ..history import approx_tokens
from .errors import ProviderError
from .ids import ModelRoute
from .provider import ModelRequest, OnText
from .reply import ModelReply, ReplyBuilder, reply_from_response

log = logging.getLogger(__name__)

_KINDS_BY_CLASS = (
    ("ContextWindowExceededError", "context_window"),
    ("AuthenticationError", "auth"),
    ("PermissionDeniedError", "auth"),
    ("NotFoundError", "unknown_model"),
    ("RateLimitError", "rate_limit"),
    ("Timeout", "timeout"),
    ("InternalServerError", "server_error"),
    ("ServiceUnavailableError", "server_error"),
    ("BadGatewayError", "server_error"),
    ("APIConnectionError", "connection"),
    ("BadRequestError", "bad_request"),
)


class LitellmLoader:
    """Imports litellm once, offline-safe: its model-cost map is read from the package, not the web.

    ``LITELLM_LOCAL_MODEL_COST_MAP`` is set only while litellm imports, then restored. ``quiet``
    (the CLI, which owns its process) also silences litellm's support banners.
    """

    def __init__(self, *, quiet: bool = False) -> None:
        self.quiet = quiet
        self._lock = threading.Lock()
        self._module: ModuleType | None = None

    @property
    def loaded(self) -> bool:
        """Whether litellm has been imported."""
        return self._module is not None

    def get(self) -> ModuleType:
        """The litellm module (blocking the first time: call it in a worker thread)."""
        with self._lock:
            if self._module is None:
                self._module = _import_offline()
                if self.quiet:
                    self._module.suppress_debug_info = True
            return self._module


def _import_offline() -> ModuleType:
    import sys

    if "litellm" in sys.modules:
        return sys.modules["litellm"]
    previous = os.environ.get("LITELLM_LOCAL_MODEL_COST_MAP")
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    try:
        import litellm
    finally:
        if previous is None:
            os.environ.pop("LITELLM_LOCAL_MODEL_COST_MAP", None)
        else:
            os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = previous
    return litellm


def classify_litellm_error(exc: BaseException) -> ProviderError:
    """A ``ProviderError`` for an exception raised by litellm, by its type (and its causes' types)."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ImportError):
            return ProviderError("missing_module", f"{type(cause).__name__}: {cause}")
        cause = cause.__cause__ or cause.__context__
    names = {cls.__name__ for cls in type(exc).__mro__}
    text = str(exc).strip() or type(exc).__name__
    status = getattr(exc, "status_code", None)
    status = status if isinstance(status, int) else None
    if "llm provider not provided" in text.lower():
        return ProviderError("unknown_model", text, status=status)
    for name, kind in _KINDS_BY_CLASS:
        if name in names:
            return ProviderError(kind, text, status=status)
    if status is not None and status >= 500:
        return ProviderError("server_error", text, status=status)
    return ProviderError("llm_error", f"{type(exc).__name__}: {text}", status=status)


class LitellmProvider:
    """One model id routed through litellm (``litellm``, ``hf_router`` or ``local_server`` routes)."""

    def __init__(self, route: ModelRoute, loader: LitellmLoader, env: Mapping[str, str]) -> None:
        self.model_id = route.model_id
        self.kind = route.kind
        self.local = route.kind == "local_server"
        self.route = route
        self._loader = loader
        self._env = env
        self._key_from_env: str | None = None
        self._window: tuple[int | None] | None = None  # cached once known
        self._credentials_ok = False  # cached once nothing is missing

    async def prepare(self) -> None:
        """Import litellm in a worker thread (the first call costs ~2 s of CPU)."""
        await asyncio.to_thread(self._loader.get)

    def _kwargs(self, request: ModelRequest) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"model": self.route.litellm_model, "messages": list(request.messages)}
        kwargs["drop_params"] = True  # per call: never litellm.drop_params, which is process-wide
        if request.tools:
            kwargs["tools"] = list(request.tools)
        if request.tool_choice is not None:
            kwargs["tool_choice"] = request.tool_choice
        if request.max_tokens is not None:
            kwargs["max_tokens"] = request.max_tokens
        if self.route.api_base:
            kwargs["api_base"] = self.route.api_base
        api_key = self.route.api_key or self._key_from_env
        if api_key:
            kwargs["api_key"] = api_key
        return kwargs

    async def complete(self, request: ModelRequest, on_text: OnText | None = None) -> ModelReply:
        """One ``acompletion`` attempt, streamed or not; litellm errors become ``ProviderError``."""
        litellm = self._loader.get()
        kwargs = self._kwargs(request)
        try:
            if not request.stream:
                return reply_from_response(await litellm.acompletion(**kwargs), request.id_prefix)
            stream = await litellm.acompletion(stream=True, stream_options={"include_usage": True}, **kwargs)
            return await _consume(stream, request.id_prefix, on_text)
        except asyncio.CancelledError:
            raise
        except ProviderError:
            raise
        except Exception as exc:
            raise classify_litellm_error(exc) from exc

    def count_tokens(self, message: dict[str, Any]) -> int:
        """litellm's tokenizer for the model, else the character estimate."""
        try:
            return self._loader.get().token_counter(model=self.route.litellm_model, messages=[message])
        except Exception:
            return approx_tokens(message)

    def context_window(self) -> int | None:
        """The model's input window where litellm knows it (looked up once)."""
        if self._window is None:
            self._window = (self._lookup_window(),)
        return self._window[0]

    def _lookup_window(self) -> int | None:
        if self.kind != "litellm":
            return None
        try:
            info = self._loader.get().get_model_info(self.route.litellm_model)
        except Exception:
            return None
        return info.get("max_input_tokens") or info.get("max_tokens")

    def missing_credentials(self) -> list[str]:
        """Keys the model needs that neither the environment nor a ``.env`` file holds (checked until none is)."""
        if self._credentials_ok:
            return []
        missing = self._missing()
        self._credentials_ok = not missing
        return missing

    def _missing(self) -> list[str]:
        if self.kind == "hf_router":
            return [] if self.route.api_key else ["HF_TOKEN"]
        if self.kind != "litellm":
            return []
        try:
            report = self._loader.get().validate_environment(model=self.route.litellm_model)
        except Exception:
            return []
        missing = [key for key in report.get("missing_keys") or [] if not self._env.get(key)]
        found = [key for key in report.get("missing_keys") or [] if self._env.get(key)]
        if len(found) == 1 and found[0].endswith("_API_KEY"):
            self._key_from_env = self._env[found[0]]  # from a .env file: passed per call, not exported
        elif found:
            missing += found  # several settings litellm reads from os.environ only: export them
        return missing


async def _consume(stream: Any, id_prefix: str, on_text: OnText | None) -> ModelReply:
    builder = ReplyBuilder(id_prefix)
    try:
        async for chunk in stream:
            text = builder.add(chunk)
            if text and on_text is not None:
                on_text(text)
    finally:
        closer = getattr(stream, "aclose", None)
        if closer is not None:
            try:
                await closer()
            except Exception:
                log.debug("closing the stream failed", exc_info=True)
    return builder.build()

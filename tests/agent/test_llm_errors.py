"""Model-call errors: classification, retries with backoff, credentials checked before any call."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from ml_intern_jupyter.agent.config import RetryConfig, load_config
from ml_intern_jupyter.agent.llm import import_litellm, resolve_model
from ml_intern_jupyter.agent.llm_errors import LLMFailure, classify_error, missing_key_error
from ml_intern_jupyter.agent.model_call import ModelRequest, backoff_delay, call_model
from ml_intern_jupyter.agent.session import Session
from ml_intern_jupyter.protocol import UserInput

from ..conftest import Recorder

litellm = import_litellm()

ROUTE = resolve_model("openai/gpt-5.5", env={})
ANTHROPIC = "anthropic/claude-sonnet-4-5-20250929"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list:
    """Any outgoing connection attempt is recorded and fails."""
    attempts: list = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise OSError("network disabled in tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def test_no_network_fixture_blocks_connections(no_network) -> None:
    with pytest.raises(OSError, match="network disabled"):
        socket.create_connection(("127.0.0.1", 9), timeout=1)
    assert no_network == [("127.0.0.1", 9)]


def _response(status: int) -> httpx.Response:
    return httpx.Response(status, request=httpx.Request("POST", "https://api.example/v1"))


def _exc(cls, message: str = "boom", **extra):
    return cls(message=message, llm_provider="openai", model="gpt-5.5", **extra)


# ----------------------------------------------------------------- classification

TRANSIENT = [
    lambda: _exc(litellm.RateLimitError, "slow down"),
    lambda: _exc(litellm.InternalServerError, "500 oops"),
    lambda: _exc(litellm.ServiceUnavailableError, "503 overloaded"),
    lambda: _exc(litellm.BadGatewayError, "502"),
    lambda: _exc(litellm.Timeout, "timed out"),
    lambda: _exc(litellm.APIConnectionError, "connection reset"),
]


@pytest.mark.parametrize("make", TRANSIENT)
def test_transient_errors_are_retryable(make) -> None:
    exc = make()
    info = classify_error(exc, ROUTE)
    assert (info.kind, info.retryable) == ("transient", True), type(exc).__name__
    assert "openai/gpt-5.5" in info.message


def test_auth_errors_say_which_key_to_check() -> None:
    for exc in (
        _exc(litellm.AuthenticationError, "invalid x-api-key"),
        _exc(litellm.PermissionDeniedError, "forbidden", response=_response(403)),
    ):
        info = classify_error(exc, ROUTE)
        assert (info.kind, info.retryable) == ("auth", False)
        assert "invalid x-api-key" in info.message or "forbidden" in info.message
        assert "API key" in info.fix and "OPENAI_API_KEY" in info.fix and ".env" in info.fix


def test_not_found_is_an_unknown_model_with_examples() -> None:
    info = classify_error(_exc(litellm.NotFoundError, "model gpt-9 does not exist"), ROUTE)
    assert (info.kind, info.retryable) == ("unknown_model", False)
    assert "anthropic/claude-sonnet-4-5-20250929" in info.fix and "ollama/" in info.fix


def test_provider_not_provided_bad_request_is_an_unknown_model() -> None:
    exc = _exc(litellm.BadRequestError, "LLM Provider NOT provided. Pass in the LLM provider you are trying to call")
    info = classify_error(exc, resolve_model("nonexistentprovider-xyz", env={}))
    assert (info.kind, info.retryable) == ("unknown_model", False)
    assert "nonexistentprovider-xyz" in info.message
    assert "--model" in info.fix


def test_context_window_beats_bad_request() -> None:
    exc = _exc(litellm.ContextWindowExceededError, "prompt is too long")
    assert isinstance(exc, litellm.BadRequestError)
    info = classify_error(exc, ROUTE)
    assert (info.kind, info.retryable) == ("context_window", False)
    assert "compact" in info.fix and "undo" in info.fix


def test_plain_bad_request_is_not_retried() -> None:
    info = classify_error(_exc(litellm.BadRequestError, "tools[0] is invalid"), ROUTE)
    assert (info.kind, info.retryable) == ("bad_request", False)
    assert "tools[0] is invalid" in info.message and "undo" in info.fix


def test_unknown_exceptions_and_status_codes() -> None:
    info = classify_error(ValueError("weird"), ROUTE)
    assert (info.kind, info.retryable) == ("llm_error", False)
    assert "ValueError" in info.message and info.fix

    class Upstream(Exception):
        status_code = 503

    assert classify_error(Upstream("gateway"), ROUTE).retryable is True


def test_long_messages_are_shortened() -> None:
    info = classify_error(RuntimeError("x" * 5000), ROUTE)
    assert len(info.message) < 600 and info.message.endswith("…")


def test_missing_key_error_names_the_variable_and_dotenv() -> None:
    info = missing_key_error(resolve_model(ANTHROPIC, env={}), ["ANTHROPIC_API_KEY"])
    assert (info.kind, info.retryable) == ("missing_key", False)
    assert "ANTHROPIC_API_KEY" in info.message and ANTHROPIC in info.message
    assert "ANTHROPIC_API_KEY" in info.fix and ".env" in info.fix


# ----------------------------------------------------------------- backoff


def test_backoff_grows_exponentially_and_is_capped(monkeypatch) -> None:
    from ml_intern_jupyter.agent import model_call

    retry = RetryConfig(max_retries=8, base_delay=1.0, max_delay=30.0)
    monkeypatch.setattr(model_call.random, "random", lambda: 0.5)  # jitter factor exactly 1.0
    assert [backoff_delay(a, retry) for a in range(8)] == [1, 2, 4, 8, 16, 30, 30, 30]


def test_backoff_jitter_stays_within_twenty_percent() -> None:
    retry = RetryConfig(max_retries=5, base_delay=0.5, max_delay=4.0)
    for attempt in range(6):
        nominal = min(4.0, 0.5 * 2**attempt)
        for _ in range(50):
            assert 0.8 * nominal <= backoff_delay(attempt, retry) <= 1.2 * nominal


def test_backoff_never_exceeds_max_delay(monkeypatch) -> None:
    from ml_intern_jupyter.agent import model_call

    retry = RetryConfig(max_retries=5, base_delay=1.0, max_delay=30.0)
    monkeypatch.setattr(model_call.random, "random", lambda: 0.99)
    assert backoff_delay(10, retry) <= retry.max_delay


# ----------------------------------------------------------------- call_model


async def test_missing_anthropic_key_fails_before_any_network_call(no_network, monkeypatch) -> None:
    calls: list = []

    async def must_not_be_called(**kwargs):
        calls.append(kwargs)
        raise AssertionError("acompletion must not be called without credentials")

    monkeypatch.setattr(litellm, "acompletion", must_not_be_called)
    route = resolve_model(ANTHROPIC)
    retry = RetryConfig(max_retries=3, base_delay=0, max_delay=0)
    with pytest.raises(LLMFailure) as info:
        await call_model(route, ModelRequest([{"role": "user", "content": "hi"}]), retry=retry)
    assert info.value.info.kind == "missing_key"
    assert "ANTHROPIC_API_KEY" in info.value.info.message
    assert calls == [] and no_network == []


async def test_missing_hf_token_fails_before_the_router_is_called(no_network, monkeypatch) -> None:
    async def must_not_be_called(**kwargs):
        raise AssertionError("no call expected")

    monkeypatch.setattr(litellm, "acompletion", must_not_be_called)
    route = resolve_model("moonshotai/Kimi-K2-Instruct-0905:novita")
    with pytest.raises(LLMFailure) as info:
        await call_model(route, ModelRequest([]), retry=RetryConfig(0, 0, 0))
    assert info.value.info.kind == "missing_key" and "HF_TOKEN" in info.value.info.fix
    assert no_network == []


async def test_transient_errors_are_retried_up_to_max_retries(write_script) -> None:
    route = resolve_model(write_script([{"error": "rate_limit"}] * 3 + [{"text": "never reached"}]))
    slept: list[float] = []

    async def fake_sleep(delay: float) -> None:
        slept.append(delay)

    retry = RetryConfig(max_retries=2, base_delay=1.0, max_delay=30.0)
    with pytest.raises(LLMFailure) as info:
        await call_model(route, ModelRequest([{"role": "user", "content": "hi"}]), retry=retry, sleep=fake_sleep)
    assert info.value.info.kind == "transient" and info.value.info.retryable
    assert len(slept) == 2
    assert 0.8 <= slept[0] <= 1.2 and 1.6 <= slept[1] <= 2.4
    assert isinstance(info.value.__cause__, litellm.RateLimitError)


async def test_retry_then_success_returns_the_reply(write_script) -> None:
    route = resolve_model(write_script([{"error": "timeout"}, {"text": "hello there"}]))
    slept: list[float] = []

    async def fake_sleep(delay: float) -> None:
        slept.append(delay)

    streamed: list[str] = []
    reply = await call_model(
        route,
        ModelRequest([{"role": "user", "content": "hi"}]),
        retry=RetryConfig(3, 0.01, 0.02),
        on_text=streamed.append,
        sleep=fake_sleep,
    )
    assert reply.content == "hello there" and "".join(streamed) == "hello there"
    assert len(slept) == 1


async def test_non_retryable_errors_are_not_retried(write_script) -> None:
    route = resolve_model(write_script([{"error": "auth"}, {"text": "unused"}]))
    slept: list[float] = []

    async def fake_sleep(delay: float) -> None:
        slept.append(delay)

    with pytest.raises(LLMFailure) as info:
        await call_model(route, ModelRequest([]), retry=RetryConfig(5, 0, 0), sleep=fake_sleep)
    assert info.value.info.kind == "auth" and slept == []


# ----------------------------------------------------------------- through a Session


async def test_session_with_missing_key_emits_one_error_naming_the_variable(no_network) -> None:
    recorder = Recorder()
    session = Session(load_config(load_env_files=False), model=ANTHROPIC, sinks=[recorder])
    outcome = await asyncio.wait_for(session.submit(UserInput("hi")), 30)
    assert outcome.stop_reason == "error" and outcome.error.kind == "missing_key"
    [error] = recorder.of("error")
    assert error.kind == "missing_key"
    assert "ANTHROPIC_API_KEY" in error.fix and ".env" in error.fix
    assert recorder.types() == ["processing", "error", "ready"]
    assert no_network == []


async def test_session_with_unknown_model_emits_one_error_with_model_examples(no_network) -> None:
    recorder = Recorder()
    session = Session(load_config(load_env_files=False), model="nonexistentprovider-xyz", sinks=[recorder])
    outcome = await asyncio.wait_for(session.submit(UserInput("hi")), 30)
    assert outcome.stop_reason == "error"
    [error] = recorder.of("error")
    assert error.kind in ("unknown_model", "bad_request")
    assert "nonexistentprovider-xyz" in error.message
    assert "anthropic/claude-sonnet-4-5-20250929" in error.fix and "ollama/" in error.fix
    assert no_network == []


def test_embedded_model_errors_say_how_to_install() -> None:
    import litellm

    from ml_intern_jupyter.agent.llm import resolve_model
    from ml_intern_jupyter.agent.llm_errors import classify_error

    exc = litellm.NotFoundError(
        message="llama-cpp-python is not installed", model="local/smollm2-135m", llm_provider="local"
    )
    info = classify_error(exc, resolve_model("local/smollm2-135m"))
    assert info.kind == "embedded_model" and not info.retryable
    assert "llama-cpp-python is not installed" in info.message and not info.message.startswith("litellm.")
    assert "ml-intern-jupyter[local]" in info.fix and "ollama/" in info.fix

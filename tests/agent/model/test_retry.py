"""call_model: credentials checked before any call, transient errors retried with capped backoff, others not."""

from __future__ import annotations

import asyncio

import pytest

from ml_intern_jupyter.agent.config import RetryConfig, load_config
from ml_intern_jupyter.agent.model import ModelFailure, ModelRequest, ProviderFactory, call_model
from ml_intern_jupyter.agent.model import retry as retry_module
from ml_intern_jupyter.agent.model.retry import backoff_delay
from ml_intern_jupyter.agent.session import Session
from ml_intern_jupyter.protocol import TurnOptions, UserInput

from ...conftest import Recorder

ANTHROPIC = "anthropic/claude-sonnet-4-5-20250929"
HI = ModelRequest([{"role": "user", "content": "hi"}])


def test_backoff_grows_exponentially_and_is_capped(monkeypatch) -> None:
    retry = RetryConfig(max_retries=8, base_delay=1.0, max_delay=30.0)
    monkeypatch.setattr(retry_module.random, "random", lambda: 0.5)  # jitter factor exactly 1.0
    assert [backoff_delay(a, retry) for a in range(8)] == [1, 2, 4, 8, 16, 30, 30, 30]


def test_backoff_jitter_stays_within_twenty_percent() -> None:
    retry = RetryConfig(max_retries=5, base_delay=0.5, max_delay=4.0)
    for attempt in range(6):
        nominal = min(4.0, 0.5 * 2**attempt)
        for _ in range(50):
            assert 0.8 * nominal <= backoff_delay(attempt, retry) <= 1.2 * nominal


async def test_missing_anthropic_key_fails_before_any_network_call(no_network, litellm, monkeypatch) -> None:
    calls: list = []

    async def must_not_be_called(**kwargs):
        calls.append(kwargs)
        raise AssertionError("acompletion must not be called without credentials")

    monkeypatch.setattr(litellm, "acompletion", must_not_be_called)
    provider = ProviderFactory({}).create(ANTHROPIC)
    with pytest.raises(ModelFailure) as info:
        await call_model(provider, HI, retry=RetryConfig(3, 0, 0))
    assert info.value.info.kind == "missing_key" and "ANTHROPIC_API_KEY" in info.value.info.message
    assert calls == [] and no_network == []


async def test_a_key_from_a_dotenv_mapping_is_passed_per_call_not_exported(litellm, monkeypatch) -> None:
    seen: list = []

    async def fake(**kwargs):
        seen.append(kwargs)
        raise litellm.AuthenticationError(message="bad key", llm_provider="anthropic", model=ANTHROPIC)

    monkeypatch.setattr(litellm, "acompletion", fake)
    provider = ProviderFactory({"ANTHROPIC_API_KEY": "sk-ant-from-dotenv"}).create(ANTHROPIC)
    with pytest.raises(ModelFailure) as info:
        await call_model(provider, HI, retry=RetryConfig(0, 0, 0))
    assert info.value.info.kind == "auth"
    assert seen[0]["api_key"] == "sk-ant-from-dotenv" and seen[0]["drop_params"] is True
    assert litellm.drop_params is False


async def test_missing_hf_token_fails_before_the_router_is_called(no_network) -> None:
    provider = ProviderFactory({}).create("moonshotai/Kimi-K2-Instruct-0905:novita")
    with pytest.raises(ModelFailure) as info:
        await call_model(provider, ModelRequest([]), retry=RetryConfig(0, 0, 0))
    assert info.value.info.kind == "missing_key" and "HF_TOKEN" in info.value.info.fix
    assert no_network == []


async def test_transient_errors_are_retried_up_to_max_retries(write_script) -> None:
    provider = ProviderFactory({}).create(write_script([{"error": "rate_limit"}] * 3 + [{"text": "never reached"}]))
    slept: list[float] = []

    async def fake_sleep(delay: float) -> None:
        slept.append(delay)

    with pytest.raises(ModelFailure) as info:
        await call_model(provider, HI, retry=RetryConfig(2, 1.0, 30.0), sleep=fake_sleep)
    assert info.value.info.kind == "rate_limit" and info.value.info.retryable
    assert len(slept) == 2 and 0.8 <= slept[0] <= 1.2 and 1.6 <= slept[1] <= 2.4


async def test_retry_then_success_returns_the_reply(write_script) -> None:
    provider = ProviderFactory({}).create(write_script([{"error": "timeout"}, {"text": "hello there"}]))
    slept: list[float] = []

    async def fake_sleep(delay: float) -> None:
        slept.append(delay)

    streamed: list[str] = []
    reply = await call_model(provider, HI, retry=RetryConfig(3, 0.01, 0.02), on_text=streamed.append, sleep=fake_sleep)
    assert reply.content == "hello there" and "".join(streamed) == "hello there"
    assert len(slept) == 1


@pytest.mark.parametrize("kind", ["auth", "bad_request", "context_window"])
async def test_non_transient_errors_are_not_retried(write_script, kind: str) -> None:
    provider = ProviderFactory({}).create(write_script([{"error": kind}, {"text": "unused"}]))
    slept: list[float] = []

    async def fake_sleep(delay: float) -> None:
        slept.append(delay)

    with pytest.raises(ModelFailure) as info:
        await call_model(provider, ModelRequest([]), retry=RetryConfig(5, 0, 0), sleep=fake_sleep)
    assert info.value.info.kind == kind and slept == []
    assert provider.cursor == 1  # one attempt


async def test_session_with_missing_key_emits_one_error_naming_the_variable(no_network) -> None:
    recorder = Recorder()
    config = load_config(load_env_files=False)
    session = Session(config, factory=ProviderFactory({}), model=ANTHROPIC, sinks=[recorder])
    outcome = await asyncio.wait_for(session.submit(UserInput("hi")), 30)
    assert outcome.stop_reason == "error" and outcome.error.kind == "missing_key"
    [error] = recorder.of("error")
    assert "ANTHROPIC_API_KEY" in error.fix and ".env" in error.fix
    assert recorder.types() == ["session_started", "processing", "undo_complete", "error", "ready"]
    assert no_network == []


async def test_an_unknown_model_for_a_turn_is_refused_before_anything_runs(no_network) -> None:
    recorder = Recorder()
    config = load_config(load_env_files=False)
    session = Session(config, factory=ProviderFactory({}), model="scripted/none.json", sinks=[recorder])
    outcome = await session.submit(UserInput("hi", TurnOptions(model="nonexistentprovider/xyz")))
    assert outcome.stop_reason == "error"
    [error] = recorder.of("error")
    assert error.kind == "bad_model" and "nonexistentprovider" in error.message
    assert "anthropic/claude-sonnet-4-5-20250929" in error.message
    assert "processing" not in recorder.types() and session.model_id == "scripted/none.json"
    assert no_network == []

"""The embedded llama.cpp model with the real GGUF (``local/smollm2-135m``), as a CompletionProvider."""

from __future__ import annotations

import asyncio
import json
import sys
import time

import jsonschema
import pytest

from ml_intern_jupyter.agent.builder import build_session
from ml_intern_jupyter.agent.config import load_config
from ml_intern_jupyter.agent.model import ModelFailure, ModelRequest, ProviderError, call_model
from ml_intern_jupyter.embedded import EmbeddedRuntime, LocalModelError
from ml_intern_jupyter.protocol import Interrupt, UserInput
from ml_intern_jupyter.tools.builtin import builtin_tools

from .conftest import MODEL

STORY = [{"role": "user", "content": "Write a long story about a dragon who learns to program."}]
GENEROUS = 5.0  # seconds: a bound for a loaded 2-core machine; bench/local_model.py measures the real numbers


@pytest.fixture
def tools(tmp_path) -> list[dict]:
    return [spec.to_openai() for spec in builtin_tools(scratch=tmp_path / "scratch")]


async def test_streaming_text_arrives_in_many_pieces_with_usage(provider):
    pieces: list[str] = []
    reply = await provider.complete(ModelRequest(STORY, max_tokens=48), pieces.append)
    assert len(pieces) >= 10 and "".join(pieces) == reply.content and reply.content.strip()
    assert reply.finish_reason in ("stop", "length")
    assert reply.prompt_tokens > 10 and 10 <= reply.completion_tokens <= 48


async def test_non_streaming_completion(provider):
    request = ModelRequest([{"role": "user", "content": "What is the capital of France?"}], stream=False, max_tokens=32)
    pieces: list[str] = []
    reply = await provider.complete(request, pieces.append)
    assert reply.content.strip() and pieces == [] and 0 < reply.completion_tokens <= 32


async def test_obvious_task_gives_a_well_formed_python_call(provider, tools):
    reply = await provider.complete(ModelRequest([{"role": "user", "content": "Compute 17*23 with python."}], tools))
    assert reply.finish_reason == "tool_calls"
    [call] = reply.tool_calls
    assert call.id and call.name == "python"
    arguments = json.loads(call.arguments)
    jsonschema.validate(
        arguments, next(t["function"]["parameters"] for t in tools if t["function"]["name"] == "python")
    )
    compile(arguments["code"], "<call>", "exec")  # valid Python


async def test_forced_tool_choice_matches_the_schema(provider, tools):
    request = ModelRequest(
        [{"role": "user", "content": "Save the word hello in hello.txt"}],
        tools,
        tool_choice={"type": "function", "function": {"name": "write"}},
    )
    [call] = (await provider.complete(request)).tool_calls
    arguments = json.loads(call.arguments)
    assert call.name == "write"
    jsonschema.validate(arguments, next(t["function"]["parameters"] for t in tools if t["function"]["name"] == "write"))


async def test_plain_chat_with_tools_answers_in_words(provider, tools):
    reply = await provider.complete(
        ModelRequest([{"role": "user", "content": "Hello! Who are you?"}], tools, max_tokens=40)
    )
    assert not reply.tool_calls and reply.content.strip() and not reply.content.startswith("Tool:")


async def test_cancelling_the_consumer_stops_generation_quickly(provider, runtime):
    model = runtime.load("smollm2-135m")
    first = asyncio.Event()
    task = asyncio.create_task(provider.complete(ModelRequest(STORY, max_tokens=4000), lambda _: first.set()))
    await asyncio.wait_for(first.wait(), 60)
    await asyncio.sleep(0.3)
    start = time.perf_counter()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    freed = await asyncio.to_thread(model.lock.acquire, True, 10)  # held while a generation runs
    stopped_after = time.perf_counter() - start
    model.lock.release()
    assert freed and stopped_after < GENEROUS, stopped_after
    assert (await provider.complete(ModelRequest([{"role": "user", "content": "Hi"}], max_tokens=8))).content


@pytest.mark.parametrize("with_tools", [True, False])
async def test_cancel_during_a_long_prompt_evaluation(provider, runtime, tools, with_tools):
    model = runtime.load("smollm2-135m")
    long_request = "Summarise these notes, then compute their length with python:\n" + "note " * 2500
    request = ModelRequest([{"role": "user", "content": long_request}], tools if with_tools else ())
    task = asyncio.create_task(provider.complete(request))
    await asyncio.sleep(1.0)  # the prompt takes several seconds to evaluate: no piece yet
    assert not task.done()
    start = time.perf_counter()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    freed = await asyncio.to_thread(model.lock.acquire, True, 10)
    stopped_after = time.perf_counter() - start
    model.lock.release()
    assert freed and stopped_after < GENEROUS, stopped_after


async def test_model_is_loaded_once_and_shared_by_providers(factory, runtime):
    for _ in range(2):
        await factory.create(MODEL).complete(ModelRequest([{"role": "user", "content": "Hi"}], max_tokens=4))
    assert runtime.pool.loads == 1


@pytest.mark.parametrize(
    ("model", "expected"),
    [("local/no-such-model", "Unknown embedded model"), ("local/missing/model.gguf", "GGUF file not found")],
)
async def test_unknown_or_missing_model_is_a_clear_non_retryable_error(factory, model, expected):
    with pytest.raises(ProviderError) as info:
        await factory.create(model).complete(ModelRequest([{"role": "user", "content": "Hi"}]))
    assert info.value.kind == "embedded_model" and not info.value.retryable
    assert expected in str(info.value)
    from ml_intern_jupyter.agent.config import RetryConfig

    with pytest.raises(ModelFailure) as failure:
        await call_model(factory.create(model), ModelRequest([]), retry=RetryConfig(3, 0, 0))
    assert failure.value.info.remedies == ("model",)


def test_missing_llama_cpp_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # import llama_cpp -> ImportError
    with pytest.raises(LocalModelError) as info:
        EmbeddedRuntime().load("smollm2-135m")
    text = str(info.value)
    assert info.value.kind == "not_installed" and "llama-cpp-python is not installed" in text
    assert 'CMAKE_ARGS="-DGGML_NATIVE=OFF"' in text and "LOCAL_LLM_BASE_URL" in text


async def test_long_tool_results_are_truncated_to_fit(factory, runtime, tools, monkeypatch):
    monkeypatch.setattr(runtime, "max_prompt_tokens", 1500)  # the default cap (4096) takes ~20 s to evaluate
    huge = "\n".join(f"row {i}: " + "value " * 12 for i in range(6000))  # ~100k tokens
    call = {"id": "c1", "type": "function", "function": {"name": "python", "arguments": '{"code": "t"}'}}
    messages = [
        {"role": "user", "content": "Print the big table with python."},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "c1", "name": "python", "content": huge},
    ]
    reply = await factory.create(MODEL).complete(ModelRequest(messages, tools, max_tokens=16))
    assert 500 < reply.prompt_tokens <= 1500


async def test_session_runs_a_python_call_end_to_end(front, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load_config(overrides={"yolo": True, "max_iterations": 4}, load_env_files=False)
    events = []
    built = build_session(front, config=config, model=MODEL, sinks=[events.append], workdir=tmp_path)
    outcome = await built.session.submit(UserInput("Compute 17*23 with python."))
    types = [e.type for e in events]
    assert outcome.ok, outcome
    assert "processing" in types and "turn_complete" in types
    call = next(i for i, e in enumerate(events) if e.type == "tool_call" and e.name == "python")
    output = next(i for i, e in enumerate(events) if e.type == "tool_output" and e.name == "python")
    assert call < output < types.index("turn_complete")
    assert events[output].tool_call_id == events[call].tool_call_id
    assert events[output].ok  # the generated code ran


async def test_session_interrupt_during_the_stream(front, runtime, tmp_path):
    config = load_config(overrides={"yolo": True}, load_env_files=False)
    events = []
    first_chunk = asyncio.Event()

    def sink(event) -> None:
        events.append(event)
        if event.type == "assistant_chunk":
            first_chunk.set()

    built = build_session(front, config=config, model=MODEL, sinks=[sink], workdir=tmp_path, builtin=False)
    session = built.session
    turn = asyncio.create_task(session.submit(UserInput(STORY[0]["content"])))
    await asyncio.wait_for(first_chunk.wait(), 60)
    start = time.perf_counter()
    await session.submit(Interrupt())
    outcome = await turn
    model = runtime.load("smollm2-135m")
    freed = await asyncio.to_thread(model.lock.acquire, True, 10)
    stopped_after = time.perf_counter() - start
    model.lock.release()
    assert outcome.stop_reason == "interrupted"
    assert freed and stopped_after < GENEROUS, stopped_after
    assert "interrupted" in [e.type for e in events]

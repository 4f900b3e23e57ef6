"""Tests for the scripted litellm provider, driven through the real ``litellm.acompletion``."""

import os

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import asyncio
import json
import time

import litellm
import pytest

from ml_intern_jupyter.agent.providers.scripted import ScriptedLLM, register_scripted_provider

MESSAGES = [{"role": "user", "content": "x" * 40}]  # 40 chars -> 10 prompt tokens


@pytest.fixture
def handler():
    h = register_scripted_provider()
    h.reset()
    yield h
    h.reset()


@pytest.fixture
def script(tmp_path, handler):
    def write(turns, name="script.json"):
        path = tmp_path / name
        path.write_text(json.dumps({"turns": turns}), encoding="utf-8")
        return f"scripted/{path}"

    return write


async def call(model, stream=False, **kw):
    kw.setdefault("messages", MESSAGES)
    if stream:
        resp = await litellm.acompletion(model=model, stream=True, stream_options={"include_usage": True}, **kw)
        return [chunk async for chunk in resp]
    return await litellm.acompletion(model=model, **kw)


def test_register_is_idempotent(handler):
    assert register_scripted_provider() is handler
    assert isinstance(handler, ScriptedLLM)
    assert [e["provider"] for e in litellm.custom_provider_map].count("scripted") == 1
    assert "scripted" in litellm.provider_list


async def test_stream_text_in_several_chunks(script):
    model = script([{"text": "Hello there, brave new world."}])
    chunks = await call(model, stream=True)
    pieces = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(pieces) >= 2
    assert "".join(pieces) == "Hello there, brave new world."
    finish = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finish == ["stop"]
    usage = [c.usage for c in chunks if getattr(c, "usage", None)]
    assert usage and usage[-1].prompt_tokens == 10
    assert usage[-1].completion_tokens == len("Hello there, brave new world.") // 4
    assert usage[-1].total_tokens == usage[-1].prompt_tokens + usage[-1].completion_tokens


async def test_stream_two_tool_calls(script):
    model = script(
        [
            {
                "text": "Running both.",
                "tool_calls": [
                    {"name": "python", "arguments": {"code": "print(1)"}},
                    {"name": "bash", "arguments": {"cmd": "ls"}},
                ],
            }
        ]
    )
    chunks = await call(model, stream=True)
    deltas = [tc for c in chunks if c.choices for tc in (c.choices[0].delta.tool_calls or [])]
    assert [(d.index, d.id, d.function.name) for d in deltas] == [
        (0, "call_0_0", "python"),
        (1, "call_0_1", "bash"),
    ]
    assert [json.loads(d.function.arguments) for d in deltas] == [{"code": "print(1)"}, {"cmd": "ls"}]
    built = litellm.stream_chunk_builder(chunks, messages=MESSAGES)
    assert built.choices[0].finish_reason == "tool_calls"
    assert built.choices[0].message.content == "Running both."
    assert [tc.id for tc in built.choices[0].message.tool_calls] == ["call_0_0", "call_0_1"]


async def test_tool_call_ids_use_turn_index(script):
    model = script(
        [{"text": "first"}, {"tool_calls": [{"name": "python", "arguments": {}}]}],
    )
    await call(model)
    resp = await call(model)
    assert resp.choices[0].message.tool_calls[0].id == "call_1_0"
    assert resp.choices[0].message.tool_calls[0].function.arguments == "{}"


@pytest.mark.parametrize("stream", [False, True])
async def test_string_arguments_passed_verbatim(script, stream):
    model = script([{"tool_calls": [{"name": "python", "arguments": '{"code": "1+'}]}])
    if stream:
        chunks = await call(model, stream=True)
        args = [tc.function.arguments for c in chunks if c.choices for tc in (c.choices[0].delta.tool_calls or [])]
    else:
        resp = await call(model)
        args = [tc.function.arguments for tc in resp.choices[0].message.tool_calls]
    assert args == ['{"code": "1+']


async def test_non_stream_response(script):
    model = script([{"text": "Let me check.", "tool_calls": [{"name": "python", "arguments": {"code": "2*3"}}]}])
    resp = await call(model)
    assert isinstance(resp, litellm.ModelResponse)
    msg = resp.choices[0].message
    assert msg.content == "Let me check."
    assert msg.tool_calls[0].id == "call_0_0"
    assert msg.tool_calls[0].function.name == "python"
    assert json.loads(msg.tool_calls[0].function.arguments) == {"code": "2*3"}
    assert resp.choices[0].finish_reason == "tool_calls"
    out_chars = len("Let me check.") + len(json.dumps({"code": "2*3"}))
    assert (resp.usage.prompt_tokens, resp.usage.completion_tokens) == (10, out_chars // 4)
    assert resp.usage.total_tokens == 10 + out_chars // 4


@pytest.mark.parametrize("stream", [False, True])
async def test_finish_reason_and_usage_overrides(script, stream):
    model = script([{"text": "cut", "finish_reason": "length", "usage": {"prompt_tokens": 7, "completion_tokens": 3}}])
    if stream:
        chunks = await call(model, stream=True)
        finish = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
        usage = [c.usage for c in chunks if getattr(c, "usage", None)][-1]
        assert finish == ["length"]
    else:
        resp = await call(model)
        usage = resp.usage
        assert resp.choices[0].finish_reason == "length"
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (7, 3, 10)


async def test_minimum_usage_is_one(script):
    resp = await call(script([{}]), messages=[{"role": "user", "content": "hi"}])
    assert (resp.usage.prompt_tokens, resp.usage.completion_tokens) == (1, 1)
    assert resp.choices[0].finish_reason == "stop"


ERRORS = [
    ("rate_limit", litellm.RateLimitError),
    ("timeout", litellm.Timeout),
    ("auth", litellm.AuthenticationError),
    ("context_window", litellm.ContextWindowExceededError),
    ("server_error", litellm.InternalServerError),
    ("bad_request", litellm.BadRequestError),
]


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(("kind", "cls"), ERRORS)
async def test_error_turns_raise_litellm_exceptions(script, kind, cls, stream):
    model = script([{"error": kind}, {"text": "recovered"}])
    with pytest.raises(cls) as info:
        # With stream=True the error must come from acompletion itself, not mid-stream.
        await litellm.acompletion(model=model, messages=MESSAGES, stream=stream)
    assert not isinstance(info.value, litellm.exceptions.MidStreamFallbackError)
    assert f"scripted {kind} error (turn 0)" in str(info.value)
    resp = await call(model)  # the error consumed its turn
    assert resp.choices[0].message.content == "recovered"


@pytest.mark.parametrize("stream", [False, True])
async def test_running_out_of_turns(script, tmp_path, stream):
    model = script([{"text": "only"}])
    await call(model, stream=stream)
    with pytest.raises(litellm.BadRequestError) as info:
        await call(model, stream=stream)
    path = str(tmp_path / "script.json")
    assert (
        f"scripted model {path}: script has 1 turns and all were used (call 2). "
        "Add more turns to the script or start a new session."
    ) in str(info.value)
    assert not isinstance(info.value, litellm.ContextWindowExceededError)


async def test_sessions_have_independent_cursors(script, handler):
    model = script([{"text": "one"}, {"text": "two"}])
    a = {"extra_body": {"scripted_session": "a"}}
    b = {"extra_body": {"scripted_session": "b"}}
    assert (await call(model, **a)).choices[0].message.content == "one"
    assert (await call(model, **b)).choices[0].message.content == "one"
    assert (await call(model)).choices[0].message.content == "one"  # "default" session
    assert (await call(model, **a)).choices[0].message.content == "two"
    handler.reset("a")
    assert (await call(model, **a)).choices[0].message.content == "one"
    assert (await call(model, **b)).choices[0].message.content == "two"
    handler.reset()
    assert (await call(model, **b)).choices[0].message.content == "one"


async def test_missing_file(handler, tmp_path):
    missing = tmp_path / "nope.json"
    with pytest.raises(litellm.BadRequestError) as info:
        await call(f"scripted/{missing}")
    assert "script file not found" in str(info.value)
    assert str(missing) in str(info.value)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "invalid JSON"),
        ('{"steps": []}', '{"turns": [...]}'),
        ('{"turns": [{"error": "meteor"}]}', "turn 0: unknown error 'meteor'"),
        ('{"turns": [{"txt": "typo"}]}', "turn 0 has unknown keys ['txt']"),
        ('{"turns": [{"tool_calls": [{"arguments": {}}]}]}', "tool_calls[0] must be an object"),
        ('{"turns": [{"delay": -1}]}', "'delay' must be a non-negative number"),
    ],
)
async def test_invalid_script(handler, tmp_path, content, expected):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(litellm.BadRequestError) as info:
        await call(f"scripted/{path}")
    assert expected in str(info.value)
    assert "bad.json" in str(info.value)


async def test_absolute_and_relative_paths(handler, tmp_path, monkeypatch):
    path = tmp_path / "rel.json"
    path.write_text(json.dumps({"turns": [{"text": "a"}, {"text": "b"}, {"text": "c"}]}), encoding="utf-8")
    assert path.is_absolute()
    monkeypatch.chdir(tmp_path)
    # All three spellings name the same file, hence share one cursor.
    assert (await call(f"scripted/{path}")).choices[0].message.content == "a"
    assert (await call("scripted/./rel.json")).choices[0].message.content == "b"
    assert (await call("scripted/rel.json")).choices[0].message.content == "c"


async def test_delay_is_async_and_cancellable(script):
    model = script([{"text": "slow", "delay": 30}, {"text": "fast", "delay": 0.05}])
    start = time.monotonic()
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(call(model), timeout=0.2)
    assert time.monotonic() - start < 5
    start = time.monotonic()
    chunks = await call(model, stream=True)
    assert time.monotonic() - start >= 0.05
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "fast"


def test_sync_completion_and_streaming(script):
    model = script([{"text": "sync hello world"}, {"text": "sync stream here"}])
    resp = litellm.completion(model=model, messages=MESSAGES)
    assert resp.choices[0].message.content == "sync hello world"
    chunks = list(litellm.completion(model=model, messages=MESSAGES, stream=True))
    pieces = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(pieces) >= 2 and "".join(pieces) == "sync stream here"

"""The scripted model: deterministic replay as a CompletionProvider (no litellm involved)."""

from __future__ import annotations

import asyncio
import itertools
import json
import time

import pytest

from ml_intern_jupyter.agent.model.errors import ProviderError
from ml_intern_jupyter.agent.model.provider import CompletionProvider, ModelRequest
from ml_intern_jupyter.agent.model.scripted import ScriptedProvider, split_text

REQUEST = ModelRequest([{"role": "user", "content": "x" * 40}])  # 40 chars -> 10 prompt tokens


@pytest.fixture
def script(tmp_path):
    def write(turns, name="script.json") -> ScriptedProvider:
        path = tmp_path / name
        path.write_text(json.dumps({"turns": turns}), encoding="utf-8")
        return ScriptedProvider(f"scripted/{path}")

    return write


def test_it_is_a_completion_provider(script) -> None:
    provider = script([])
    assert isinstance(provider, CompletionProvider)
    assert (provider.kind, provider.local, provider.context_window(), provider.missing_credentials()) == (
        "scripted",
        True,
        None,
        [],
    )


async def test_text_streams_in_word_pieces(script) -> None:
    provider = script([{"text": "Hello there, brave new world."}])
    pieces: list[str] = []
    reply = await provider.complete(REQUEST, pieces.append)
    assert len(pieces) == 5 and "".join(pieces) == reply.content == "Hello there, brave new world."
    assert reply.finish_reason == "stop" and reply.prompt_tokens == 10 and reply.completion_tokens == 7
    assert split_text("a  b\n") == ["a  ", "b\n"]


async def test_no_stream_sends_no_pieces(script) -> None:
    provider = script([{"text": "whole"}])
    pieces: list[str] = []
    reply = await provider.complete(ModelRequest([], stream=False), pieces.append)
    assert pieces == [] and reply.content == "whole"


async def test_tool_calls_get_turn_ids_and_string_arguments_pass_verbatim(script) -> None:
    provider = script(
        [
            {"text": "first"},
            {"tool_calls": [{"name": "python", "arguments": {"code": "1+1"}}, {"name": "bash", "arguments": "{bad"}]},
        ]
    )
    await provider.complete(REQUEST)
    reply = await provider.complete(REQUEST)
    assert [(c.id, c.name, c.arguments) for c in reply.tool_calls] == [
        ("call_1_0", "python", '{"code": "1+1"}'),
        ("call_1_1", "bash", "{bad"),
    ]
    assert reply.finish_reason == "tool_calls"


async def test_finish_reason_and_usage_overrides(script) -> None:
    provider = script(
        [{"text": "cut", "finish_reason": "length", "usage": {"prompt_tokens": 3, "completion_tokens": 9}}]
    )
    reply = await provider.complete(REQUEST)
    assert (reply.finish_reason, reply.prompt_tokens, reply.completion_tokens) == ("length", 3, 9)


@pytest.mark.parametrize(
    ("kind", "retryable"),
    [("rate_limit", True), ("timeout", True), ("server_error", True), ("auth", False), ("bad_request", False)],
)
async def test_error_turns_raise_typed_provider_errors(script, kind: str, retryable: bool) -> None:
    provider = script([{"error": kind}])
    with pytest.raises(ProviderError) as info:
        await provider.complete(REQUEST)
    assert info.value.kind == kind and info.value.retryable is retryable


async def test_running_out_of_turns_names_the_file_and_is_not_retryable(script, tmp_path) -> None:
    provider = script([{"text": "only"}])
    await provider.complete(REQUEST)
    with pytest.raises(ProviderError) as info:
        await provider.complete(REQUEST)
    assert info.value.kind == "script" and not info.value.retryable
    assert "all were used" in str(info.value) and str(tmp_path) in str(info.value)


async def test_each_provider_has_its_own_cursor(script, tmp_path) -> None:
    first = script([{"text": "a"}, {"text": "b"}])
    second = ScriptedProvider(first.model_id)
    assert (await first.complete(REQUEST)).content == "a"
    assert (await second.complete(REQUEST)).content == "a"
    assert (await first.complete(REQUEST)).content == "b"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "invalid JSON"),
        ('{"turns": 3}', '{"turns": [...]}'),
        ('{"turns": [{"text": 1}]}', "'text' must be a string"),
        ('{"turns": [{"oops": 1}]}', "unknown keys ['oops']"),
        ('{"turns": [{"error": "meteor"}]}', "unknown error 'meteor'"),
        ('{"turns": [{"delay": -1}]}', "'delay' must be a non-negative number"),
        ('{"turns": [{"chunk_delay": "fast"}]}', "'chunk_delay' must be a non-negative number"),
    ],
)
async def test_invalid_scripts_are_clear_errors(tmp_path, content: str, expected: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(ProviderError) as info:
        await ScriptedProvider(f"scripted/{path}").complete(REQUEST)
    assert expected in str(info.value) and info.value.kind == "script"


async def test_missing_file_and_relative_paths(tmp_path, monkeypatch) -> None:
    with pytest.raises(ProviderError, match="script file not found"):
        await ScriptedProvider(f"scripted/{tmp_path}/absent.json").complete(REQUEST)
    (tmp_path / "rel.json").write_text(json.dumps({"turns": [{"text": "relative"}]}))
    monkeypatch.chdir(tmp_path)
    assert (await ScriptedProvider("scripted/rel.json").complete(REQUEST)).content == "relative"
    assert (await ScriptedProvider(f"scripted/{tmp_path}/rel.json").complete(REQUEST)).content == "relative"


async def test_delay_is_async_and_cancellable(script) -> None:
    provider = script([{"text": "late", "delay": 30}])
    task = asyncio.create_task(provider.complete(REQUEST))
    await asyncio.sleep(0.05)
    start = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - start < 5


async def test_chunk_delay_paces_the_stream(script) -> None:
    provider = script([{"text": "one two three four", "chunk_delay": 0.05}])
    arrivals: list[float] = []
    reply = await provider.complete(REQUEST, lambda _: arrivals.append(time.monotonic()))
    assert reply.content == "one two three four" and len(arrivals) == 4
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert min(gaps) >= 0.045, gaps  # asyncio.sleep never wakes early (a small tolerance for the clock)

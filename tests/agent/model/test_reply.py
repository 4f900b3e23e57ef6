"""ReplyBuilder (stream chunks → ModelReply) and reply_from_response, with fake chunk objects."""

from __future__ import annotations

from types import SimpleNamespace as NS

from ml_intern_jupyter.agent.model.reply import ModelReply, RawToolCall, ReplyBuilder, reply_from_response


def call_delta(index: int | None, id: str | None = None, name: str | None = None, arguments: str | None = None):
    return NS(index=index, id=id, function=NS(name=name, arguments=arguments))


def chunk(content: str | None = None, tool_calls=None, finish_reason: str | None = None, usage=None):
    delta = NS(content=content, tool_calls=tool_calls)
    return NS(choices=[NS(delta=delta, finish_reason=finish_reason)], usage=usage)


def usage_chunk(prompt: int | None, completion: int | None):
    return NS(choices=[], usage=NS(prompt_tokens=prompt, completion_tokens=completion))


def interleaved_stream() -> list:
    return [
        chunk("Let me "),
        chunk("check."),
        chunk(tool_calls=[call_delta(0, "id_a", "echo", '{"te')]),
        chunk(tool_calls=[call_delta(1, None, "bash", '{"comm')]),
        chunk(tool_calls=[call_delta(0, None, None, 'xt": "hi"}')]),
        chunk(tool_calls=[call_delta(1, None, None, 'and": "ls"}')]),
        chunk(finish_reason="tool_calls"),
        usage_chunk(120, 35),
    ]


def test_interleaved_tool_call_deltas_are_assembled_by_index() -> None:
    builder = ReplyBuilder("call_3")
    texts = [builder.add(c) for c in interleaved_stream()]
    assert texts == ["Let me ", "check.", "", "", "", "", "", ""]
    reply = builder.build()
    assert reply == ModelReply(
        content="Let me check.",
        tool_calls=(
            RawToolCall("id_a", "echo", '{"text": "hi"}'),
            RawToolCall("call_3_1", "bash", '{"command": "ls"}'),
        ),
        finish_reason="tool_calls",
        prompt_tokens=120,
        completion_tokens=35,
    )


def test_calls_are_ordered_by_index_not_arrival() -> None:
    builder = ReplyBuilder()
    builder.add(chunk(tool_calls=[call_delta(2, "c", "third", "{}")]))
    builder.add(chunk(tool_calls=[call_delta(0, "a", "first", "{}")]))
    builder.add(chunk(tool_calls=[call_delta(1, "b", "second", "{}")]))
    assert [c.name for c in builder.build().tool_calls] == ["first", "second", "third"]


def test_missing_ids_get_deterministic_fallback_ids() -> None:
    def build() -> tuple[str, ...]:
        builder = ReplyBuilder("call_7")
        builder.add(chunk(tool_calls=[call_delta(0, None, "a", "{}"), call_delta(1, None, "b", "{}")]))
        return tuple(c.id for c in builder.build().tool_calls)

    assert build() == build() == ("call_7_0", "call_7_1")


def test_deltas_without_an_index_each_start_a_new_call() -> None:
    builder = ReplyBuilder("p")
    builder.add(chunk(tool_calls=[call_delta(None, "x", "one", "{}")]))
    builder.add(chunk(tool_calls=[call_delta(None, "y", "two", "{}")]))
    assert [(c.id, c.name) for c in builder.build().tool_calls] == [("x", "one"), ("y", "two")]


def test_usage_on_any_chunk_is_captured_and_none_counts_as_zero() -> None:
    builder = ReplyBuilder()
    builder.add(chunk("hi", usage=NS(prompt_tokens=None, completion_tokens=4)))
    reply = builder.build()
    assert (reply.prompt_tokens, reply.completion_tokens) == (0, 4)
    assert reply.finish_reason is None and reply.tool_calls == ()


def test_empty_stream_gives_an_empty_reply() -> None:
    builder = ReplyBuilder()
    assert builder.add(NS(choices=None, usage=None)) == ""
    assert builder.build() == ModelReply(content="")


def test_raw_tool_call_to_message() -> None:
    assert RawToolCall("i", "echo", '{"a": 1}').to_message() == {
        "id": "i",
        "type": "function",
        "function": {"name": "echo", "arguments": '{"a": 1}'},
    }


def test_reply_from_response() -> None:
    response = NS(
        choices=[
            NS(
                message=NS(
                    content=None,
                    tool_calls=[
                        NS(id="abc", function=NS(name="echo", arguments='{"text": "x"}')),
                        NS(id=None, function=NS(name=None, arguments=None)),
                    ],
                ),
                finish_reason="tool_calls",
            )
        ],
        usage=NS(prompt_tokens=11, completion_tokens=5),
    )
    reply = reply_from_response(response, "call_2")
    assert reply == ModelReply(
        content="",
        tool_calls=(RawToolCall("abc", "echo", '{"text": "x"}'), RawToolCall("call_2_1", "", "")),
        finish_reason="tool_calls",
        prompt_tokens=11,
        completion_tokens=5,
    )


def test_reply_from_response_without_usage_or_tool_calls() -> None:
    response = NS(choices=[NS(message=NS(content="hello", tool_calls=None), finish_reason="stop")], usage=None)
    assert reply_from_response(response) == ModelReply(content="hello", finish_reason="stop")

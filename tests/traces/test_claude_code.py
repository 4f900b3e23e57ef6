"""Claude Code JSONL traces: conversion, determinism, validation and the way back."""

from __future__ import annotations

import contextlib
import copy
import importlib
import json
from pathlib import Path
from typing import Any

import pytest

from ml_intern_jupyter import __version__
from ml_intern_jupyter.agent.resume import restore_messages
from ml_intern_jupyter.traces.claude_code import (
    RAW_ARGUMENTS_KEY,
    TraceEntry,
    dumps_jsonl,
    from_trace_lines,
    line_uuid,
    to_trace_lines,
    validate_trace,
)

SESSION = "2026-01-02-notebook-a1b2"
MODEL = "anthropic/claude-sonnet-4-5"


def call(call_id: str, name: str, arguments: str) -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def conversation() -> list[dict[str, Any]]:
    """Text, two parallel calls, a rejected call, malformed arguments, a guard note."""
    return [
        {"role": "system", "content": "You are ML Intern."},
        {"role": "user", "content": "Look at `df` and train a small classifier. ✓ naïve café"},
        {
            "role": "assistant",
            "content": "Let me inspect the data first.",
            "tool_calls": [
                call("call_1", "python", '{"code": "df.describe()"}'),
                call("call_2", "bash", '{"command":"nvidia-smi","timeout":10}'),
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "name": "python", "content": "count  100\nmean  0.5"},
        {"role": "tool", "tool_call_id": "call_2", "name": "bash", "content": "Error: nvidia-smi: not found"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [call("call_3", "write", '{"file_path": "train.py", "content": "import torch\\n"}')],
        },
        {
            "role": "tool",
            "tool_call_id": "call_3",
            "name": "write",
            "content": "The user rejected this tool call; it did not run. User feedback: use sklearn",
        },
        {"role": "assistant", "content": "", "tool_calls": [call("call_4", "python", '{"code": "fit(df"')]},
        {
            "role": "tool",
            "tool_call_id": "call_4",
            "name": "python",
            "content": "Error: the arguments of your python call are not valid JSON (Expecting ',' delimiter).",
        },
        {"role": "user", "content": "[guard] You have repeated the same call three times; try something else."},
        {"role": "assistant", "content": "Trained a LogisticRegression: accuracy 0.91."},
    ]


FAILED_CALLS = {"call_2", "call_3", "call_4"}  # the history's ok=False: an error, a rejection, malformed arguments


def entries_of(messages: list[dict[str, Any]], timestamps: list[float] | None = None) -> list[TraceEntry]:
    out = []
    for i, message in enumerate(messages):
        ok = None if message["role"] != "tool" else message["tool_call_id"] not in FAILED_CALLS
        out.append(TraceEntry(message, timestamps[i] if timestamps else None, ok))
    return out


def lines_of(messages: list[dict[str, Any]] | None = None, timestamps=None, **kwargs: Any) -> list[dict[str, Any]]:
    entries = entries_of(conversation() if messages is None else messages, timestamps)
    return to_trace_lines(entries, session_id=SESSION, model=MODEL, **kwargs)


def normalized(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Parse valid JSON arguments, so that only their value is compared."""
    out = copy.deepcopy(messages)
    for message in out:
        for item in message.get("tool_calls", []):
            with contextlib.suppress(ValueError):
                item["function"]["arguments"] = json.loads(item["function"]["arguments"])
        if message["role"] == "assistant" and not message["content"]:
            message["content"] = None
    return out


def test_lines_have_the_claude_code_shape() -> None:
    lines = lines_of(cwd="/home/alice/work")
    assert validate_trace(lines) == []
    assert len(lines) == len(conversation()) - 1
    assert [line["type"] for line in lines] == [
        "user", "assistant", "user", "user", "assistant", "user", "assistant", "user", "user", "assistant"
    ]  # fmt: skip
    first, second = lines[0], lines[1]
    assert first["message"] == {"role": "user", "content": "Look at `df` and train a small classifier. ✓ naïve café"}
    assert first["parentUuid"] is None and second["parentUuid"] == first["uuid"]
    assert {line["sessionId"] for line in lines} == {SESSION}
    assert all(line["cwd"] == "/home/alice/work" and line["version"] == __version__ for line in lines)
    assert all(line["isSidechain"] is False and line["userType"] == "external" for line in lines)
    message_id = second["message"].pop("id")
    assert message_id.startswith("msg_") and second["requestId"].startswith("req_")
    assert second["message"] == {
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": [
            {"type": "text", "text": "Let me inspect the data first."},
            {"type": "tool_use", "id": "call_1", "name": "python", "input": {"code": "df.describe()"}},
            {"type": "tool_use", "id": "call_2", "name": "bash", "input": {"command": "nvidia-smi", "timeout": 10}},
        ],
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {"input_tokens": 0, "output_tokens": 0},
    }
    assert lines[-1]["message"]["stop_reason"] == "end_turn"
    assert lines[2]["message"] == {
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": "call_1", "content": "count  100\nmean  0.5", "is_error": False}
        ],
    }
    results = [line["message"]["content"][0] for line in lines if isinstance(line["message"]["content"], list)]
    errors = [block["is_error"] for block in results if block["type"] == "tool_result"]
    assert errors == [False, True, True, True]  # ok, "Error:", rejected, malformed arguments
    assert lines[4]["message"]["content"] == [
        {
            "type": "tool_use",
            "id": "call_3",
            "name": "write",
            "input": {"file_path": "train.py", "content": "import torch\n"},
        }
    ]
    assert lines[6]["message"]["content"][0]["input"] == {RAW_ARGUMENTS_KEY: '{"code": "fit(df"'}
    assert lines[8]["message"]["content"].startswith("[guard]")


def test_is_error_comes_from_the_recorded_ok_not_from_wording() -> None:
    message = {"role": "tool", "tool_call_id": "c", "name": "python", "content": "Error: this text looks like one"}
    assistant = {"role": "assistant", "content": None, "tool_calls": [call("c", "python", "{}")]}
    ok_line = to_trace_lines([TraceEntry(assistant), TraceEntry(message, ok=True)], session_id=SESSION, model=MODEL)
    failed = to_trace_lines([TraceEntry(assistant), TraceEntry(message, ok=False)], session_id=SESSION, model=MODEL)
    assert ok_line[1]["message"]["content"][0]["is_error"] is False
    assert failed[1]["message"]["content"][0]["is_error"] is True


def test_usage_stop_reasons_and_ids_are_recorded_and_deterministic() -> None:
    entries = [
        TraceEntry({"role": "user", "content": "hi"}, 10.0),
        TraceEntry({"role": "assistant", "content": "part"}, 11.0, None, 120, 4096, "length"),
    ]
    lines = to_trace_lines(entries, session_id=SESSION, model=MODEL)
    message = lines[1]["message"]
    assert message["usage"] == {"input_tokens": 120, "output_tokens": 4096} and message["stop_reason"] == "max_tokens"
    assert lines[1]["timestamp"] == "1970-01-01T00:00:11.000Z"
    again = to_trace_lines(entries, session_id=SESSION, model=MODEL)
    assert (again[1]["message"]["id"], again[1]["requestId"]) == (message["id"], lines[1]["requestId"])


def test_repeated_tool_call_ids_are_made_unique_on_call_and_result() -> None:
    def turn(text: str) -> list[dict[str, Any]]:
        return [
            {"role": "user", "content": text},
            {"role": "assistant", "content": None, "tool_calls": [call("call_0_0", "python", "{}")]},
            {"role": "tool", "tool_call_id": "call_0_0", "name": "python", "content": text},
        ]

    lines = lines_of([*turn("one"), *turn("two"), *turn("three")])
    assert validate_trace(lines) == []
    uses = [line["message"]["content"][0]["id"] for line in lines if line["type"] == "assistant"]
    results = [
        line["message"]["content"][0]["tool_use_id"]
        for line in lines
        if line["message"]["content"][0:1]
        and isinstance(line["message"]["content"], list)
        and line["message"]["content"][0]["type"] == "tool_result"
    ]
    assert uses == results == ["call_0_0", "call_0_0_1", "call_0_0_2"]


def test_conversion_is_deterministic_and_prefix_stable() -> None:
    one, two = lines_of(), lines_of()
    assert one == two and dumps_jsonl(one).encode() == dumps_jsonl(two).encode()
    assert lines_of(conversation()[:5]) == one[:4]  # a longer history keeps its prefix
    other = to_trace_lines(conversation(), session_id="another", model=MODEL)
    assert not {line["uuid"] for line in other} & {line["uuid"] for line in one}
    assert one[0]["uuid"] == line_uuid(SESSION, 0, "user")
    assert [line["timestamp"] for line in one[:2]] == ["1970-01-01T00:00:00.000Z", "1970-01-01T00:00:01.000Z"]
    messages = conversation()
    assert conversation() == messages  # the input is not modified


def test_timestamps() -> None:
    stamps = [1767225600.0 + 2.5 * i for i in range(len(conversation()))]  # 2026-01-01T00:00:00Z
    lines = lines_of(timestamps=stamps)
    assert lines[0]["timestamp"] == "2026-01-01T00:00:02.500Z" and lines[-1]["timestamp"] == "2026-01-01T00:00:25.000Z"
    assert lines_of(start_time=1767225600.0)[1]["timestamp"] == "2026-01-01T00:00:01.000Z"  # none recorded


def test_dumps_jsonl_is_one_compact_object_per_line() -> None:
    messages = [{"role": "user", "content": 'line\u2028sep \u2029 para ✓ "q"\nnew'}]
    text = dumps_jsonl(lines_of(messages))
    assert text.endswith("\n") and text.count("\n") == 1 and len(text.splitlines()) == 1
    assert "✓" in text and "\u2028" not in text and ", " not in text.split('"message"')[0]
    assert json.loads(text)["message"]["content"] == messages[0]["content"]
    assert dumps_jsonl([]) == ""


def broken(mutate) -> list[str]:
    lines = copy.deepcopy(lines_of())
    mutate(lines)
    return validate_trace(lines)


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda ls: ls[3].__setitem__("parentUuid", ls[0]["uuid"]), "parentUuid"),
        (lambda ls: ls[0].__setitem__("parentUuid", "x"), "parentUuid"),
        (lambda ls: ls.pop(2), "tool_use 'call_1' has no tool_result"),
        (lambda ls: ls.pop(1), "answers no earlier tool_use"),
        (lambda ls: ls[5].__setitem__("uuid", ls[4]["uuid"]), "duplicate uuid"),
        (lambda ls: ls[1].__setitem__("type", "system"), "type 'system'"),
        (lambda ls: ls[1].__setitem__("type", "user"), "role 'assistant' != type 'user'"),
        (lambda ls: ls[0].pop("sessionId"), "missing 'sessionId'"),
        (lambda ls: ls[0].__setitem__("isSidechain", "no"), "'isSidechain' has type str"),
        (lambda ls: ls[0].__setitem__("timestamp", "yesterday"), "timestamp"),
        (lambda ls: ls[0].__setitem__("timestamp", "2026-01-01T00:00:00"), "timestamp"),
        (lambda ls: ls[-1].__setitem__("sessionId", "other"), "2 different sessionIds"),
        (lambda ls: ls.insert(3, copy.deepcopy(ls[2])), "answered twice"),
        (lambda ls: ls[1]["message"]["content"][2].__setitem__("id", "call_1"), "duplicate tool_use id"),
        (lambda ls: ls[1]["message"].__setitem__("content", "text"), "content must be a list"),
        (lambda ls: ls[1]["message"]["content"][1].__setitem__("input", "[]"), "input is not an object"),
        (lambda ls: ls[0]["message"].__setitem__("content", [{"type": "image"}]), "unexpected 'image' block"),
        (lambda ls: ls.__setitem__(0, "not a dict"), "not a JSON object"),
    ],
)
def test_validator_catches(mutate, needle: str) -> None:
    problems = broken(mutate)
    assert any(needle in problem for problem in problems), problems


def test_validator_on_empty_and_unhashable_garbage() -> None:
    assert validate_trace([]) == ["the trace has no lines"]
    line = {"type": "user", "message": {"role": "user", "content": [{"type": "tool_result", "tool_use_id": ["x"]}]}}
    assert validate_trace([{**line, "uuid": ["u"], "sessionId": {"s": 1}}])  # reports, does not raise


def test_round_trip_back_to_openai_messages() -> None:
    messages = conversation()
    back = from_trace_lines(lines_of(messages))
    assert normalized(back) == normalized(messages[1:])
    # Malformed arguments come back verbatim; valid ones are re-serialised.
    assert back[6]["tool_calls"][0]["function"]["arguments"] == '{"code": "fit(df"'
    assert back[1]["tool_calls"][1]["function"]["arguments"] == '{"command": "nvidia-smi", "timeout": 10}'
    assert back[4]["content"] is None and back[6]["content"] is None
    assert restore_messages(back) == (back, [])
    reloaded = [json.loads(line) for line in dumps_jsonl(lines_of(messages)).splitlines()]
    assert from_trace_lines(reloaded) == back


def test_from_trace_lines_reads_claude_code_style_traces() -> None:
    base = {"sessionId": "s", "isSidechain": False}
    lines = [
        {"type": "summary", "summary": "Training run", "leafUuid": "x"},
        {**base, "type": "user", "message": {"role": "user", "content": [{"type": "text", "text": "hi"}]}},
        {**base, "type": "assistant", "message": {"id": "msg_1", "role": "assistant", "content": [
            {"type": "thinking", "thinking": "hmm"}, {"type": "text", "text": "Checking."}]}},
        {**base, "type": "assistant", "message": {"id": "msg_1", "role": "assistant", "content": [
            {"type": "tool_use", "id": "toolu_1", "name": "Bash", "input": {"command": "ls"}}]}},
        {**base, "isSidechain": True, "type": "user", "message": {"role": "user", "content": "sub-agent prompt"}},
        {**base, "type": "user", "message": {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_1", "content": [{"type": "text", "text": "a.txt"}]}]}},
    ]  # fmt: skip
    assert from_trace_lines(lines) == [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "Checking.", "tool_calls": [call("toolu_1", "Bash", '{"command": "ls"}')]},
        {"role": "tool", "tool_call_id": "toolu_1", "name": "Bash", "content": "a.txt"},
    ]


def test_an_export_loads_with_datasets_one_row_per_line(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    path = tmp_path / "session.jsonl"
    lines = lines_of()
    path.write_text(dumps_jsonl(lines), encoding="utf-8")
    kwargs: dict[str, Any] = {"data_files": str(path), "split": "train", "cache_dir": str(tmp_path / "cache")}
    json_config = importlib.import_module("datasets.packaged_modules.json.json").JsonConfig
    if "parse_agent_traces" in json_config.__dataclass_fields__:
        kwargs["parse_agent_traces"] = False  # newer datasets read Claude Code traces as sessions (needs teich)
    dataset = datasets.load_dataset("json", **kwargs)
    assert dataset.num_rows == len(lines)
    assert dataset["uuid"] == [line["uuid"] for line in lines]


def test_an_export_is_recognised_as_a_claude_code_agent_trace(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    pytest.importorskip("teich")  # what datasets (and the Hub's viewer) use to read agent traces
    path = tmp_path / "session.jsonl"
    path.write_text(dumps_jsonl(lines_of(start_time=1767225600.0)), encoding="utf-8")
    kwargs = {"data_files": str(path), "split": "train", "cache_dir": str(tmp_path / "cache")}
    dataset = datasets.load_dataset("json", **kwargs)
    assert dataset.num_rows == 1
    row = dataset[0]
    assert (row["harness"], row["session_id"], row["num_tool_calls"]) == ("claude_code", SESSION, 4)
    assert row["prompt"].startswith("Look at `df`") and row["sent_at"] == "2026-01-01T00:00:00.000Z"

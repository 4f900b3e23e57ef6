"""The ``ml_intern`` comm in a real kernel, driven the way the sidebar drives it (labextension/PROTOCOL.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from .kernel_driver import KernelDriver, started_kernel

V = 1


def op(payload: dict) -> dict:
    return {"kind": "op", "v": V, "op": payload}


def user_input(text: str) -> dict:
    return op({"op": "user_input", "text": text})


def events(messages: list[dict], type_: str | None = None) -> list[dict]:
    found = [m["event"] for m in messages if m.get("kind") == "event"]
    return [e for e in found if type_ is None or e["type"] == type_]


def python_turn(code: str, text: str = "") -> dict:
    return {"text": text, "tool_calls": [{"name": "python", "arguments": {"code": code}}]}


@pytest.fixture(scope="module")
def kernel(tmp_path_factory) -> Iterator[KernelDriver]:
    with started_kernel(tmp_path_factory.mktemp("bridge")) as driver:
        yield driver


def script(kernel: KernelDriver, name: str, turns: list[dict]) -> str:
    path = kernel.home / name
    path.write_text(json.dumps({"turns": turns}))
    return f"scripted/{path}"


def attach(kernel: KernelDriver) -> tuple[str, dict]:
    panel = kernel.open_panel()
    kernel.panel_send(panel, {"kind": "hello", "v": V})
    got = kernel.pump_panel(panel, lambda ms: any(m.get("kind") == "welcome" for m in ms), timeout=30)
    return panel, next(m for m in got if m.get("kind") == "welcome")


def test_a_panel_turn_streams_asks_runs_the_edited_code_and_leaves_the_kernel_free(kernel: KernelDriver):
    long_text = "word " * 400
    model = script(kernel, "panel.json", [python_turn("panel_x = 1", long_text), {"text": "The variable is set."}])
    kernel.run(f"%intern model {model}")  # the model is set in a cell; the panel shares the session
    panel, welcome = attach(kernel)
    assert welcome["session"] == "default" and welcome["model"] == model and welcome["busy"] is False
    assert "anthropic/claude-sonnet-4-5-20250929" in welcome["models"] or welcome["models"]

    kernel.panel_send(panel, user_input("set panel_x"))
    got = kernel.pump_panel(panel, lambda ms: bool(events(ms, "approval_required")), timeout=60)
    chunks = events(got, "assistant_chunk")
    assert "".join(c["content"] for c in chunks) == long_text
    assert len(chunks) < 40  # ~400 streamed pieces merged into a few messages
    seqs = [e["seq"] for e in events(got)]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)

    assert "2" in kernel.run("1 + 1", timeout=10).text()  # the panel's turn runs in the background
    request = events(got, "approval_required")[0]
    assert request["arguments"] == {"code": "panel_x = 1"}
    decision = {"op": "exec_approval", "tool_call_id": request["tool_call_id"], "approved": True,
                "edited_arguments": {"code": "panel_x = 41 + 1"}}  # fmt: skip
    kernel.panel_send(panel, op(decision))
    got = kernel.pump_panel(panel, lambda ms: bool(events(ms, "turn_complete")), timeout=60)
    assert events(got, "turn_complete")[0]["final_text"] == "The variable is set."
    assert kernel.run("print(panel_x)").text().strip() == "42"  # exactly the edited code ran
    kernel.close_panel(panel)


def test_malformed_messages_are_refused_with_a_reason_and_change_nothing(kernel: KernelDriver):
    panel, _ = attach(kernel)
    bad = [
        "not an object",
        {"kind": "bogus", "v": V},
        {"kind": "hello", "v": 99},
        op({"op": "no_such_op"}),
        op({"op": "exec_approval", "tool_call_id": 5}),
        {"kind": "notebook_reply", "v": V, "request_id": "nb-999", "ok": True},
        {"kind": "hello", "v": V, "session": ["x"]},
    ]
    for message in bad:
        kernel.panel_send(panel, message)
    got = kernel.pump_panel(panel, lambda ms: sum(m.get("kind") == "error" for m in ms) >= len(bad), timeout=30)
    reasons = [m["message"] for m in got if m.get("kind") == "error"]
    assert any("unknown message kind 'bogus'" in r for r in reasons) and any("version 99" in r for r in reasons)
    assert "2" in kernel.run("1 + 1").text()  # the kernel is fine
    kernel.close_panel(panel)


def test_a_second_tab_replays_the_turn_and_answers_its_approval(kernel: KernelDriver):
    model = script(kernel, "replay.json", [python_turn("tab_y = 'from the second tab'", "Asking."), {"text": "ok"}])
    kernel.run(f"%intern model {model}")
    first, _ = attach(kernel)
    kernel.panel_send(first, user_input("set tab_y"))
    kernel.pump_panel(first, lambda ms: bool(events(ms, "approval_required")), timeout=60)
    second, welcome = attach(kernel)  # a reload or another tab, mid-turn
    replay_types = [e["type"] for e in welcome["replay"]]
    assert welcome["busy"] is True and "processing" in replay_types and "approval_required" in replay_types
    pending = next(e for e in welcome["replay"] if e["type"] == "approval_required")
    kernel.panel_send(second, user_input("again"))  # busy: refused, not queued
    kernel.pump_panel(second, lambda ms: any("already working" in m.get("message", "") for m in ms), timeout=30)
    kernel.panel_send(second, op({"op": "exec_approval", "tool_call_id": pending["tool_call_id"], "approved": True}))
    kernel.pump_panel(first, lambda ms: bool(events(ms, "turn_complete")), timeout=60)  # both tabs see it end
    assert "from the second tab" in kernel.run("print(tab_y)").text()
    kernel.close_panel(first)
    kernel.close_panel(second)


def test_notebook_tools_ask_the_panel_and_wait_for_its_answer(kernel: KernelDriver):
    turns = [
        {"tool_calls": [{"name": "notebook_read", "arguments": {"cells": [0]}}]},
        {
            "tool_calls": [
                {"name": "notebook_edit", "arguments": {"operation": "insert", "index": 1, "source": "print('added')"}}
            ]
        },
        {"text": "Inserted."},
    ]
    kernel.run(f"%intern model {script(kernel, 'nb.json', turns)}")
    panel, _ = attach(kernel)
    kernel.panel_send(panel, user_input("look at my notebook"))
    got = kernel.pump_panel(panel, lambda ms: any(m.get("kind") == "notebook_request" for m in ms), timeout=60)
    read = next(m for m in got if m.get("kind") == "notebook_request")
    assert read["action"] == "read" and read["args"] == {"cells": [0]}
    cell = {"index": 0, "cell_type": "code", "source": "df = load()", "execution_count": 3,
            "outputs": [{"output_type": "stream", "text": "loaded 10 rows"}]}  # fmt: skip
    kernel.panel_send(panel, {"kind": "notebook_reply", "v": V, "request_id": read["request_id"], "ok": True,
                              "result": {"path": "work.ipynb", "cells": [cell]}})  # fmt: skip
    got = kernel.pump_panel(panel, lambda ms: bool(events(ms, "approval_required")), timeout=60)
    output = events(got, "tool_output")[0]
    assert (
        "df = load()" in output["output"] and "loaded 10 rows" in output["output"] and "ran as [3]" in output["output"]
    )
    approval = events(got, "approval_required")[0]
    assert approval["name"] == "notebook_edit" and "+print('added')" in approval["details"]["diff"]
    kernel.panel_send(panel, op({"op": "exec_approval", "tool_call_id": approval["tool_call_id"], "approved": True}))
    got = kernel.pump_panel(panel, lambda ms: sum(m.get("kind") == "notebook_request" for m in ms) >= 2, timeout=60)
    edit = [m for m in got if m.get("kind") == "notebook_request"][1]
    assert edit["action"] == "edit" and edit["args"]["source"] == "print('added')"
    kernel.panel_send(panel, {"kind": "notebook_reply", "v": V, "request_id": edit["request_id"], "ok": True,
                              "result": {"path": "work.ipynb", "cells": 2}})  # fmt: skip
    got = kernel.pump_panel(panel, lambda ms: bool(events(ms, "turn_complete")), timeout=60)
    assert "2 cells now" in events(got, "tool_output")[-1]["output"]
    kernel.close_panel(panel)

"""``%intern panel`` in a real kernel: its message box and buttons driven through widget comm messages."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from .kernel_driver import KernelDriver, started_kernel


@pytest.fixture(scope="module")
def kernel(tmp_path_factory) -> Iterator[KernelDriver]:
    with started_kernel(tmp_path_factory.mktemp("widget-panel")) as driver:
        yield driver


def wait_for(kernel: KernelDriver, check, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out; the panel shows:\n{kernel.output_widget_text()[-2000:]}")
        kernel._drain(0.1)


def test_a_message_from_the_panel_streams_asks_and_runs(kernel: KernelDriver):
    turns = [
        {"text": "Setting it now.", "tool_calls": [{"name": "python", "arguments": {"code": "from_panel = 7 * 6"}}]},
        {"text": "Done: `from_panel` is 42."},
    ]
    (kernel.home / "panel.json").write_text(json.dumps({"turns": turns}))
    kernel.run(f"%intern model scripted/{kernel.home / 'panel.json'}")
    opened = kernel.run("%intern panel")
    assert "[ML Intern chat panel]" in opened.text()
    [box] = kernel.anywidgets("widget_panel.ChatInput")
    message = "set from_panel to 6 times 7, please"
    kernel._comm_msg(box, {"method": "custom", "content": {"event": "send", "text": message}})
    wait_for(kernel, lambda: bool(kernel.approval_cards()))
    shown = kernel.output_widget_text()
    assert f"You: {message}" in shown or message in shown
    assert "Setting it now." in shown and kernel.comms[box]["busy"] is True
    assert "2" in kernel.run("1 + 1", timeout=10).text()  # the panel's turn leaves the kernel free
    kernel.decide(kernel.approval_cards()[-1], "approve")
    wait_for(
        kernel, lambda: "from_panel` is 42" in kernel.output_widget_text() or "is 42" in kernel.output_widget_text()
    )
    wait_for(kernel, lambda: kernel.comms[box]["busy"] is False)
    assert kernel.run("print(from_panel)").text().strip() == "42"


def test_malformed_panel_messages_are_ignored(kernel: KernelDriver):
    kernel.run("%intern panel")
    box = kernel.anywidgets("widget_panel.ChatInput")[-1]
    for content in ({"event": "send"}, {"event": "send", "text": 5}, {"event": "launch"}, "send"):
        kernel._comm_msg(box, {"method": "custom", "content": content})
    assert "2" in kernel.run("1 + 1").text() and kernel.comms[box].get("busy") is False

"""CellView without a kernel: coalescing, final render, cards, footer placement."""

from __future__ import annotations

import asyncio

from ml_intern_jupyter.notebook.cards import Footer, MarkdownText, RunStatus, ToolCard
from ml_intern_jupyter.notebook.view import CellView
from ml_intern_jupyter.protocol import (
    AssistantChunk,
    AssistantMessage,
    ErrorEvent,
    PlanUpdate,
    ToolCallEvent,
    ToolLog,
    ToolOutput,
    ToolState,
    ToolStateChange,
)


class Handle:
    def __init__(self, log: list, obj) -> None:
        self.log, self.obj = log, obj
        log.append(("display", obj))

    def update(self, obj) -> None:
        self.obj = obj
        self.log.append(("update", obj))


def make_view(**kwargs):
    log: list = []
    handles: list[Handle] = []

    def display(obj, display_id=True):
        handle = Handle(log, obj)
        handles.append(handle)
        return handle

    return CellView("test-model", display=display, **kwargs), log, handles


async def test_fast_stream_is_coalesced_and_final_text_rendered_once():
    view, log, _handles = make_view()
    view.start()
    words = [f"token{i} " for i in range(1000)]
    for word in words:
        view(AssistantChunk(content=word))
    view(AssistantMessage(content="".join(words)))
    view.close()
    text_msgs = [(kind, obj) for kind, obj in log if isinstance(obj, MarkdownText)]
    assert len(text_msgs) <= 3, len(text_msgs)
    assert text_msgs[-1][1].text == "".join(words)
    finals = [obj for _, obj in text_msgs if obj.text == "".join(words)]
    assert len(finals) == 1


async def test_paced_stream_stays_under_15_updates_a_second():
    view, log, _ = make_view()
    view.start()
    for i in range(60):  # ~0.6 s at 100 chunks/s
        view(AssistantChunk(content=f"word{i} " * 3))
        await asyncio.sleep(0.01)
    elapsed_updates = [obj for _, obj in log if isinstance(obj, MarkdownText)]
    assert 1 <= len(elapsed_updates) <= 0.6 * 15 + 1
    view(AssistantMessage(content="done"))
    view.close()
    assert [obj for _, obj in log if isinstance(obj, MarkdownText)][-1].text == "done"


async def test_pending_text_is_flushed_by_the_timer():
    view, log, _ = make_view(max_interval=0.05)
    view.start()
    view(AssistantChunk(content="short"))
    await asyncio.sleep(0.15)
    assert any(isinstance(obj, MarkdownText) and obj.text == "short" for _, obj in log)
    view.close()


async def test_tool_card_follows_states_logs_and_output():
    view, _log, handles = make_view(tick=0.01)
    view.start()
    view(ToolCallEvent(tool_call_id="c1", name="bash", arguments={"command": "ls"}))
    view(ToolStateChange(tool_call_id="c1", name="bash", state=ToolState.RUNNING))
    view(ToolLog(tool_call_id="c1", name="bash", line="file.txt"))
    await asyncio.sleep(0.05)  # logs are pushed by the ticker
    card_handle = next(h for h in handles if isinstance(h.obj, ToolCard))
    assert card_handle.obj.log == ["file.txt"]
    view(ToolOutput(tool_call_id="c1", name="bash", output="x" * 10_000, ok=True))
    view(ToolStateChange(tool_call_id="c1", name="bash", state=ToolState.DONE))
    view.close()
    card = card_handle.obj
    assert card.state is ToolState.DONE and card.output == "x" * 10_000
    assert "characters hidden in this view" in card._repr_html_()
    assert "bash [done]" in repr(card)


async def test_footer_stays_last_and_errors_show_the_fix():
    view, _log, handles = make_view()
    view.start()
    view(PlanUpdate(todos=({"content": "a", "status": "completed"},)))
    view(ErrorEvent(message="boom", fix="do this"))
    view.close("error")
    assert isinstance(handles[-1].obj, Footer) and handles[-1].obj.status == "error"
    assert sum(isinstance(h.obj, Footer) for h in handles) == 1  # each block took the footer's slot: no blanks
    assert "Fix: do this" in repr(handles[-2].obj)
    assert "[x] a" in repr(handles[0].obj) and "- [x] a" in handles[0].obj._repr_markdown_()
    assert all(repr(h.obj) for h in handles)  # nothing empty was left behind


async def test_a_native_tool_run_puts_its_status_line_where_the_footer_was():
    view, _, handles = make_view(native_tools={"python"})
    view.start()
    view(ToolCallEvent(tool_call_id="p1", name="python", arguments={"code": "print(1)"}))
    view(ToolStateChange(tool_call_id="p1", name="python", state=ToolState.RUNNING))
    assert isinstance(handles[-1].obj, RunStatus) and "running" in repr(handles[-1].obj)
    assert not any(isinstance(h.obj, Footer) for h in handles)  # the run's prints come right after it
    view(ToolLog(tool_call_id="p1", name="python", line="1", echoed=True))
    view(ToolOutput(tool_call_id="p1", name="python", output="1", ok=True))
    view(ToolStateChange(tool_call_id="p1", name="python", state=ToolState.DONE))
    assert "finished python" in repr(handles[-1].obj)
    view.close()
    assert isinstance(handles[-1].obj, Footer) and "its output is shown below" in repr(handles[0].obj)
    card = handles[0].obj
    assert card.log == []  # the echoed line was not drawn again

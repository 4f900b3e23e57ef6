"""The plan tool: the plan display, the checklist text, schema enforcement."""

from __future__ import annotations

from ml_intern_jupyter.tools.builtin import make_plan_tool
from ml_intern_jupyter.tools.spec import PlanDisplay, ToolRouter

TODOS = [
    {"content": "Load the data", "status": "completed"},
    {"content": "Fine-tune", "status": "in_progress"},
    {"content": "Push to the Hub", "status": "pending"},
]


async def test_plan_emits_update_and_renders_checklist(recorder):
    router = ToolRouter([make_plan_tool()])
    result = await router.execute("plan", {"todos": TODOS}, recorder.ctx)
    assert result.ok
    assert result.output == ("Plan (1/3 done):\n[x] Load the data\n[>] Fine-tune\n[ ] Push to the Hub")
    assert recorder.displays == [PlanDisplay(tuple(TODOS))]


async def test_empty_plan_clears(recorder):
    result = await make_plan_tool().handler({"todos": []}, recorder.ctx)
    assert result.output == "Plan cleared."
    assert recorder.displays == [PlanDisplay(())]


def test_schema_rejects_bad_status_and_shape():
    router = ToolRouter([make_plan_tool()])
    assert router.validate("plan", {"todos": TODOS}) is None
    bad_status = router.validate("plan", {"todos": [{"content": "x", "status": "done"}]})
    assert bad_status is not None and "'done' is not one of" in bad_status
    assert router.validate("plan", {"todos": [{"content": "x"}]}) is not None
    assert router.validate("plan", {}) is not None
    assert router.validate("plan", {"todos": TODOS, "extra": 1}) is not None
    assert make_plan_tool().requires_approval({"todos": TODOS}) is False


async def test_handler_refuses_bad_status_without_emitting(recorder):
    result = await make_plan_tool().handler({"todos": [{"content": "x", "status": "done"}]}, recorder.ctx)
    assert result.ok is False
    assert recorder.displays == []

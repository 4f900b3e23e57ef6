"""The ``plan`` tool: the agent's todo checklist, shown to the user as it changes."""

from __future__ import annotations

from typing import Any

from ..spec import PlanDisplay, ToolContext, ToolResult, ToolSpec

STATUSES = ("pending", "in_progress", "completed")
_MARKS = {"completed": "[x]", "in_progress": "[>]", "pending": "[ ]"}

DESCRIPTION = """\
Create or update your todo list for the current task. Each call replaces the whole list, \
and the user sees it update.

- Use it for work with three or more steps; skip it for trivial requests.
- Statuses: `pending`, `in_progress` (exactly one item at a time while you work), \
`completed` (mark items done as soon as they are, not in batches).
- Keep items short and concrete, e.g. "Tokenize the dataset", "Fine-tune for 3 epochs"."""

PARAMETERS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "todos": {
            "type": "array",
            "description": "The complete, updated todo list in order.",
            "items": {
                "type": "object",
                "properties": {
                    "content": {"type": "string", "minLength": 1, "description": "What to do."},
                    "status": {"type": "string", "enum": list(STATUSES), "description": "Its state."},
                },
                "required": ["content", "status"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["todos"],
    "additionalProperties": False,
}


def make_plan_tool() -> ToolSpec:
    """The ``plan`` tool spec (never asks for approval)."""
    return ToolSpec(
        name="plan",
        description=DESCRIPTION,
        parameters=PARAMETERS,
        handler=run_plan,
        needs_approval=False,
    )


async def run_plan(arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
    """Handler of the ``plan`` tool: shows the plan and returns the checklist."""
    todos = tuple({"content": str(item["content"]), "status": str(item["status"])} for item in arguments["todos"])
    bad = [t["status"] for t in todos if t["status"] not in STATUSES]
    if bad:
        return ToolResult(f"Unknown status {bad[0]!r}; use one of {', '.join(STATUSES)}.", ok=False)
    ctx.show(PlanDisplay(todos))
    return ToolResult(render_plan(todos))


def render_plan(todos: tuple[dict[str, str], ...] | list[dict[str, str]]) -> str:
    """The checklist as text: ``[x]`` completed, ``[>]`` in progress, ``[ ]`` pending."""
    if not todos:
        return "Plan cleared."
    done = sum(t["status"] == "completed" for t in todos)
    lines = [f"Plan ({done}/{len(todos)} done):"]
    lines += [f"{_MARKS[t['status']]} {t['content']}" for t in todos]
    return "\n".join(lines)

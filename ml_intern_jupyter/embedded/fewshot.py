"""Few-shot turns that show a small model the tool dialect, built only from tools it really has."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .dialect import ANSWER, CALL_PREFIX, fields, render_call, render_result, tool_name
from .transcript import Message


@dataclass(frozen=True)
class Example:
    """One request → call → result → answer exchange (``tool`` None: a direct answer)."""

    request: str
    tool: str | None
    arguments: dict[str, Any]
    result: str
    answer: str


EXAMPLES: tuple[Example, ...] = (
    Example("Compute 3*14 with python.", "python", {"code": "print(3 * 14)"}, "42", "3*14 = 42."),
    Example(
        "List the files in the data folder.",
        "bash",
        {"command": "ls data"},
        "train.csv\ntest.csv\n[exit code 0]",
        "The data folder has train.csv and test.csv.",
    ),
    Example("Hello! Who are you?", None, {}, "", "Hello! I am your assistant. How can I help?"),
    Example(
        "Show me the file config.yaml",
        "read",
        {"file_path": "config.yaml"},
        "     1\tlr: 0.01",
        "config.yaml sets lr to 0.01.",
    ),
    Example(
        "Save the text 'done' to status.txt",
        "write",
        {"file_path": "status.txt", "content": "done"},
        "Wrote status.txt (1 line).",
        "I saved 'done' to status.txt.",
    ),
)


def _fits(example: Example, tool: dict[str, Any]) -> bool:
    """The example's arguments are exactly the tool's required ones."""
    return {f.name for f in fields(tool)} == set(example.arguments)


DEFAULT_LIMIT = 5
"""Tool examples shown by default (bench/local_model.py --ablation measures 0, 1 and 5)."""


def example_turns(tools: list[dict[str, Any]], limit: int = DEFAULT_LIMIT) -> list[Message]:
    """Chat turns demonstrating calls to up to ``limit`` of the given tools (plus one direct answer)."""
    by_name = {tool_name(t): t for t in tools}
    turns: list[Message] = []
    used = 0
    for example in EXAMPLES:
        if used >= limit:
            break
        if example.tool is None:
            turns += [
                {"role": "user", "content": example.request},
                {"role": "assistant", "content": f"{CALL_PREFIX} {ANSWER}\n{example.answer}"},
            ]
            continue
        tool = by_name.get(example.tool)
        if tool is None or not _fits(example, tool):
            continue
        used += 1
        turns += [
            {"role": "user", "content": example.request},
            {"role": "assistant", "content": render_call(tool, example.tool, example.arguments)},
            {"role": "user", "content": render_result(example.tool, example.result)},
            {"role": "assistant", "content": f"{CALL_PREFIX} {ANSWER}\n{example.answer}"},
        ]
    return turns

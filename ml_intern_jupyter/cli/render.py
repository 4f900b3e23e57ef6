"""Readable terminal output for agent events."""

from __future__ import annotations

import json
import sys
from typing import TextIO

from ..commands.registry import CLI
from ..common import CODE_ARGS, PLAN_MARKS, head_tail_lines
from ..protocol import (
    AssistantChunk,
    AssistantMessage,
    AssistantStreamEnd,
    Compacted,
    ErrorEvent,
    Event,
    Interrupted,
    NoticeEvent,
    PlanUpdate,
    ToolCallEvent,
    ToolLog,
    ToolOutput,
    TurnComplete,
    UndoComplete,
)


def _style(code: str, text: str, enabled: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if enabled else text


def format_arguments(arguments: dict) -> str:
    """Arguments as the terminal shows them: code-like values on their own lines."""
    parts = []
    for key, value in arguments.items():
        if key in CODE_ARGS and isinstance(value, str) and "\n" in value.strip():
            parts.append(f"{key}:\n" + "\n".join("    " + line for line in value.splitlines()))
        else:
            parts.append(f"{key}={json.dumps(value, ensure_ascii=False)[:300]}")
    return "\n  ".join(parts)


class TerminalRenderer:
    """An event sink that prints to a terminal (colours only on a tty)."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None, max_output_lines: int = 20) -> None:
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.color = self.out.isatty()
        self.max_output_lines = max_output_lines
        self._streamed = False

    def __call__(self, event: Event) -> None:
        handler = getattr(self, "_on_" + event.type, None)
        if handler is not None:
            handler(event)
            self.out.flush()

    def _print(self, text: str, code: str = "", stream: TextIO | None = None) -> None:
        print(_style(code, text, self.color) if code else text, file=stream or self.out)

    def _on_assistant_chunk(self, event: AssistantChunk) -> None:
        self._streamed = True
        self.out.write(event.content)

    def _on_assistant_stream_end(self, event: AssistantStreamEnd) -> None:
        self.out.write("\n")

    def _on_assistant_message(self, event: AssistantMessage) -> None:
        if not self._streamed and event.content:
            self._print(event.content)
        self._streamed = False

    def _on_tool_call(self, event: ToolCallEvent) -> None:
        self._print(f"▶ {event.name}  {format_arguments(event.arguments)}", "36")

    def _on_tool_log(self, event: ToolLog) -> None:
        self._print(f"  │ {event.line}", "2")

    def _on_tool_output(self, event: ToolOutput) -> None:
        mark = "✓" if event.ok else "✗"
        body = head_tail_lines(event.output, self.max_output_lines)
        self._print(f"  {mark} " + body.replace("\n", "\n    "), "32" if event.ok else "31")

    def _on_plan_update(self, event: PlanUpdate) -> None:
        for todo in event.todos:
            self._print(f"  {PLAN_MARKS.get(todo.get('status', ''), '[ ]')} {todo.get('content', '')}", "35")

    def _on_error(self, event: ErrorEvent) -> None:
        self._print(f"✗ Error: {event.message}", "31", self.err)
        fix = " ".join(part for part in (event.fix, CLI.remedies(event.remedies)) if part)
        if fix:
            self._print(f"  Fix: {fix}", "33", self.err)

    def _on_notice(self, event: NoticeEvent) -> None:
        code = {"error": "31", "warning": "33"}.get(event.level, "2")
        self._print(f"· {event.message}", code, self.err)

    def _on_interrupted(self, event: Interrupted) -> None:
        self._print("⏹ Interrupted; the history was kept consistent.", "33", self.err)

    def _on_compacted(self, event: Compacted) -> None:
        self._print(f"⇣ Compacted history: {event.old_tokens} → {event.new_tokens} tokens", "2", self.err)

    def _on_undo_complete(self, event: UndoComplete) -> None:
        self._print(f"↶ Undid the last turn ({event.removed_messages} messages)", "2", self.err)

    def _on_turn_complete(self, event: TurnComplete) -> None:
        note = " (stopped at max_iterations)" if event.stop_reason == "max_iterations" else ""
        self._print(
            f"── done in {event.iterations} iteration(s), {event.prompt_tokens} prompt + "
            f"{event.completion_tokens} completion tokens{note}",
            "2",
            self.err,
        )

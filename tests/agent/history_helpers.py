"""A History that tests can build message by message (each helper applies the matching event)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ml_intern_jupyter.agent.history import EntryKind, History
from ml_intern_jupyter.protocol import AssistantMessage, GuardNote, Processing, ToolOutput


class BuiltHistory(History):
    """``History`` plus ``add_*`` shortcuts."""

    def add_user(self, text: str, kind: EntryKind = EntryKind.USER) -> None:
        self.apply(GuardNote(text=text) if kind is EntryKind.GUARD else Processing(user_message=text))

    def add_assistant(self, content: str, tool_calls: Iterable[dict[str, Any]] = ()) -> None:
        self.apply(AssistantMessage(content=content, tool_calls=tuple(tool_calls)))

    def add_tool_result(self, call_id: str, name: str, output: str, ok: bool = True) -> None:
        self.apply(ToolOutput(tool_call_id=call_id, name=name, output=output, ok=ok))

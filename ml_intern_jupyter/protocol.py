"""Operations into the agent and events out of it.

This is the bottom module of the package: every layer may import it, and it
imports nothing from the package. Events are frozen dataclasses; the session
stamps each one with a per-session sequence number (``seq``) when it is
emitted. ``Event.to_dict()`` gives the JSON form used by traces and the
sidebar comm.
"""

from __future__ import annotations

import dataclasses
import enum
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

# --------------------------------------------------------------------------
# Operations (in)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    """Base class of everything a front end submits to a session."""

    op: ClassVar[str] = ""


@dataclass(frozen=True)
class UserInput(Operation):
    """A user message: starts a turn."""

    op: ClassVar[str] = "user_input"
    text: str


@dataclass(frozen=True)
class ExecApproval(Operation):
    """The user's decision on one tool call that waits for approval."""

    op: ClassVar[str] = "exec_approval"
    tool_call_id: str
    approved: bool
    feedback: str | None = None
    edited_arguments: dict[str, Any] | None = None


@dataclass(frozen=True)
class Interrupt(Operation):
    """Cancel the running turn (stream and tools) and keep history consistent."""

    op: ClassVar[str] = "interrupt"


@dataclass(frozen=True)
class Compact(Operation):
    """Summarise the middle of the history now."""

    op: ClassVar[str] = "compact"


@dataclass(frozen=True)
class Undo(Operation):
    """Drop the last user turn and everything after it."""

    op: ClassVar[str] = "undo"


@dataclass(frozen=True)
class New(Operation):
    """Start a fresh conversation (keeps config and tools)."""

    op: ClassVar[str] = "new"


@dataclass(frozen=True)
class Resume(Operation):
    """Replace the history with saved messages (OpenAI chat format)."""

    op: ClassVar[str] = "resume"
    messages: tuple[dict[str, Any], ...] = ()
    session_id: str | None = None


@dataclass(frozen=True)
class Shutdown(Operation):
    """Stop the session for good."""

    op: ClassVar[str] = "shutdown"


# --------------------------------------------------------------------------
# Events (out)
# --------------------------------------------------------------------------


class ToolState(enum.StrEnum):
    """Life cycle of one tool call."""

    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base class of every event. ``seq`` and ``session_id`` are stamped on emit."""

    type: ClassVar[str] = ""
    seq: int = 0
    session_id: str = ""
    timestamp: float = field(default_factory=time.time)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ``{"type": ..., "seq": ..., <payload fields>}``."""
        data = {"type": self.type}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            data[f.name] = value.value if isinstance(value, enum.Enum) else value
        return data


@dataclass(frozen=True, kw_only=True)
class Processing(Event):
    """The agent started working on a user message."""

    type: ClassVar[str] = "processing"
    user_message: str = ""


@dataclass(frozen=True, kw_only=True)
class Ready(Event):
    """The agent is idle and accepts input."""

    type: ClassVar[str] = "ready"


@dataclass(frozen=True, kw_only=True)
class AssistantChunk(Event):
    """A streamed piece of assistant text."""

    type: ClassVar[str] = "assistant_chunk"
    content: str = ""


@dataclass(frozen=True, kw_only=True)
class AssistantMessage(Event):
    """The complete text of one model response (may be empty with tool calls)."""

    type: ClassVar[str] = "assistant_message"
    content: str = ""
    tool_calls: tuple[dict[str, Any], ...] = ()
    finish_reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class AssistantStreamEnd(Event):
    """The token stream of one model response ended."""

    type: ClassVar[str] = "assistant_stream_end"


@dataclass(frozen=True, kw_only=True)
class ToolCallEvent(Event):
    """The model called a tool (arguments already parsed)."""

    type: ClassVar[str] = "tool_call"
    tool_call_id: str = ""
    name: str = ""
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class ToolOutput(Event):
    """The result of a tool call, exactly as the model sees it."""

    type: ClassVar[str] = "tool_output"
    tool_call_id: str = ""
    name: str = ""
    output: str = ""
    ok: bool = True


@dataclass(frozen=True, kw_only=True)
class ToolLog(Event):
    """A progress line from a running tool."""

    type: ClassVar[str] = "tool_log"
    tool_call_id: str = ""
    name: str = ""
    line: str = ""


@dataclass(frozen=True, kw_only=True)
class ToolStateChange(Event):
    """A tool call moved to a new state."""

    type: ClassVar[str] = "tool_state_change"
    tool_call_id: str = ""
    name: str = ""
    state: ToolState = ToolState.RUNNING


@dataclass(frozen=True, kw_only=True)
class ApprovalRequired(Event):
    """A tool call waits for an ``ExecApproval`` with its id."""

    type: ClassVar[str] = "approval_required"
    tool_call_id: str = ""
    name: str = ""
    arguments: dict[str, Any] = field(default_factory=dict)
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class TurnComplete(Event):
    """The agent finished the turn (no more tool calls, or the iteration cap)."""

    type: ClassVar[str] = "turn_complete"
    final_text: str = ""
    iterations: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    stop_reason: str = "done"


@dataclass(frozen=True, kw_only=True)
class ErrorEvent(Event):
    """Something went wrong; ``fix`` says what the user can do about it."""

    type: ClassVar[str] = "error"
    message: str = ""
    kind: str = "error"
    fix: str = ""


@dataclass(frozen=True, kw_only=True)
class Interrupted(Event):
    """The running turn was cancelled; history was repaired."""

    type: ClassVar[str] = "interrupted"
    reason: str = "user"


@dataclass(frozen=True, kw_only=True)
class Compacted(Event):
    """The history was summarised."""

    type: ClassVar[str] = "compacted"
    old_tokens: int = 0
    new_tokens: int = 0
    removed_messages: int = 0


@dataclass(frozen=True, kw_only=True)
class UndoComplete(Event):
    """The last user turn was removed."""

    type: ClassVar[str] = "undo_complete"
    removed_messages: int = 0
    user_message: str = ""


@dataclass(frozen=True, kw_only=True)
class ShutdownEvent(Event):
    """The session stopped."""

    type: ClassVar[str] = "shutdown"


@dataclass(frozen=True, kw_only=True)
class PlanUpdate(Event):
    """The agent's todo list changed (``plan`` tool)."""

    type: ClassVar[str] = "plan_update"
    todos: tuple[dict[str, str], ...] = ()


EVENT_TYPES: tuple[type[Event], ...] = (
    Processing,
    Ready,
    AssistantChunk,
    AssistantMessage,
    AssistantStreamEnd,
    ToolCallEvent,
    ToolOutput,
    ToolLog,
    ToolStateChange,
    ApprovalRequired,
    TurnComplete,
    ErrorEvent,
    Interrupted,
    Compacted,
    UndoComplete,
    ShutdownEvent,
    PlanUpdate,
)
"""Every event class, in the order the seeds list them (plus ``plan_update``)."""

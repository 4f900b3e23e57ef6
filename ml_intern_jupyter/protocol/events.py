"""Events: everything a session emits; ``seq`` and ``session_id`` are stamped on emit."""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .base import fields_to_json


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
        return {"type": self.type, **fields_to_json(self)}


@dataclass(frozen=True, kw_only=True)
class SessionStarted(Event):
    """A session (or a new conversation in it) began; the first event of a session record."""

    type: ClassVar[str] = "session_started"
    model: str = ""
    cwd: str = ""
    version: str = ""
    system_prompt: str = ""


@dataclass(frozen=True, kw_only=True)
class Processing(Event):
    """The agent started working on a user message (it is now the last history entry)."""

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
    """The complete text of one model response (may be empty with tool calls), with its usage."""

    type: ClassVar[str] = "assistant_message"
    content: str = ""
    tool_calls: tuple[dict[str, Any], ...] = ()
    finish_reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0


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
    """The result of a tool call, exactly as the model sees it (redacted, bounded)."""

    type: ClassVar[str] = "tool_output"
    tool_call_id: str = ""
    name: str = ""
    output: str = ""
    ok: bool = True
    structured: Any = None


@dataclass(frozen=True, kw_only=True)
class ToolLog(Event):
    """A progress line from a running tool (``echoed``: the notebook cell already shows it)."""

    type: ClassVar[str] = "tool_log"
    tool_call_id: str = ""
    name: str = ""
    line: str = ""
    echoed: bool = False


@dataclass(frozen=True, kw_only=True)
class ToolDisplay(Event):
    """Rich output of a running tool: a MIME bundle (``text/plain`` always present).

    ``update`` replaces the earlier display with the same ``display_id``; ``clear``
    clears the tool's earlier displays first; ``echoed``: the notebook cell already shows it
    (code the agent ran in the kernel displays it there itself).
    """

    type: ClassVar[str] = "tool_display"
    tool_call_id: str = ""
    name: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    display_id: str | None = None
    update: bool = False
    clear: bool = False
    echoed: bool = False


@dataclass(frozen=True, kw_only=True)
class ToolStateChange(Event):
    """A tool call moved to a new state."""

    type: ClassVar[str] = "tool_state_change"
    tool_call_id: str = ""
    name: str = ""
    state: ToolState = ToolState.RUNNING


@dataclass(frozen=True, kw_only=True)
class ApprovalRequired(Event):
    """A tool call waits for an ``ExecApproval`` with its id.

    ``details`` are lines for the approval card (an MCP server's name, a job's hardware and
    timeout); ``cost_usd`` is the estimated cost where the tool knows one.
    """

    type: ClassVar[str] = "approval_required"
    tool_call_id: str = ""
    name: str = ""
    arguments: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    details: dict[str, str] = field(default_factory=dict)
    cost_usd: float | None = None


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
    """Something went wrong.

    ``fix`` says what to do in words any front end can show; ``remedies`` names the
    session commands that help (``undo``, ``compact``, ``new``, ``model``), which each
    front end words in its own syntax (``%intern undo``, ``/undo``).
    """

    type: ClassVar[str] = "error"
    message: str = ""
    kind: str = "error"
    fix: str = ""
    remedies: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Interrupted(Event):
    """The running turn was cancelled; history was repaired (``partial_text`` was kept)."""

    type: ClassVar[str] = "interrupted"
    reason: str = "user"
    partial_text: str = ""


@dataclass(frozen=True, kw_only=True)
class Compacted(Event):
    """The history was summarised: ``removed_messages`` from ``start`` became ``summary``."""

    type: ClassVar[str] = "compacted"
    old_tokens: int = 0
    new_tokens: int = 0
    removed_messages: int = 0
    start: int = 0
    summary: str = ""


@dataclass(frozen=True, kw_only=True)
class UndoComplete(Event):
    """The last user turn was removed (``reason``: ``user``, or ``model_error`` when its first call failed)."""

    type: ClassVar[str] = "undo_complete"
    removed_messages: int = 0
    user_message: str = ""
    reason: str = "user"


@dataclass(frozen=True, kw_only=True)
class ShutdownEvent(Event):
    """The session stopped."""

    type: ClassVar[str] = "shutdown"


@dataclass(frozen=True, kw_only=True)
class PlanUpdate(Event):
    """The agent's todo list changed (``plan`` tool)."""

    type: ClassVar[str] = "plan_update"
    todos: tuple[dict[str, str], ...] = ()


@dataclass(frozen=True, kw_only=True)
class GuardNote(Event):
    """A guard added a note for the model to the history (``guard``: ``loop`` or ``length``)."""

    type: ClassVar[str] = "guard_note"
    guard: str = ""
    text: str = ""


@dataclass(frozen=True, kw_only=True)
class Resumed(Event):
    """A saved conversation was restored; ``notes`` say what could not be.

    ``messages`` holds the restored history when it came from outside the session record
    (an exported trace); when empty, the history replayed from the record is continued.
    """

    type: ClassVar[str] = "resumed"
    restored_messages: int = 0
    notes: tuple[str, ...] = ()
    messages: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True, kw_only=True)
class SettingsChanged(Event):
    """The session's model or yolo switch changed."""

    type: ClassVar[str] = "settings_changed"
    model: str = ""
    yolo: bool = False


@dataclass(frozen=True, kw_only=True)
class UsageUpdate(Event):
    """Session totals after a model call or a spend: tokens and estimated spend (USD)."""

    type: ClassVar[str] = "usage_update"
    prompt_tokens: int = 0
    completion_tokens: int = 0
    spend_usd: float = 0.0


@dataclass(frozen=True, kw_only=True)
class NoticeEvent(Event):
    """News from a service of the session outside any turn's flow (an MCP server connected or failed).

    ``level`` is ``info``, ``warning`` or ``error``; ``source`` names the service (``mcp``).
    """

    type: ClassVar[str] = "notice"
    message: str = ""
    level: str = "info"
    source: str = ""


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
    SessionStarted,
    ToolDisplay,
    GuardNote,
    Resumed,
    SettingsChanged,
    UsageUpdate,
    NoticeEvent,
)
"""Every event class: the 16 of the seeds, then ours (``plan_update`` …)."""

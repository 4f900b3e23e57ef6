"""Operations into the agent and events out of it, as versioned JSON.

This is the bottom module of the package: every layer may import it, and it imports
nothing from the package. Operations and events are frozen dataclasses. The session
stamps each event with a per-session sequence number (``seq``) when it is emitted.
``to_dict()`` gives the JSON form, and :func:`operation_from_dict` /
:func:`event_from_dict` read it back (checking names and types), so the session
record, the sidebar's comm and tests all speak exactly these types.
"""

from __future__ import annotations

import dataclasses
import enum
import time
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

PROTOCOL_VERSION = 1
"""Bumped when a field changes meaning or is removed (adding optional fields keeps it)."""


class ProtocolError(ValueError):
    """A JSON operation or event that does not follow the protocol; the message says why."""


# --------------------------------------------------------------------------
# Operations (in)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class TurnOptions:
    """Per-turn settings; None keeps the session's own. Frozen when the turn starts."""

    model: str | None = None
    max_iterations: int | None = None
    stream: bool | None = None
    yolo: bool | None = None


@dataclass(frozen=True)
class Operation:
    """Base class of everything a front end submits to a session."""

    op: ClassVar[str] = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ``{"op": ..., <fields>}``."""
        return {"op": self.op, **_fields_to_json(self)}


@dataclass(frozen=True)
class UserInput(Operation):
    """A user message: starts a turn."""

    op: ClassVar[str] = "user_input"
    text: str
    options: TurnOptions = field(default_factory=TurnOptions)


class ApprovalScope(enum.StrEnum):
    """What an approval covers: this call, or every call of the session from now on (yolo)."""

    CALL = "call"
    SESSION = "session"


@dataclass(frozen=True)
class ExecApproval(Operation):
    """The user's decision on one tool call that waits for approval.

    ``edited_arguments`` are run instead of the proposed ones (the user edited the code);
    ``scope=session`` approves this call and switches yolo on for the session.
    """

    op: ClassVar[str] = "exec_approval"
    tool_call_id: str
    approved: bool
    feedback: str | None = None
    edited_arguments: dict[str, Any] | None = None
    scope: ApprovalScope = ApprovalScope.CALL


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
    """Continue a saved session: by id from the local record, or from messages (OpenAI chat format)."""

    op: ClassVar[str] = "resume"
    session_id: str | None = None
    messages: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class Shutdown(Operation):
    """Stop the session for good."""

    op: ClassVar[str] = "shutdown"


@dataclass(frozen=True)
class SetModel(Operation):
    """Use another model from the next turn on (the id is checked first)."""

    op: ClassVar[str] = "set_model"
    model: str


@dataclass(frozen=True)
class SetYolo(Operation):
    """Switch auto-approval for the session on or off."""

    op: ClassVar[str] = "set_yolo"
    enabled: bool


OPERATION_TYPES: tuple[type[Operation], ...] = (
    UserInput,
    ExecApproval,
    Interrupt,
    Compact,
    Undo,
    New,
    Resume,
    Shutdown,
    SetModel,
    SetYolo,
)


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
        return {"type": self.type, **_fields_to_json(self)}


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


# --------------------------------------------------------------------------
# JSON
# --------------------------------------------------------------------------

_EVENTS_BY_TYPE = {cls.type: cls for cls in EVENT_TYPES}
_OPERATIONS_BY_NAME = {cls.op: cls for cls in OPERATION_TYPES}


def _to_json(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _fields_to_json(value)
    if isinstance(value, tuple | list):
        return [_to_json(v) for v in value]
    return value


def _fields_to_json(obj: Any) -> dict[str, Any]:
    return {f.name: _to_json(getattr(obj, f.name)) for f in dataclasses.fields(obj)}


def _coerce(value: Any, hint: Any, where: str) -> Any:
    """``value`` read from JSON as type ``hint`` (tuples, enums, nested options), or ProtocolError."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint is Any:
        return value
    if origin in (typing.Union, __import__("types").UnionType):
        if value is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        errors = []
        for option in options:
            try:
                return _coerce(value, option, where)
            except ProtocolError as exc:
                errors.append(str(exc))
        raise ProtocolError(errors[0] if errors else f"{where}: bad value {value!r}")
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise ProtocolError(f"{where}: expected a list, got {type(value).__name__}")
        item = args[0] if args else Any
        return tuple(_coerce(v, item, f"{where}[{i}]") for i, v in enumerate(value))
    if origin is dict or hint is dict:
        if not isinstance(value, dict):
            raise ProtocolError(f"{where}: expected an object, got {type(value).__name__}")
        if args and args[1] is str and not all(isinstance(v, str) for v in value.values()):
            raise ProtocolError(f"{where}: expected an object of strings")
        return dict(value)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        try:
            return hint(value)
        except ValueError:
            raise ProtocolError(f"{where}: {value!r} is not one of {[m.value for m in hint]}") from None
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise ProtocolError(f"{where}: expected an object, got {type(value).__name__}")
        return _build(hint, value, where)
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ProtocolError(f"{where}: expected a number, got {value!r}")
        return float(value)
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ProtocolError(f"{where}: expected an integer, got {value!r}")
        return value
    if hint in (str, bool) and not isinstance(value, hint):
        raise ProtocolError(f"{where}: expected {hint.__name__}, got {value!r}")
    return value


def _build(cls: type, data: Mapping[str, Any], where: str) -> Any:
    hints = typing.get_type_hints(cls)
    names = {f.name: f for f in dataclasses.fields(cls)}
    unknown = set(data) - set(names) - {"type", "op", "v"}
    if unknown:
        raise ProtocolError(f"{where}: unknown field(s) {sorted(unknown)}")
    values = {}
    for name, f in names.items():
        if name in data:
            values[name] = _coerce(data[name], hints[name], f"{where}.{name}")
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise ProtocolError(f"{where}: missing required field {name!r}")
    return cls(**values)


def _check_version(data: Mapping[str, Any], where: str) -> None:
    version = data.get("v", PROTOCOL_VERSION)
    if version != PROTOCOL_VERSION:
        raise ProtocolError(f"{where}: protocol version {version!r}, this side speaks {PROTOCOL_VERSION}")


def operation_from_dict(data: Any) -> Operation:
    """Read an operation from its JSON form (raises :class:`ProtocolError`)."""
    if not isinstance(data, Mapping):
        raise ProtocolError(f"an operation must be an object, got {type(data).__name__}")
    _check_version(data, "operation")
    cls = _OPERATIONS_BY_NAME.get(data.get("op"))  # type: ignore[arg-type]
    if cls is None:
        raise ProtocolError(f"unknown operation {data.get('op')!r}; known: {sorted(_OPERATIONS_BY_NAME)}")
    return _build(cls, data, cls.op)


def event_from_dict(data: Any) -> Event:
    """Read an event from its JSON form (raises :class:`ProtocolError`)."""
    if not isinstance(data, Mapping):
        raise ProtocolError(f"an event must be an object, got {type(data).__name__}")
    _check_version(data, "event")
    cls = _EVENTS_BY_TYPE.get(data.get("type"))  # type: ignore[arg-type]
    if cls is None:
        raise ProtocolError(f"unknown event type {data.get('type')!r}")
    return _build(cls, data, cls.type)

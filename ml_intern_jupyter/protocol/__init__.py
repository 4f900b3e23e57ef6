"""Operations into the agent and events out of it, as versioned JSON.

This is the bottom package of the package tree: every layer may import it, and it imports
nothing from the package. Operations and events are frozen dataclasses. The session
stamps each event with a per-session sequence number (``seq``) when it is emitted.
``to_dict()`` gives the JSON form, and :func:`operation_from_dict` /
:func:`event_from_dict` read it back (checking names and types), so the session
record, the sidebar's comm and tests all speak exactly these types.
"""

from __future__ import annotations

from .base import (
    PROTOCOL_VERSION,
    ProtocolError,
)
from .events import (
    EVENT_TYPES,
    ApprovalRequired,
    AssistantChunk,
    AssistantMessage,
    AssistantStreamEnd,
    Compacted,
    ErrorEvent,
    Event,
    GuardNote,
    Interrupted,
    NoticeEvent,
    PlanUpdate,
    Processing,
    Ready,
    Resumed,
    SessionStarted,
    SettingsChanged,
    ShutdownEvent,
    ToolCallEvent,
    ToolDisplay,
    ToolLog,
    ToolOutput,
    ToolState,
    ToolStateChange,
    TurnComplete,
    UndoComplete,
    UsageUpdate,
)
from .operations import (
    OPERATION_TYPES,
    ApprovalScope,
    Compact,
    ExecApproval,
    Interrupt,
    New,
    Operation,
    Resume,
    SetModel,
    SetYolo,
    Shutdown,
    TurnOptions,
    Undo,
    UserInput,
)
from .wire import (
    event_from_dict,
    operation_from_dict,
)

__all__ = [
    "EVENT_TYPES",
    "OPERATION_TYPES",
    "PROTOCOL_VERSION",
    "ApprovalRequired",
    "ApprovalScope",
    "AssistantChunk",
    "AssistantMessage",
    "AssistantStreamEnd",
    "Compact",
    "Compacted",
    "ErrorEvent",
    "Event",
    "ExecApproval",
    "GuardNote",
    "Interrupt",
    "Interrupted",
    "New",
    "NoticeEvent",
    "Operation",
    "PlanUpdate",
    "Processing",
    "ProtocolError",
    "Ready",
    "Resume",
    "Resumed",
    "SessionStarted",
    "SetModel",
    "SetYolo",
    "SettingsChanged",
    "Shutdown",
    "ShutdownEvent",
    "ToolCallEvent",
    "ToolDisplay",
    "ToolLog",
    "ToolOutput",
    "ToolState",
    "ToolStateChange",
    "TurnComplete",
    "TurnOptions",
    "Undo",
    "UndoComplete",
    "UsageUpdate",
    "UserInput",
    "event_from_dict",
    "operation_from_dict",
]

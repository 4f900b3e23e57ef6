"""Operations: everything a front end submits to a session (``session.submit(op)``)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .base import fields_to_json


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
        return {"op": self.op, **fields_to_json(self)}


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

"""What a turn needs from its session: the :class:`TurnHost` Protocol and the turn's frozen settings.

``turn.py`` and ``tool_calls.py`` depend on this Protocol only, never on ``Session``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..protocol import Event
from ..tools.spec import ToolRouter
from .approvals import ApprovalBroker, ApprovalPolicy
from .config import RetryConfig
from .doom_loop import DoomLoopDetector
from .history import History
from .model.provider import CompletionProvider


@dataclass(frozen=True)
class TurnSettings:
    """A turn's model and options, fixed when it starts (later ``SetModel``/cell options wait)."""

    provider: CompletionProvider
    max_iterations: int
    stream: bool
    yolo: bool = False
    """This turn only (``%%intern --yolo``); the session's own switch is on the policy."""
    redact: Callable[[str], str] | None = None
    """Applied (in a worker thread) to every tool output before it enters the history."""


@dataclass(frozen=True)
class ToolSettings:
    """How tool results are shaped for the model."""

    workdir: Path
    max_output_chars: int


class Usage:
    """Session totals: tokens and model calls."""

    def __init__(self) -> None:
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.model_calls = 0

    def next_call(self) -> int:
        """Count a model call; its number makes fallback tool-call ids unique in the session."""
        self.model_calls += 1
        return self.model_calls

    def add(self, prompt_tokens: int, completion_tokens: int) -> None:
        """Add one call's usage."""
        self.prompt_tokens += prompt_tokens
        self.completion_tokens += completion_tokens


class TurnHost(Protocol):
    """The session as a turn sees it."""

    history: History
    tools: ToolRouter
    approvals: ApprovalBroker
    policy: ApprovalPolicy
    guards: DoomLoopDetector
    usage: Usage
    tool_settings: ToolSettings
    retry: RetryConfig

    def emit(self, event: Event) -> Event:
        """Stamp, apply to the history, record, and hand to the front ends."""
        ...

    async def compact_if_needed(self, provider: CompletionProvider) -> None:
        """Summarise the middle of the history when it passes the threshold."""
        ...

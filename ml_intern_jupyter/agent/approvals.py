"""Approval policy and the futures a turn waits on until the user decides."""

from __future__ import annotations

import asyncio
import fnmatch
from collections.abc import Mapping, Sequence
from typing import Any

from ..protocol import ExecApproval
from ..tools.spec import ToolSpec


def needs_approval(spec: ToolSpec, arguments: dict[str, Any], policy: Mapping[str, Sequence[str]], yolo: bool) -> bool:
    """Whether this call waits for the user.

    yolo approves everything; ``always_ask`` globs win over ``auto_approve`` globs,
    which win over the tool's own rule.
    """
    if yolo:
        return False
    if any(fnmatch.fnmatchcase(spec.name, pattern) for pattern in policy.get("always_ask", ())):
        return True
    if any(fnmatch.fnmatchcase(spec.name, pattern) for pattern in policy.get("auto_approve", ())):
        return False
    return spec.requires_approval(arguments)


class ApprovalBroker:
    """One future per tool call waiting for an :class:`ExecApproval`."""

    def __init__(self) -> None:
        self._waiting: dict[str, asyncio.Future[ExecApproval]] = {}

    def pending(self) -> list[str]:
        """Ids of calls still waiting."""
        return [call_id for call_id, fut in self._waiting.items() if not fut.done()]

    def expect(self, tool_call_id: str) -> None:
        """Start waiting for a call (before the ``approval_required`` event goes out)."""
        self._waiting[tool_call_id] = asyncio.get_running_loop().create_future()

    async def wait(self, tool_call_id: str) -> ExecApproval:
        """Wait for the decision on one call (cancellable)."""
        if tool_call_id not in self._waiting:
            self.expect(tool_call_id)
        future = self._waiting[tool_call_id]
        try:
            return await future
        finally:
            self._waiting.pop(tool_call_id, None)

    def decide(self, decision: ExecApproval) -> bool:
        """Deliver a decision; False when no call with that id is waiting."""
        future = self._waiting.get(decision.tool_call_id)
        if future is None or future.done():
            return False
        future.set_result(decision)
        return True

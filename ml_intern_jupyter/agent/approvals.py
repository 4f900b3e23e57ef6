"""Who decides a tool call: the approval policy (yolo, rules, the spending cap) and the broker.

The broker keeps one future per call that waits for the user's :class:`ExecApproval`.
"""

from __future__ import annotations

import asyncio
import fnmatch
from collections.abc import Mapping, Sequence
from typing import Any

from ..protocol import ExecApproval
from ..tools.spec import ToolSpec


class ApprovalPolicy:
    """The session's approval rules and the state they depend on (yolo, estimated spend).

    Order: a call that always asks (a scheduled job) asks; in yolo mode a call runs unless
    its estimated cost would take the session's spend past ``budget_usd``; otherwise
    ``always_ask`` globs win over ``auto_approve`` globs, which win over the tool's own rule.
    """

    def __init__(self, rules: Mapping[str, Sequence[str]], *, yolo: bool = False, budget_usd: float = 5.0) -> None:
        self.rules = rules
        self.yolo = yolo
        self.budget_usd = budget_usd
        self.spent_usd = 0.0
        """Estimated spend of the calls that ran this session (jobs)."""

    def reason_to_ask(
        self,
        spec: ToolSpec,
        arguments: dict[str, Any],
        *,
        turn_yolo: bool = False,
        cost_usd: float | None = None,
        priced: bool = False,
    ) -> str | None:
        """Why this call waits for the user, or None when it runs without asking.

        ``priced``: the tool estimates the cost of its calls (``hf_jobs``), so a call it could
        not price (``cost_usd`` None) asks in yolo mode instead of spending blind.
        """
        if spec.asks_even_in_yolo(arguments):
            return spec.approval_reason or "always asks"
        if self.yolo or turn_yolo:
            if priced and cost_usd is None and spec.requires_approval(arguments):
                return "its cost could not be estimated, so yolo mode asks instead of spending blind"
            if cost_usd is not None and self.spent_usd + cost_usd > self.budget_usd:
                return (
                    f"its estimated ${cost_usd:.2f} would take this session past the ${self.budget_usd:g} "
                    f"yolo spending cap (spent so far: ${self.spent_usd:.2f})"
                )
            return None
        if any(fnmatch.fnmatchcase(spec.name, pattern) for pattern in self.rules.get("always_ask", ())):
            return spec.approval_reason or "always_ask in your approval policy"
        if any(fnmatch.fnmatchcase(spec.name, pattern) for pattern in self.rules.get("auto_approve", ())):
            return None
        return (spec.approval_reason or "needs approval") if spec.requires_approval(arguments) else None

    def spend(self, usd: float | None) -> None:
        """Count the estimated cost of a call that runs."""
        if usd:
            self.spent_usd += usd


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

"""Runs one iteration's tool calls: parse, validate, approve, execute concurrently."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..protocol import (
    ApprovalRequired,
    ExecApproval,
    PlanUpdate,
    ToolCallEvent,
    ToolDisplay,
    ToolLog,
    ToolOutput,
    ToolState,
    ToolStateChange,
)
from ..tools.spec import Display, PlanDisplay, ToolContext, ToolResult, ToolRouter
from .approvals import ApprovalBroker, needs_approval
from .reply import RawToolCall


@dataclass(frozen=True)
class PreparedCall:
    """A raw call with its arguments parsed, or the error to send back instead."""

    raw: RawToolCall
    arguments: dict[str, Any]
    error: str | None = None

    def history_entry(self) -> dict[str, Any]:
        """The ``tool_calls`` entry kept in history; always valid JSON arguments."""
        entry = self.raw.to_message()
        if self.error and not _is_json_object(self.raw.arguments):
            entry["function"]["arguments"] = json.dumps({"_malformed_arguments": self.raw.arguments[:2000]})
        return entry


def _is_json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text or "{}", strict=False), dict)
    except ValueError:
        return False


def prepare_call(raw: RawToolCall, router: ToolRouter) -> PreparedCall:
    """Parse and check one call. Problems become an error the model will read."""
    if raw.name not in router:
        return PreparedCall(raw, {}, f"Error: unknown tool {raw.name!r}. Available tools: {', '.join(router.names())}.")
    try:
        arguments = json.loads(raw.arguments or "{}", strict=False)
    except ValueError as exc:
        return PreparedCall(
            raw,
            {},
            f"Error: the arguments of your {raw.name} call are not valid JSON ({exc}). "
            "Send the call again with a single JSON object as arguments.",
        )
    if not isinstance(arguments, dict):
        return PreparedCall(raw, {}, f"Error: {raw.name} arguments must be a JSON object.")
    problem = router.validate(raw.name, arguments)
    if problem:
        schema = json.dumps(router.get(raw.name).parameters)
        return PreparedCall(
            raw, arguments, f"Error: invalid arguments for {raw.name}: {problem}. Expected schema: {schema}"
        )
    return PreparedCall(raw, arguments)


def truncate_output(text: str, limit: int) -> str:
    """Keep head and tail of a long tool output, saying how much was cut."""
    if limit <= 0 or len(text) <= limit:
        return text
    half = limit // 2
    cut = len(text) - 2 * half
    return f"{text[:half]}\n… [{cut} characters omitted] …\n{text[-half:]}"


class ToolCallRunner:
    """Executes the calls of one assistant message for a session."""

    def __init__(
        self,
        *,
        router: ToolRouter,
        broker: ApprovalBroker,
        emit: Any,
        policy: dict[str, Any],
        yolo: Any,
        max_output_chars: int,
        workdir: Path,
    ) -> None:
        self._router = router
        self._broker = broker
        self._emit = emit
        self._policy = policy
        self._yolo = yolo  # a zero-argument callable: yolo can be switched on mid-turn
        self._max_output = max_output_chars
        self._workdir = workdir

    async def run_all(self, calls: list[PreparedCall], results: dict[str, str]) -> None:
        """Run every call; each finished result is stored in ``results`` by call id.

        On cancellation the running calls are cancelled and awaited, so ``results``
        holds exactly the calls that finished.
        """
        tasks = [asyncio.create_task(self._run_one(call, results)) for call in calls]
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise

    def _state(self, call: PreparedCall, state: ToolState) -> None:
        self._emit(ToolStateChange(tool_call_id=call.raw.id, name=call.raw.name, state=state))

    def _finish(self, call: PreparedCall, output: str, ok: bool, results: dict[str, str]) -> None:
        output = truncate_output(output, self._max_output)
        results[call.raw.id] = output
        self._emit(ToolOutput(tool_call_id=call.raw.id, name=call.raw.name, output=output, ok=ok))

    async def _run_one(self, call: PreparedCall, results: dict[str, str]) -> None:
        raw = call.raw
        self._emit(ToolCallEvent(tool_call_id=raw.id, name=raw.name, arguments=call.arguments))
        if call.error:
            self._finish(call, call.error, False, results)
            self._state(call, ToolState.FAILED)
            return
        arguments = call.arguments
        note = ""
        spec = self._router.get(raw.name)
        if needs_approval(spec, arguments, self._policy, self._yolo()):
            decision = await self._ask(call, spec.approval_reason)
            if not decision.approved:
                self._reject(call, decision, results)
                return
            if decision.edited_arguments is not None and decision.edited_arguments != arguments:
                arguments = decision.edited_arguments
                note = f"[the user edited the arguments before approving; ran with {json.dumps(arguments)}]\n"
            self._state(call, ToolState.APPROVED)
        await self._execute(call, arguments, note, results)

    async def _ask(self, call: PreparedCall, reason: str) -> ExecApproval:
        raw = call.raw
        self._broker.expect(raw.id)
        self._state(call, ToolState.PENDING_APPROVAL)
        self._emit(ApprovalRequired(tool_call_id=raw.id, name=raw.name, arguments=call.arguments, reason=reason))
        try:
            return await self._broker.wait(raw.id)
        except asyncio.CancelledError:
            self._state(call, ToolState.CANCELLED)
            raise

    def _reject(self, call: PreparedCall, decision: ExecApproval, results: dict[str, str]) -> None:
        text = "The user rejected this tool call; it did not run."
        if decision.feedback:
            text += f" User feedback: {decision.feedback}"
        self._finish(call, text, False, results)
        self._state(call, ToolState.REJECTED)

    def _context(self, call_id: str, name: str) -> ToolContext:
        """The narrow context of one call: its log lines and displays become events of that call."""

        def show(display: Display) -> None:
            if isinstance(display, PlanDisplay):
                self._emit(PlanUpdate(todos=tuple(display.todos)))
                return
            self._emit(
                ToolDisplay(
                    tool_call_id=call_id,
                    name=name,
                    data=dict(display.data),
                    metadata=dict(display.metadata),
                    display_id=display.display_id,
                    update=display.update,
                    clear=display.clear,
                )
            )

        def log(line: str) -> None:
            self._emit(ToolLog(tool_call_id=call_id, name=name, line=line))

        return ToolContext(call_id, name, self._workdir, on_log=log, on_show=show)

    async def _execute(self, call: PreparedCall, arguments: dict[str, Any], note: str, results) -> None:
        raw = call.raw
        self._state(call, ToolState.RUNNING)
        ctx = self._context(raw.id, raw.name)
        try:
            result: ToolResult = await self._router.execute(raw.name, arguments, ctx)
        except asyncio.CancelledError:
            self._state(call, ToolState.CANCELLED)
            raise
        self._finish(call, note + result.output, result.ok, results)
        self._state(call, ToolState.DONE if result.ok else ToolState.FAILED)

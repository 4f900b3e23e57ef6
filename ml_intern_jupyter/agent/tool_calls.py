"""Runs one iteration's tool calls: parse, validate, approve, execute concurrently.

Results reach the history as ``tool_output`` events (the session applies each event), so a
call that finished before an interrupt keeps its result and the others get a placeholder.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any

from ..common import head_tail
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
    UsageUpdate,
)
from ..tools.spec import CallPreview, Display, PlanDisplay, ToolContext, ToolResult, ToolRouter
from .host import TurnHost, TurnSettings
from .model.reply import RawToolCall

log = logging.getLogger(__name__)


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


class ToolCallRunner:
    """Executes the calls of one assistant message for a turn."""

    def __init__(self, host: TurnHost, settings: TurnSettings) -> None:
        self._host = host
        self._settings = settings

    async def run_all(self, calls: list[PreparedCall]) -> None:
        """Run every call; on cancellation the running calls are cancelled and awaited."""
        tasks = [asyncio.create_task(self._run_one(call)) for call in calls]
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise

    def _state(self, call: PreparedCall, state: ToolState) -> None:
        self._host.emit(ToolStateChange(tool_call_id=call.raw.id, name=call.raw.name, state=state))

    async def _finish(self, call: PreparedCall, output: str, ok: bool, structured: Any = None) -> None:
        redact = self._settings.redact
        if redact is not None and output:
            output = await asyncio.to_thread(redact, output)
        output = head_tail(output, self._host.tool_settings.max_output_chars)
        event = ToolOutput(tool_call_id=call.raw.id, name=call.raw.name, output=output, ok=ok, structured=structured)
        self._host.emit(event)

    async def _run_one(self, call: PreparedCall) -> None:
        raw = call.raw
        self._host.emit(ToolCallEvent(tool_call_id=raw.id, name=raw.name, arguments=call.arguments))
        if call.error:
            await self._finish(call, call.error, False)
            self._state(call, ToolState.FAILED)
            return
        arguments, note = call.arguments, ""
        spec = self._host.tools.get(raw.name)
        preview = await _preview(spec.preview, arguments)
        reason = self._host.policy.reason_to_ask(
            spec, arguments, turn_yolo=self._settings.yolo, cost_usd=preview.cost_usd, priced=preview.priced
        )
        if reason is not None:
            decision = await self._ask(call, reason, preview)
            if not decision.approved:
                await self._reject(call, decision)
                return
            if decision.edited_arguments is not None and decision.edited_arguments != arguments:
                arguments = decision.edited_arguments
                note = f"[the user edited the arguments before approving; ran with {json.dumps(arguments)}]\n"
            self._state(call, ToolState.APPROVED)
        if preview.cost_usd:
            self._spend(preview.cost_usd)
        await self._execute(call, arguments, note)

    def _spend(self, usd: float) -> None:
        host = self._host
        host.policy.spend(usd)
        totals = UsageUpdate(
            prompt_tokens=host.usage.prompt_tokens,
            completion_tokens=host.usage.completion_tokens,
            spend_usd=host.policy.spent_usd,
        )
        host.emit(totals)

    async def _ask(self, call: PreparedCall, reason: str, preview: CallPreview) -> ExecApproval:
        raw, host = call.raw, self._host
        host.approvals.expect(raw.id)
        self._state(call, ToolState.PENDING_APPROVAL)
        host.emit(
            ApprovalRequired(
                tool_call_id=raw.id,
                name=raw.name,
                arguments=call.arguments,
                reason=reason,
                details=dict(preview.details),
                cost_usd=preview.cost_usd,
            )
        )
        try:
            return await host.approvals.wait(raw.id)
        except asyncio.CancelledError:
            self._state(call, ToolState.CANCELLED)
            raise

    async def _reject(self, call: PreparedCall, decision: ExecApproval) -> None:
        text = "The user rejected this tool call; it did not run."
        if decision.feedback:
            text += f" User feedback: {decision.feedback}"
        await self._finish(call, text, False)
        self._state(call, ToolState.REJECTED)

    def _context(self, call_id: str, name: str) -> ToolContext:
        """The narrow context of one call: its log lines and displays become events of that call."""
        emit = self._host.emit

        def show(display: Display) -> None:
            if isinstance(display, PlanDisplay):
                emit(PlanUpdate(todos=tuple(display.todos)))
                return
            event = ToolDisplay(
                tool_call_id=call_id,
                name=name,
                data=dict(display.data),
                metadata=dict(display.metadata),
                display_id=display.display_id,
                update=display.update,
                clear=display.clear,
                echoed=display.echoed,
            )
            emit(event)

        def log(line: str, echoed: bool = False) -> None:
            emit(ToolLog(tool_call_id=call_id, name=name, line=line, echoed=echoed))

        return ToolContext(call_id, name, self._host.tool_settings.workdir, on_log=log, on_show=show)

    async def _execute(self, call: PreparedCall, arguments: dict[str, Any], note: str) -> None:
        raw = call.raw
        self._state(call, ToolState.RUNNING)
        try:
            result: ToolResult = await self._host.tools.execute(raw.name, arguments, self._context(raw.id, raw.name))
        except asyncio.CancelledError:
            self._state(call, ToolState.CANCELLED)
            raise
        await self._finish(call, note + result.output, result.ok, result.structured)
        self._state(call, ToolState.DONE if result.ok else ToolState.FAILED)


async def _preview(previewer: Any, arguments: dict[str, Any]) -> CallPreview:
    """The tool's preview of a call; a failing preview is reported on the card, never raised."""
    if previewer is None:
        return CallPreview()
    try:
        return await previewer(arguments)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        log.warning("preview failed", exc_info=True)
        return CallPreview(details={"preview": f"unavailable ({type(exc).__name__}: {exc})"})

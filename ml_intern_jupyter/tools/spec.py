"""Tool specifications, the per-call context handed to a tool, and the router.

The agent loop knows tools only through :class:`ToolRouter`. A tool reports
progress by calling ``ctx.log(...)`` (a ``tool_log`` event), never by reaching
into the loop.
"""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..protocol import Event, ToolLog

Emit = Callable[[Event], None]


@dataclass(frozen=True)
class ToolResult:
    """What a tool returns. ``output`` is the text the model sees."""

    output: str
    ok: bool = True


@dataclass
class ToolContext:
    """Handed to a tool handler for one call."""

    tool_call_id: str
    name: str
    emit: Emit = field(default=lambda event: None)
    workdir: Path = field(default_factory=Path.cwd)

    def log(self, line: str) -> None:
        """Stream one progress line to the front end (a ``tool_log`` event)."""
        self.emit(ToolLog(tool_call_id=self.tool_call_id, name=self.name, line=line))


Handler = Callable[[dict[str, Any], ToolContext], Awaitable["ToolResult | str"]]
ApprovalRule = bool | Callable[[dict[str, Any]], bool]


@dataclass(frozen=True)
class ToolSpec:
    """One tool the model can call.

    ``needs_approval`` is a bool or a predicate over the call's arguments (e.g.
    ``write`` asks only outside the scratch directory). ``exclusive`` tools never
    run at the same time as another exclusive call (the kernel's namespace).
    """

    name: str
    description: str
    parameters: dict[str, Any]
    handler: Handler
    needs_approval: ApprovalRule = False
    approval_reason: str = ""
    exclusive: bool = False

    def to_openai(self) -> dict[str, Any]:
        """The OpenAI/litellm ``tools=`` entry."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters,
            },
        }

    def requires_approval(self, arguments: dict[str, Any]) -> bool:
        """Whether this particular call asks the user first."""
        rule = self.needs_approval
        return bool(rule(arguments)) if callable(rule) else bool(rule)


class UnknownToolError(KeyError):
    """The model named a tool that is not registered."""


class ToolRouter:
    """Holds the tools of one session and runs calls to them."""

    def __init__(self, specs: Iterable[ToolSpec] = ()) -> None:
        self._specs: dict[str, ToolSpec] = {}
        self._validators: dict[str, Any] = {}  # built on first use, per tool
        self._exclusive = asyncio.Lock()
        for spec in specs:
            self.register(spec)

    def register(self, spec: ToolSpec) -> None:
        """Add a tool, replacing any tool of the same name."""
        self._specs[spec.name] = spec
        self._validators.pop(spec.name, None)

    def unregister(self, name: str) -> None:
        """Remove a tool if present."""
        self._specs.pop(name, None)
        self._validators.pop(name, None)

    def get(self, name: str) -> ToolSpec:
        """The spec for ``name``; raises :class:`UnknownToolError`."""
        try:
            return self._specs[name]
        except KeyError:
            raise UnknownToolError(name) from None

    def names(self) -> list[str]:
        """Registered tool names, sorted."""
        return sorted(self._specs)

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def schemas(self) -> list[dict[str, Any]]:
        """``tools=`` for the model, in registration order."""
        return [spec.to_openai() for spec in self._specs.values()]

    def validate(self, name: str, arguments: dict[str, Any]) -> str | None:
        """Check arguments against the tool's JSON schema; an error text or None."""
        validator = self._validators.get(name)
        if validator is None:
            import jsonschema

            validator = self._validators[name] = jsonschema.Draft202012Validator(self.get(name).parameters)
        errors = sorted(validator.iter_errors(arguments), key=lambda e: list(e.path))
        if not errors:
            return None
        parts = []
        for error in errors[:5]:
            where = "/".join(str(p) for p in error.path) or "(arguments)"
            parts.append(f"{where}: {error.message}")
        return "; ".join(parts)

    async def execute(self, name: str, arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        """Run one call. Exceptions become a failed result; cancellation propagates."""
        spec = self.get(name)
        if spec.exclusive:
            async with self._exclusive:
                return await _run_handler(spec, arguments, ctx)
        return await _run_handler(spec, arguments, ctx)


async def _run_handler(spec: ToolSpec, arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
    try:
        result = await spec.handler(arguments, ctx)
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # a tool bug must not end the turn
        tb = traceback.format_exception_only(type(exc), exc)
        return ToolResult(output=f"Tool {spec.name} failed: {''.join(tb).strip()}", ok=False)
    if isinstance(result, ToolResult):
        return result
    return ToolResult(output=str(result))

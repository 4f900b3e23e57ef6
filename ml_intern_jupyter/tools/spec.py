"""Tool specifications, the narrow per-call context handed to a tool, and the router.

The agent loop knows tools only through :class:`ToolRouter`. A tool reports progress
through its context: ``ctx.log(line)`` for a progress line and ``ctx.show(display)`` for
rich output (a MIME bundle, or the plan). It never sees the session or its events.
"""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class RichDisplay:
    """Rich output for the user: a MIME bundle whose ``text/plain`` entry is always set.

    Binary formats (``image/png``) are base64 text, as in Jupyter's display messages.
    ``display_id`` + ``update=True`` replaces an earlier display with the same id;
    ``clear=True`` (with an empty bundle) clears the tool's earlier displays; ``echoed`` says
    the notebook cell already shows it (code run in the kernel displays there itself).
    """

    data: Mapping[str, Any]
    metadata: Mapping[str, Any] = field(default_factory=dict)
    display_id: str | None = None
    update: bool = False
    clear: bool = False
    echoed: bool = False

    @classmethod
    def text(cls, text: str) -> RichDisplay:
        """Plain text."""
        return cls({"text/plain": text})

    @classmethod
    def markdown(cls, text: str) -> RichDisplay:
        """Markdown, with itself as the plain-text form."""
        return cls({"text/markdown": text, "text/plain": text})

    @classmethod
    def image(cls, base64_data: str, mime: str = "image/png", alt: str = "image") -> RichDisplay:
        """An image given as base64 text."""
        return cls({mime: base64_data, "text/plain": f"[{alt}]"})


@dataclass(frozen=True)
class PlanDisplay:
    """The agent's todo list (``plan`` tool): ``({"content", "status"}, ...)``."""

    todos: tuple[dict[str, str], ...]


Display = RichDisplay | PlanDisplay


def _ignore(_: Any) -> None:
    return None


@dataclass(frozen=True)
class ToolContext:
    """What a tool handler gets for one call: its id and name, the working directory, and two outlets."""

    tool_call_id: str
    name: str
    workdir: Path = field(default_factory=Path.cwd)
    on_log: Callable[..., None] = field(default=_ignore, repr=False)
    on_show: Callable[[Display], None] = field(default=_ignore, repr=False)

    def log(self, line: str, *, echoed: bool = False) -> None:
        """Stream one progress line to the user (a ``tool_log`` event); ``echoed``: the cell shows it already."""
        if echoed:
            self.on_log(line, echoed=True)
        else:
            self.on_log(line)

    def show(self, display: Display) -> None:
        """Show rich output to the user (a ``tool_display`` or ``plan_update`` event)."""
        self.on_show(display)


@dataclass(frozen=True)
class ToolResult:
    """What a tool returns. ``output`` is the text the model sees; ``structured`` is kept as JSON."""

    output: str
    ok: bool = True
    structured: Any = None


@dataclass(frozen=True)
class CallPreview:
    """Shown on the approval card before the user decides; ``cost_usd`` feeds the yolo spending cap.

    ``priced`` says the call costs money and the tool tried to price it: with ``cost_usd`` None
    (the estimate failed) yolo mode asks rather than spending blind.
    """

    details: Mapping[str, str] = field(default_factory=dict)
    cost_usd: float | None = None
    priced: bool = False


Handler = Callable[[dict[str, Any], ToolContext], Awaitable["ToolResult | str"]]
ApprovalRule = bool | Callable[[dict[str, Any]], bool]
Previewer = Callable[[dict[str, Any]], Awaitable[CallPreview]]


def _applies(rule: ApprovalRule, arguments: dict[str, Any]) -> bool:
    return bool(rule(arguments)) if callable(rule) else bool(rule)


@dataclass(frozen=True)
class ToolSpec:
    """One tool the model can call.

    ``needs_approval`` is a bool or a predicate over the call's arguments (``write`` asks only
    outside the scratch directory). ``always_ask`` calls ask even in yolo mode (scheduled jobs).
    ``preview`` describes a call for its approval card and estimates its cost. ``exclusive``
    tools never run at the same time as another exclusive call (the kernel's namespace).
    ``read_only`` tools change nothing outside the session (the research sub-agent gets only these).
    """

    name: str
    description: str
    parameters: dict[str, Any]
    handler: Handler
    needs_approval: ApprovalRule = False
    approval_reason: str = ""
    exclusive: bool = False
    always_ask: ApprovalRule = False
    preview: Previewer | None = None
    read_only: bool = False

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
        """Whether this particular call asks the user first (outside yolo mode)."""
        return _applies(self.needs_approval, arguments)

    def asks_even_in_yolo(self, arguments: dict[str, Any]) -> bool:
        """Whether this call asks the user even when yolo is on."""
        return _applies(self.always_ask, arguments)


class UnknownToolError(KeyError):
    """The model named a tool that is not registered."""


class ToolRouter:
    """Holds the tools of one session and runs calls to them.

    ``on_change`` listeners are told after every register/unregister (MCP servers add and
    remove tools while a session runs); the loop reads :meth:`schemas` before each model call.
    """

    def __init__(self, specs: Iterable[ToolSpec] = ()) -> None:
        self._specs: dict[str, ToolSpec] = {}
        self._validators: dict[str, Any] = {}  # built on first use, per tool
        self._exclusive = asyncio.Lock()
        self._listeners: list[Callable[[], None]] = []
        for spec in specs:
            self.register(spec)

    def register(self, spec: ToolSpec) -> None:
        """Add a tool, replacing any tool of the same name."""
        self._specs[spec.name] = spec
        self._validators.pop(spec.name, None)
        self._changed()

    def unregister(self, name: str) -> None:
        """Remove a tool if present."""
        if self._specs.pop(name, None) is not None:
            self._validators.pop(name, None)
            self._changed()

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` whenever the tool set changes."""
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener()

    def get(self, name: str) -> ToolSpec:
        """The spec for ``name``; raises :class:`UnknownToolError`."""
        try:
            return self._specs[name]
        except KeyError:
            raise UnknownToolError(name) from None

    def names(self) -> list[str]:
        """Registered tool names, sorted."""
        return sorted(self._specs)

    def specs(self) -> list[ToolSpec]:
        """Registered tools, in registration order."""
        return list(self._specs.values())

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def schemas(self) -> list[dict[str, Any]]:
        """``tools=`` for the model, in registration order."""
        return [spec.to_openai() for spec in self._specs.values()]

    def subset(self, names: Iterable[str]) -> ToolRouter:
        """A new router with the named tools that exist here (the same specs)."""
        return ToolRouter(self._specs[n] for n in names if n in self._specs)

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

"""Displayable objects for a %%intern cell: Markdown text, tool cards, plan, notices, footer.

Each object renders as theme-aware HTML or Markdown in the notebook and as readable plain
text (nbconvert, the terminal, ``jupyter execute``).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..common import CODE_ARGS
from ..protocol import ToolState
from .theme import BORDER, CODE_BACKGROUND, MUTED, STATE_COLOURS, STATE_ICONS, TEXT, highlight, icon

VIEW_CHARS = 3000
VIEW_LINES = 60
STATE_LABELS = {
    ToolState.PENDING_APPROVAL: ("?", "waiting for approval"),
    ToolState.APPROVED: ("+", "approved"),
    ToolState.RUNNING: (">", "running"),
    ToolState.DONE: ("✓", "done"),
    ToolState.FAILED: ("✗", "failed"),
    ToolState.REJECTED: ("✗", "rejected"),
    ToolState.CANCELLED: ("■", "cancelled"),
}
_HEADING = re.compile(r"^(#{1,6})(\s)", re.MULTILINE)
_FENCE = re.compile(r"^(```|~~~)", re.MULTILINE)
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def clip_for_view(text: str, max_chars: int = VIEW_CHARS, max_lines: int = VIEW_LINES) -> str:
    """Shorten long text for display only (the model always gets the full result)."""
    lines = text.splitlines()
    hidden = 0
    if len(lines) > max_lines:
        hidden = len(lines) - max_lines
        text = "\n".join([*lines[: max_lines // 2], "…", *lines[-max_lines // 2 :]])
    if len(text) > max_chars:
        hidden_chars = len(text) - max_chars
        text = text[: max_chars // 2] + "\n…\n" + text[-max_chars // 2 :]
        return text + f"\n[{hidden_chars} characters hidden in this view]"
    return text + (f"\n[{hidden} lines hidden in this view]" if hidden else "")


def demote_headings(text: str, by: int = 3) -> str:
    """Markdown with every ATX heading ``by`` levels smaller (not inside code fences)."""
    pieces = _FENCE.split(text)
    out, in_fence = [], False
    for piece in pieces:
        if piece in ("```", "~~~"):
            in_fence = not in_fence
            out.append(piece)
        else:
            out.append(piece if in_fence else _HEADING.sub(lambda m: "#" * min(6, len(m[1]) + by) + m[2], piece))
    return "".join(out)


def escape_markdown(text: str) -> str:
    r"""Plain text that renders as itself in Markdown, line breaks kept.

    A ``$`` becomes ``\\$``: Markdown turns it into ``\$``, which JupyterLab's MathJax shows as
    a dollar instead of starting TeX math (``$2 of the $5 cap`` would render as a formula).
    """
    escaped = (_MARKDOWN_SPECIALS.sub(r"\\\1", line).replace("$", "\\\\$") for line in text.split("\n"))
    return "  \n".join(escaped)


def _language_for(tool: str, key: str) -> str:
    return "bash" if tool == "bash" or key == "command" else "python" if key == "code" else "text"


def _pre(text: str, style: str = "") -> str:
    base = f"margin:2px 0;padding:2px 6px;white-space:pre-wrap;color:{TEXT};background:{CODE_BACKGROUND}"
    return f"<pre style='{base};{style}'>{html.escape(text)}</pre>"


class MarkdownText:
    """Assistant text: Markdown in the notebook (headings scaled down to fit a cell), raw text elsewhere."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_markdown_(self) -> str:
        return demote_headings(self.text)

    def __repr__(self) -> str:
        return self.text


@dataclass
class ToolCard:
    """One tool call: name, arguments, state, streamed log and result."""

    tool_call_id: str
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    state: ToolState = ToolState.RUNNING
    log: list[str] = field(default_factory=list)
    output: str | None = None
    ok: bool = True
    reason: str = ""
    native: bool = False
    """The tool's output reached the cell by itself: the result is not repeated, only summed up."""
    awaiting_approval: bool = False
    """The arguments are shown (editable) in the approval card below, not here."""
    hidden_log: int = 0

    LOG_KEEP: ClassVar[int] = 400

    def add_log(self, line: str) -> None:
        """Append a log line; past ``LOG_KEEP`` the middle is dropped (first 40 lines kept)."""
        self.log.append(line)
        if len(self.log) > self.LOG_KEEP:
            del self.log[40]
            self.hidden_log += 1

    def _arguments_html(self) -> str:
        if self.awaiting_approval:
            return f"<div style='color:{MUTED}'>arguments in the approval card below</div>"
        parts = []
        for key, value in self.arguments.items():
            label = f"<div style='color:{MUTED}'>{html.escape(key)}</div>"
            if key in CODE_ARGS and isinstance(value, str):
                parts.append(label + highlight(value, _language_for(self.name, key)))
            else:
                shown = html.escape(json.dumps(value, ensure_ascii=False)[:500])
                parts.append(f"<div><span style='color:{MUTED}'>{html.escape(key)}:</span> <code>{shown}</code></div>")
        return "".join(parts)

    def _log_html(self) -> str:
        if not self.log:
            return ""
        hidden = f"… {self.hidden_log:,} lines not kept\n" if self.hidden_log else ""
        return _pre(hidden + "\n".join(self.log[-40:]), f"color:{MUTED}")

    def _result_html(self) -> str:
        if self.output is None:
            return ""
        if self.native:
            word = "finished" if self.ok else "failed"
            return (
                f"<div style='color:{MUTED}'>{word}; its output is shown below. "
                f"<details><summary>what the agent read ({len(self.output):,} characters)</summary>"
                f"{_pre(clip_for_view(self.output))}</details></div>"
            )
        opened = "" if self.ok else " open"
        return f"<details{opened}><summary>result</summary>{_pre(clip_for_view(self.output))}</details>"

    def _repr_html_(self) -> str:
        state = self.state.value
        colour = STATE_COLOURS.get(state, BORDER)
        label = STATE_LABELS.get(self.state, ("·", state))[1]
        opened = " open" if self.state in (ToolState.PENDING_APPROVAL, ToolState.RUNNING) else ""
        head = (
            f"<summary style='color:{TEXT}'>{icon(STATE_ICONS.get(state, 'dot'), colour)} "
            f"<b>{html.escape(self.name)}</b> <span style='color:{MUTED}'>{html.escape(label)}</span></summary>"
        )
        body = self._arguments_html() + self._log_html() + self._result_html()
        return (
            f"<details{opened} class='ml-intern-tool' style='border-left:3px solid {colour};padding:2px 8px;"
            f"margin:4px 0;color:{TEXT}'>{head}{body}</details>"
        )

    def __repr__(self) -> str:
        mark, label = STATE_LABELS.get(self.state, ("·", self.state.value))
        lines = [f"{mark} {self.name} [{label}]"]
        for key, value in self.arguments.items():
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            lines.append(f"  {key}: " + text.replace("\n", "\n    "))
        lines.extend(f"  │ {line}" for line in self.log[-20:])
        if self.output is not None and self.native:
            lines.append(f"  → {'finished' if self.ok else 'failed'} (its output is shown below)")
        elif self.output is not None:
            lines.append("  → " + clip_for_view(self.output, 1500, 30).replace("\n", "\n    "))
        return "\n".join(lines)


class PlanView:
    """The agent's todo list as a checklist (a Markdown task list)."""

    MARKS: ClassVar[dict[str, str]] = {"completed": "[x]", "in_progress": "[ ]", "pending": "[ ]"}

    def __init__(self, todos: tuple[dict[str, str], ...]) -> None:
        self.todos = todos

    def _lines(self) -> list[str]:
        out = []
        for todo in self.todos:
            now = " *(in progress)*" if todo.get("status") == "in_progress" else ""
            out.append(f"- {self.MARKS.get(todo.get('status', ''), '[ ]')} {todo.get('content', '')}{now}")
        return out

    def _repr_markdown_(self) -> str:
        return "**Plan**\n\n" + "\n".join(self._lines())

    def __repr__(self) -> str:
        return "Plan:\n" + "\n".join(f"  {line[2:].replace('*', '')}" for line in self._lines())


class Notice:
    """An error, warning or info message, with the fix to try.

    ``message`` is plain text unless ``markdown`` is set (command replies are Markdown); ``fix``
    is Markdown. The plain-text form keeps every line break.
    """

    TITLES: ClassVar[dict[str, str]] = {"error": "Error", "warning": "Note", "info": ""}

    def __init__(self, message: str, fix: str = "", level: str = "error", *, markdown: bool = False) -> None:
        self.message, self.fix, self.level, self.markdown = message, fix, level, markdown

    def _repr_markdown_(self) -> str:
        body = self.message if self.markdown else escape_markdown(self.message)
        title = self.TITLES.get(self.level, "")
        text = f"**{title}:** {body}" if title else body
        return text + (f"\n\n**Fix:** {self.fix}" if self.fix else "")

    def __repr__(self) -> str:
        prefix = {"error": "✗ Error: ", "warning": "! ", "info": ""}.get(self.level, "")
        return prefix + self.message + (f"\n  Fix: {self.fix}" if self.fix else "")


@dataclass
class Footer:
    """Iterations, tokens, elapsed time and model; live while the agent works."""

    model: str
    iterations: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    elapsed: float = 0.0
    status: str = "working"
    spend_usd: float = 0.0
    """The session's estimated spend on jobs (what the yolo spending cap counts)."""

    def text(self) -> str:
        """The footer line (also the plain-text form)."""
        spend = f" · ~${self.spend_usd:.2f} estimated job spend" if self.spend_usd else ""
        return (
            f"{self.status} · {self.iterations} iteration(s) · {self.prompt_tokens:,} in / "
            f"{self.completion_tokens:,} out tokens{spend} · {self.elapsed:.0f}s · {self.model}"
        )

    def _repr_html_(self) -> str:
        return f"<div style='color:{MUTED};font-size:90%'>{html.escape(self.text())}</div>"

    def __repr__(self) -> str:
        return self.text()


class RunStatus:
    """One line under a running ``python`` call's card: elapsed time while it runs, how it ended after."""

    ENDINGS: ClassVar[dict[str, tuple[str, str]]] = {
        "done": ("ok", "finished"),
        "failed": ("no", "failed"),
        "stopped": ("stop", "stopped"),
    }

    def __init__(self, tool: str, call_id: str, started: float) -> None:
        self.tool, self.call_id, self.started = tool, call_id, started
        self.seconds, self.elapsed = 0, 0.0
        self.outcome: str | None = None

    def tick(self, now: float) -> bool:
        """Advance the clock; True when the shown text changed (whole seconds)."""
        seconds = int(now - self.started)
        changed, self.seconds = seconds != self.seconds, seconds
        return changed and self.outcome is None

    def finish(self, outcome: str, now: float) -> None:
        """The run ended: ``done``, ``failed`` or ``stopped``."""
        self.outcome = outcome
        self.elapsed = now - self.started
        self.seconds = int(self.elapsed)

    def text(self) -> str:
        if self.outcome is None:
            return f"{self.tool} running · {self.seconds}s · output below as it happens"
        ending = self.ENDINGS.get(self.outcome, ("dot", self.outcome))[1]
        return f"{ending} {self.tool} in {_duration(self.elapsed)}"

    def _repr_html_(self) -> str:
        name = "run" if self.outcome is None else self.ENDINGS.get(self.outcome, ("dot", ""))[0]
        return f"<div style='color:{MUTED};font-size:90%'>{icon(name)} {html.escape(self.text())}</div>"

    def __repr__(self) -> str:
        return self.text()


def _duration(seconds: float) -> str:
    """``0.3 s``, ``12 s``, ``4 min 05 s``."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest:02d} s"


class MimeBundle:
    """A display a tool made (a plot, a rich object), shown as it came."""

    def __init__(self, data: dict[str, Any], metadata: dict[str, Any] | None = None) -> None:
        self.data, self.metadata = data, metadata or {}

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict[str, Any], dict[str, Any]]:
        return self.data, self.metadata

    def __repr__(self) -> str:
        return str(self.data.get("text/plain", ""))

"""Displayable objects for a %%intern cell: Markdown text, tool cards, plan, errors, footer.

Each object renders as HTML/Markdown in the notebook and as readable plain text
(nbconvert, the terminal, ``jupyter execute``).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..common import CODE_ARGS
from ..protocol import ToolState

VIEW_CHARS = 3000
VIEW_LINES = 60

_STATE_BADGES = {
    ToolState.PENDING_APPROVAL: ("⏳", "waiting for approval", "#b58900"),
    ToolState.APPROVED: ("✔", "approved", "#2aa198"),
    ToolState.RUNNING: ("⚙", "running", "#268bd2"),
    ToolState.DONE: ("✓", "done", "#859900"),
    ToolState.FAILED: ("✗", "failed", "#dc322f"),
    ToolState.REJECTED: ("⊘", "rejected", "#cb4b16"),
    ToolState.CANCELLED: ("⏹", "cancelled", "#93a1a1"),
}


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


def highlight(code: str, language: str = "python") -> str:
    """Code as HTML with inline colours (Pygments), so it survives export."""
    try:
        from pygments import highlight as pyg_highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import get_lexer_by_name

        formatter = HtmlFormatter(noclasses=True, nowrap=False, style="friendly")
        return pyg_highlight(code, get_lexer_by_name(language), formatter)
    except Exception:
        return f"<pre>{html.escape(code)}</pre>"


def _language_for(tool: str, key: str) -> str:
    return "bash" if tool == "bash" or key == "command" else "python" if key in ("code",) else "text"


class MarkdownText:
    """Assistant text: Markdown in the notebook, raw text elsewhere."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_markdown_(self) -> str:
        return self.text

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
    hidden_log: int = 0

    LOG_KEEP: ClassVar[int] = 400

    def add_log(self, line: str) -> None:
        """Append a log line; past ``LOG_KEEP`` the middle is dropped (first 40 lines kept)."""
        self.log.append(line)
        if len(self.log) > self.LOG_KEEP:
            del self.log[40]
            self.hidden_log += 1

    def _result_html(self) -> str:
        if self.output is None:
            return ""
        if self.native:
            word = "finished" if self.ok else "failed"
            return (
                f"<div style='opacity:.7'>{word}; its output is shown below. "
                f"<details><summary>what the agent read ({len(self.output):,} characters)</summary>"
                f"<pre style='margin:2px 0;white-space:pre-wrap'>{html.escape(clip_for_view(self.output))}</pre>"
                "</details></div>"
            )
        return (
            f"<details {'open' if not self.ok else ''}><summary>result</summary>"
            f"<pre style='margin:2px 0;white-space:pre-wrap'>{html.escape(clip_for_view(self.output))}</pre>"
            "</details>"
        )

    def _badge(self) -> tuple[str, str, str]:
        return _STATE_BADGES.get(self.state, ("•", self.state.value, "#657b83"))

    def _arguments_html(self) -> str:
        parts = []
        for key, value in self.arguments.items():
            if key in CODE_ARGS and isinstance(value, str):
                parts.append(f"<div><b>{html.escape(key)}</b></div>{highlight(value, _language_for(self.name, key))}")
            else:
                shown = html.escape(json.dumps(value, ensure_ascii=False, indent=None)[:500])
                parts.append(f"<div><b>{html.escape(key)}</b>: <code>{shown}</code></div>")
        return "".join(parts)

    def _repr_html_(self) -> str:
        icon, label, colour = self._badge()
        log = ""
        if self.log:
            tail = "\n".join(self.log[-40:])
            log = f"<div style='opacity:.75'><pre style='margin:2px 0'>{html.escape(tail)}</pre></div>"
        result = self._result_html()
        open_attr = "open" if self.state in (ToolState.PENDING_APPROVAL, ToolState.RUNNING) else ""
        return (
            f"<details {open_attr} class='ml-intern-tool' style='border-left:3px solid {colour};"
            f"padding:2px 8px;margin:4px 0'><summary><span style='color:{colour}'>{icon} {label}</span> "
            f"<b>{html.escape(self.name)}</b></summary>{self._arguments_html()}{log}{result}</details>"
        )

    def __repr__(self) -> str:
        icon, label, _ = self._badge()
        lines = [f"{icon} {self.name} [{label}]"]
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
    """The agent's todo list as a checklist."""

    MARKS: ClassVar[dict[str, str]] = {"completed": "☑", "in_progress": "▶", "pending": "☐"}

    def __init__(self, todos: tuple[dict[str, str], ...]) -> None:
        self.todos = todos

    def _lines(self) -> list[str]:
        return [f"{self.MARKS.get(t.get('status', ''), '☐')} {t.get('content', '')}" for t in self.todos]

    def _repr_markdown_(self) -> str:
        return "**Plan**\n\n" + "\n".join(f"- {line}" for line in self._lines())

    def __repr__(self) -> str:
        return "Plan:\n" + "\n".join(f"  {line}" for line in self._lines())


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def escape_markdown(text: str) -> str:
    """Plain text that renders as itself in Markdown, line breaks kept."""
    return "  \n".join(_MARKDOWN_SPECIALS.sub(r"\\\1", line) for line in text.split("\n"))


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

    def text(self) -> str:
        """The footer line (also the plain-text form)."""
        return (
            f"{self.status} · {self.iterations} iteration(s) · {self.prompt_tokens:,} in / "
            f"{self.completion_tokens:,} out tokens · {self.elapsed:.0f}s · {self.model}"
        )

    def _repr_html_(self) -> str:
        return f"<div style='opacity:.6;font-size:90%'>{html.escape(self.text())}</div>"

    def __repr__(self) -> str:
        return self.text()


class RunStatus:
    """One line under a running ``python`` call's card: elapsed time while it runs, how it ended after."""

    ENDINGS: ClassVar[dict[str, str]] = {"done": "✓ finished", "failed": "✗ failed", "stopped": "⏹ stopped"}

    def __init__(self, tool: str, call_id: str, started: float) -> None:
        self.tool, self.call_id, self.started = tool, call_id, started
        self.seconds = 0
        self.outcome: str | None = None

    def tick(self, now: float) -> bool:
        """Advance the clock; True when the shown text changed (whole seconds)."""
        seconds = int(now - self.started)
        changed, self.seconds = seconds != self.seconds, seconds
        return changed and self.outcome is None

    def finish(self, outcome: str, now: float) -> None:
        self.outcome = outcome
        self.seconds = int(now - self.started)

    def text(self) -> str:
        if self.outcome is None:
            return f"⚙ {self.tool} running · {self.seconds}s · output below as it happens"
        return f"{self.ENDINGS.get(self.outcome, self.outcome)} {self.tool} after {self.seconds}s"

    def _repr_html_(self) -> str:
        return f"<div style='opacity:.65;font-size:90%'>{html.escape(self.text())}</div>"

    def __repr__(self) -> str:
        return self.text()


class MimeBundle:
    """A display a tool made (a plot, a rich object), shown as it came."""

    def __init__(self, data: dict[str, Any], metadata: dict[str, Any] | None = None) -> None:
        self.data, self.metadata = data, metadata or {}

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict[str, Any], dict[str, Any]]:
        return self.data, self.metadata

    def __repr__(self) -> str:
        return str(self.data.get("text/plain", ""))

"""Small helpers and constants every layer shares (a bottom module: no package imports)."""

from __future__ import annotations

CODE_ARGS = ("code", "command", "content", "new_string", "source", "script")
"""Tool arguments shown as code (highlighted, editable in approval cards)."""

PLAN_MARKS = {"completed": "[x]", "in_progress": "[>]", "pending": "[ ]"}
"""Plain-text checkbox of each plan status."""

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def parse_bool(text: str) -> bool | None:
    """``on``/``true``/``1``/``yes`` -> True, ``off``/``false``/``0``/``no`` -> False, else None."""
    word = text.strip().lower()
    return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None


def head_tail(text: str, limit: int, *, head_share: float = 0.5, what: str = "characters") -> str:
    """``text`` cut to about ``limit`` characters: its head and tail around a marker saying how much went.

    ``head_share`` is the head's part of the kept text (the rest is the tail).
    """
    if limit <= 0 or len(text) <= limit:
        return text
    head = int(limit * head_share)
    tail = limit - head
    cut = len(text) - head - tail
    return f"{text[:head]}\n… [{cut} {what} omitted] …\n{text[len(text) - tail :] if tail else ''}"


def head_tail_lines(text: str, max_lines: int) -> str:
    """``text`` cut to ``max_lines`` lines (half head, half tail) with a marker line."""
    lines = text.splitlines()
    if len(lines) <= max_lines:
        return text
    head, tail = lines[: max_lines // 2], lines[len(lines) - max_lines // 2 :]
    return "\n".join([*head, f"… [{len(lines) - len(head) - len(tail)} lines omitted] …", *tail])


class ConfigError(ValueError):
    """Invalid configuration; the message names the file, the key (dotted path) and the fix."""

    def __init__(self, message: str, *, path: str | None = None, key: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.key = key


def config_error(source: str, key: str | None, problem: str, fix: str) -> ConfigError:
    """A :class:`ConfigError` worded ``<file>: `<key>`: <problem>. Fix: <fix>``."""
    where = f"{source}: `{key}`" if key else source
    return ConfigError(f"{where}: {problem}. Fix: {fix}", path=source, key=key)

"""Context-window-aware truncation: shorten long tool results and old messages instead of failing.

Order of measures, each only while the prompt is still too long:

1. cap older messages (tool results first in practice: they are the long ones) to shrinking
   sizes, keeping their head and tail;
2. drop the oldest messages, keeping the system message and the last message;
3. cut the system message and then the last message themselves.
"""

from __future__ import annotations

from collections.abc import Callable

from .transcript import Message

MESSAGE_OVERHEAD = 6
"""Template tokens around each message (role markers, newlines)."""

CAPS = (2048, 1024, 512, 256, 128)
"""Successive token caps for older messages."""

MARKER_TOKENS = 24
"""Room for the cut marker itself when shortening to an exact budget."""

DROPPED_NOTE = "[Earlier messages were removed to fit the model's context window.]"

Counter = Callable[[str], int]


def cost(messages: list[Message], count: Counter) -> int:
    """Approximate prompt tokens of ``messages``."""
    return sum(count(m["content"]) + MESSAGE_OVERHEAD for m in messages)


def shorten(text: str, tokens: int, max_tokens: int) -> str:
    """Keep about ``max_tokens`` of ``text`` (two thirds head, one third tail) with a cut marker."""
    if tokens <= max_tokens:
        return text
    keep = max(1, len(text) * max_tokens // tokens)
    head, tail = keep * 2 // 3, keep // 3
    cut = len(text) - head - tail
    return f"{text[:head]}\n[… {cut} characters cut to fit the context window …]\n{text[len(text) - tail :]}"


def _memo(count: Counter) -> Counter:
    """``count`` with a per-call cache (tokenizing a huge tool result once is enough)."""
    seen: dict[str, int] = {}

    def cached(text: str) -> int:
        if text not in seen:
            seen[text] = count(text)
        return seen[text]

    return cached


def fit(messages: list[Message], count: Counter, budget: int) -> list[Message]:
    """``messages`` shortened to at most ``budget`` tokens (system first and last message kept)."""
    count = _memo(count)
    out = [dict(m) for m in messages]
    if cost(out, count) <= budget or not out:
        return out
    has_system = out[0]["role"] == "system"
    first = 1 if has_system else 0
    for cap in CAPS:
        for m in out[first:-1]:
            m["content"] = shorten(m["content"], count(m["content"]), cap)
        if cost(out, count) <= budget:
            return out
    dropped = False
    while len(out) - first > 1 and cost(out, count) > budget:
        del out[first]
        dropped = True
        while len(out) - first > 1 and out[first]["role"] != "user":
            del out[first]
    if dropped and out[first]["role"] == "user":
        out[first]["content"] = f"{DROPPED_NOTE}\n\n{out[first]['content']}"
    for index, share in [(0, 0.4)] * has_system + [(-1, 1.0)] * 3:
        excess = cost(out, count) - budget
        if excess <= 0:
            break
        m = out[index]
        tokens = count(m["content"])
        target = max(16, min(tokens - excess - MARKER_TOKENS, int(budget * share)))
        m["content"] = shorten(m["content"], tokens, target)
    return out

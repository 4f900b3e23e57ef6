"""Saved KV caches of prompt preambles (system prompt, tool guide, few-shot turns), one per tool set.

llama.cpp keeps one sequence in its cache; a request whose prompt starts like the cached one
reuses that prefix. A different tool set (another session, MCP tools arriving, the research
sub-agent's read-only tools) changes the preamble, and switching back would evaluate the
whole preamble again (seconds on 2 cores). :class:`PrefixCache` keeps a copy of the cache right
after each recent preamble so that it comes back in milliseconds instead. It also memoises small
values computed from a preamble (the decision step's content-free prior).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

MAX_ENTRIES = 4
"""Preambles kept (least recently used dropped first)."""

MAX_BYTES = 256 * 1024 * 1024
"""Cap on the saved caches together (SmolLM2-135M: ~23 KB a token, so ~11k tokens)."""


@dataclass
class Saved:
    """The cache right after ``tokens``, and values memoised for that preamble."""

    tokens: tuple[int, ...]
    state: Any  # what LlamaBackend.save_cache returned
    size: int
    memo: dict[Any, Any] = field(default_factory=dict)


class PrefixCache:
    """Recently used preambles by their tokens (owned by one ``LocalModel``; used under its lock)."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[int, ...], Saved] = OrderedDict()
        self.hits = 0
        """How many prompts had their preamble restored (tests and the bench read it)."""

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, tokens: Sequence[int]) -> Saved | None:
        """The entry for exactly this preamble."""
        entry = self._entries.get(tuple(tokens))
        if entry is not None:
            self._entries.move_to_end(entry.tokens)
        return entry

    def longest_prefix(self, tokens: Sequence[int], longer_than: int = 0) -> Saved | None:
        """The longest saved preamble that ``tokens`` start with and that is longer than ``longer_than``."""
        best = None
        for entry in self._entries.values():
            n = len(entry.tokens)
            longer = longer_than < n <= len(tokens) and (best is None or n > len(best.tokens))
            if longer and tuple(tokens[:n]) == entry.tokens:
                best = entry
        if best is not None:
            self._entries.move_to_end(best.tokens)
        return best

    def put(self, tokens: Sequence[int], state: Any, size: int) -> Saved:
        """Keep ``state`` as the cache after ``tokens``; drop the oldest entries beyond the caps."""
        key = tuple(tokens)
        entry = self._entries[key] = Saved(key, state, size)
        self._entries.move_to_end(key)
        while len(self._entries) > 1 and (
            len(self._entries) > self.max_entries or sum(e.size for e in self._entries.values()) > self.max_bytes
        ):
            self._entries.popitem(last=False)
        return entry

    def lengths(self) -> list[int]:
        """The token count of each saved preamble, least recently used first."""
        return [len(key) for key in self._entries]

    def clear(self) -> None:
        """Forget every saved preamble."""
        self._entries.clear()


def common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    """How many leading tokens ``a`` and ``b`` share."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n

"""Detects an agent stuck repeating itself and words the corrective note."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any


def call_signature(name: str, arguments: Any) -> str:
    """A canonical text for one call: same tool and same arguments give the same text."""
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments)
        except ValueError:
            return f"{name}:{arguments}"
    return f"{name}:{json.dumps(arguments, sort_keys=True, ensure_ascii=False)}"


class DoomLoopDetector:
    """Watches the sequence of tool calls of one session.

    Fires when the same call repeats ``identical_threshold`` times in a row, or when a
    sequence of 2..``max_pattern`` calls repeats ``pattern_repeats`` times. After it
    fires it starts over, so it does not fire again on the very next call.
    """

    def __init__(self, identical_threshold: int = 3, max_pattern: int = 4, pattern_repeats: int = 3) -> None:
        self.identical_threshold = identical_threshold
        self.max_pattern = max_pattern
        self.pattern_repeats = pattern_repeats
        self._history: list[str] = []
        self.fired = 0

    def reset(self) -> None:
        """Forget the calls seen so far."""
        self._history.clear()

    def record(self, signatures: Iterable[str]) -> str | None:
        """Add this iteration's calls; return a corrective message if stuck."""
        self._history.extend(signatures)
        self._history = self._history[-(self.max_pattern * self.pattern_repeats) :]
        message = self._identical() or self._pattern()
        if message:
            self.fired += 1
            self.reset()
        return message

    def _identical(self) -> str | None:
        n = self.identical_threshold
        tail = self._history[-n:]
        if len(tail) < n or len(set(tail)) != 1:
            return None
        name = tail[0].split(":", 1)[0]
        return (
            f"[loop guard] You have called `{name}` with identical arguments {n} times in a row. "
            "Repeating it will not give a different result. Read the last results carefully, then "
            "change your approach (different arguments or another tool), or stop and explain to the "
            "user what is blocking you."
        )

    def _pattern(self) -> str | None:
        for size in range(2, self.max_pattern + 1):
            span = size * self.pattern_repeats
            if len(self._history) < span:
                continue
            tail = self._history[-span:]
            unit = tail[:size]
            if len(set(unit)) > 1 and all(tail[i] == unit[i % size] for i in range(span)):
                names = " → ".join(sig.split(":", 1)[0] for sig in unit)
                return (
                    f"[loop guard] You are repeating the same sequence of {size} tool calls ({names}) "
                    f"{self.pattern_repeats} times over without progress. Step back: summarise what you "
                    "learned, try a different approach, or ask the user for help."
                )
        return None

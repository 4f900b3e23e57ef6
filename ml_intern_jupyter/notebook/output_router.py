"""Route the output of the agent's own code runs, and only theirs, to a capture.

ipykernel already sends every ``print`` and ``display`` to the cell whose context made it
(its parent header is a ContextVar). The router adds one more ContextVar, ``current``: while
a ``python`` tool call runs, it holds that call's :class:`ToolCapture`. ``sys.stdout`` and
``sys.stderr`` become thin :class:`RoutedStream` wrappers, and a hook sits on the display
publisher (ipykernel's own hook mechanism). Outside a tool run, or in any other context (the
user's cells running meanwhile), both pass everything through untouched; every other
attribute is the original's, so ipykernel's ``set_parent`` and friends keep working. Nothing
is swapped kernel-wide while code runs: this is why a user cell that arrives during a
background agent's async call no longer breaks the kernel (``CapturingDisplayPublisher`` had
no ``set_parent``).
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import sys
from collections.abc import Iterator
from typing import Any, Protocol


class Capture(Protocol):
    """What the router hands output to."""

    def write(self, name: str, text: str) -> None: ...

    def on_display(self, msg: dict[str, Any]) -> dict[str, Any] | None: ...


class RoutedStream(io.TextIOBase):
    """``sys.stdout``/``sys.stderr`` stand-in: a write inside a tool run goes to its capture."""

    def __init__(self, target: Any, name: str, current: contextvars.ContextVar[Capture | None]) -> None:
        self._target = target
        self._name = name
        self._current = current

    @property
    def target(self) -> Any:
        """The stream everything else goes to (ipykernel's OutStream)."""
        return self._target

    def write(self, text: str) -> int:
        capture = self._current.get()
        if capture is None:
            return self._target.write(text)
        capture.write(self._name, text)
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._target.flush()

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return bool(getattr(self._target, "isatty", lambda: False)())

    def fileno(self) -> int:
        return self._target.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._target, "encoding", "utf-8")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)


class OutputRouter:
    """Installs the routed streams and the display hook on one shell; one per loaded extension."""

    def __init__(self, shell: Any) -> None:
        self.shell = shell
        self.current: contextvars.ContextVar[Capture | None] = contextvars.ContextVar("ml_intern_capture", default=None)
        self._hooked: Any = None

    def install(self) -> None:
        """Wrap ``sys.stdout``/``sys.stderr`` and hook the display publisher (idempotent; main thread)."""
        for name in ("stdout", "stderr"):
            stream = getattr(sys, name)
            if not (isinstance(stream, RoutedStream) and stream._current is self.current):
                setattr(sys, name, RoutedStream(stream, name, self.current))
        publisher = self.shell.display_pub
        if self._hooked is not publisher and hasattr(publisher, "register_hook"):
            publisher.register_hook(self._display_hook)
            self._hooked = publisher

    def uninstall(self) -> None:
        """Put the original streams back and remove the hook."""
        for name in ("stdout", "stderr"):
            stream = getattr(sys, name)
            if isinstance(stream, RoutedStream) and stream._current is self.current:
                setattr(sys, name, stream.target)
        if self._hooked is not None and hasattr(self._hooked, "unregister_hook"):
            self._hooked.unregister_hook(self._display_hook)
        self._hooked = None

    def stream(self, name: str) -> Any:
        """The real stream behind ``sys.<name>`` (where a capture forwards the lines it shows)."""
        stream = getattr(sys, name)
        return stream.target if isinstance(stream, RoutedStream) else stream

    @contextlib.contextmanager
    def capturing(self, capture: Capture) -> Iterator[None]:
        """Route this context's output (and that of tasks it starts) to ``capture``."""
        self.install()
        token = self.current.set(capture)
        try:
            yield
        finally:
            self.current.reset(token)

    def _display_hook(self, msg: dict[str, Any]) -> dict[str, Any] | None:
        capture = self.current.get()
        return msg if capture is None else capture.on_display(msg)

"""All agent state of one kernel: named session handles, cell runs, background runs.

A handle is never replaced or changed while its session works: ``%%intern --new``,
``--model`` or another message on a busy session is refused with a notice, so
``%intern stop NAME`` always reaches the run that is actually going.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from IPython.core.interactiveshell import InteractiveShell
from IPython.display import display

from ..agent.builder import BuiltSession, FrontEnd, build_session
from ..agent.config import ConfigError, environment, load_config
from ..agent.session import Session
from ..commands import TraceExports
from ..protocol import Interrupt, TurnOptions, UserInput
from .approval import ApprovalWidget
from .cards import Notice
from .export_button import ExportButton
from .kernel_tools import kernel_tools
from .options import CellOptions, UsageError, parse_cell_options
from .view import CellView

STATUS_WORDS = {"done": "done", "max_iterations": "stopped at max_iterations"}


@dataclass
class SessionHandle:
    """One named session of the kernel, with its running task and the view of its current cell."""

    name: str
    built: BuiltSession
    task: asyncio.Task[Any] | None = None
    view: CellView | None = None

    @property
    def session(self) -> Session:
        """The session itself."""
        return self.built.session

    @property
    def busy(self) -> bool:
        """True while a turn of this session runs (in a cell or in the background)."""
        return self.session.busy or (self.task is not None and not self.task.done())


class KernelAgent:
    """Owns the sessions of one kernel; one instance per loaded extension."""

    def __init__(self, ip: InteractiveShell, show: Callable[[Any], Any] = display) -> None:
        self.ip = ip
        self.show = show
        self.front = FrontEnd.create(environment())
        self.exports = TraceExports()
        self.handles: dict[str, SessionHandle] = {}
        self.active = "default"

    # -- sessions -----------------------------------------------------------------
    def create(self, name: str) -> SessionHandle:
        """A new session with the kernel tools under ``name`` (raises ConfigError)."""
        config = load_config()
        hidden = set(getattr(self.ip, "user_ns_hidden", {}))
        built = build_session(self.front, config=config, variant="notebook", tools=kernel_tools(self.ip, hidden))
        handle = self.handles[name] = SessionHandle(name, built)
        return handle

    def handle(self, name: str | None = None) -> SessionHandle:
        """The named handle (default: the active one), created on first use (raises ConfigError)."""
        name = name or self.active
        return self.handles.get(name) or self.create(name)

    def session(self, name: str | None = None) -> Session:
        """The named session (default: the active one)."""
        return self.handle(name).session

    # -- %%intern -------------------------------------------------------------------
    async def run_cell(self, line: str, body: str) -> None:
        """The coroutine a ``%%intern`` cell awaits."""
        try:
            opts = parse_cell_options(line)
            if not body.strip():
                raise UsageError("The cell is empty: write your request below the %%intern line.")
            handle = self.handles.get(opts.session)
            if handle is not None and handle.busy:
                self.show(self._busy_notice(opts))
                return
            if handle is None or opts.new:
                handle = self.create(opts.session)
        except (UsageError, ConfigError) as exc:
            self.show(Notice(str(exc), fix="Fix the %%intern options or your config, then re-run the cell."))
            return
        self.active = opts.session
        await self.run_message(handle, body.strip(), _turn_options(opts), background=opts.background)

    @staticmethod
    def _busy_notice(opts: CellOptions) -> Notice:
        changes = [flag for flag, on in (("--new", opts.new), ("--model", bool(opts.model))) if on]
        what = f" ({' and '.join(changes)} would change it mid-run)" if changes else ""
        return Notice(
            f"Session `{opts.session}` is already working{what}, maybe in the background.",
            fix=f"Wait for it, answer its approvals, `%intern stop {opts.session}`, or use `--session OTHER`.",
        )

    async def run_message(
        self, handle: SessionHandle, text: str, options: TurnOptions | None = None, *, background: bool = False
    ) -> None:
        """Send ``text`` to the handle's session, rendering into the current cell."""
        session = handle.session
        if handle.busy:
            self.show(self._busy_notice(CellOptions(session=handle.name)))
            return
        notice = None if options and options.model else session.take_notice()
        if notice:
            self.show(Notice(notice, level="warning"))
        loop = asyncio.get_running_loop()
        base = (session.usage.prompt_tokens, session.usage.completion_tokens)
        view = CellView(
            options.model if options and options.model else session.model_id,
            approval_factory=lambda event: ApprovalWidget(event, session, loop),
            usage=lambda: (session.usage.prompt_tokens - base[0], session.usage.completion_tokens - base[1]),
        )
        handle.view = view
        session.add_sink(view)
        view.start()
        run = self._drive(handle, view, text, options or TurnOptions())
        if background:
            handle.task = loop.create_task(run)
            self.show(
                Notice(
                    f"Running in the background (session `{handle.name}`). Outputs and approvals keep arriving "
                    "here; `%intern status` shows it, `%intern stop` cancels it.",
                    level="info",
                )
            )
            return
        await run

    async def _drive(self, handle: SessionHandle, view: CellView, text: str, options: TurnOptions) -> None:
        session, status = handle.session, "stopped"
        try:
            outcome = await session.submit(UserInput(text, options))
            status = STATUS_WORDS.get(outcome.stop_reason, outcome.stop_reason)
        finally:
            session.remove_sink(view)
            view.close(status)
            self.exports.after_turn(session)
            loop = asyncio.get_running_loop()
            self.show(ExportButton(lambda: self.exports.export(session), loop).box)

    # -- control --------------------------------------------------------------------
    async def stop(self, name: str | None = None) -> list[str]:
        """Interrupt running sessions (all, or one by name); returns the names stopped."""
        stopped = []
        for handle_name, handle in self.handles.items():
            if (name is None or name == handle_name) and await handle.session.submit(Interrupt()):
                stopped.append(handle_name)
        return stopped

    async def wait(self, name: str | None = None) -> None:
        """Wait until the background runs (all, or the named one) have finished."""
        tasks = [h.task for n, h in self.handles.items() if h.task is not None and name in (None, n)]
        await asyncio.gather(*tasks, return_exceptions=True)

    def running_background(self) -> list[str]:
        """Names of sessions whose background run is still going."""
        return [name for name, handle in self.handles.items() if handle.task is not None and not handle.task.done()]


def _turn_options(opts: CellOptions) -> TurnOptions:
    return TurnOptions(
        model=opts.model,
        max_iterations=opts.max_iterations,
        stream=False if opts.no_stream else None,
        yolo=True if opts.yolo else None,
    )

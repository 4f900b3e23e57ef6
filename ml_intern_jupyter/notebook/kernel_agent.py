"""All agent state of one kernel: named sessions, cell runs, background runs."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from IPython.core.interactiveshell import InteractiveShell
from IPython.display import display

from ..agent.config import ConfigError, load_config, resolve_data_dir
from ..agent.llm import ModelIdError
from ..agent.session import Session
from ..gateways import Notifier, attach_gateways
from ..tools.builtin import builtin_tools
from ..tools.spec import ToolRouter
from ..traces.store import SessionStore, SessionWriter, sessions_dir
from .approval import ApprovalWidget
from .cards import Notice
from .export_button import ExportButton
from .kernel_tools import kernel_tools
from .options import CellOptions, UsageError, parse_cell_options
from .trace_exports import TraceExports
from .view import CellView

WHERE = "inside the user's Jupyter notebook: you share their live kernel, variables and files"


class KernelAgent:
    """Owns the sessions of one kernel; one instance per loaded extension."""

    def __init__(self, ip: InteractiveShell, show: Callable[[Any], Any] = display) -> None:
        self.ip = ip
        self.show = show
        self.sessions: dict[str, Session] = {}
        self.active = "default"
        self.background: dict[str, asyncio.Task[Any]] = {}
        self.writer = SessionWriter()
        self.exports = TraceExports()
        self.notifiers: dict[str, Notifier | None] = {}

    # -- sessions -----------------------------------------------------------------
    def make_session(self, model: str | None = None) -> Session:
        """A session with the kernel tools (raises ConfigError / ModelIdError)."""
        config = load_config()
        data_dir = resolve_data_dir(config)
        router = ToolRouter(builtin_tools(scratch=data_dir / "scratch"))
        hidden = set(getattr(self.ip, "user_ns_hidden", {}))
        for spec in kernel_tools(self.ip, hidden):
            router.register(spec)
        store = SessionStore(sessions_dir(data_dir), self.writer, self.exports.redactor.value)
        session = Session(config, model=model, tools=router, where=WHERE, store=store)
        self.notifiers[session.id] = attach_gateways(session)
        session.tools_changed()
        return session

    def session(self, name: str | None = None, *, model: str | None = None, new: bool = False) -> Session:
        """The named session (default: the active one), created on first use."""
        name = name or self.active
        if new or name not in self.sessions:
            self.sessions[name] = self.make_session(model)
        elif model:
            self.sessions[name].set_model(model)
        self.active = name
        return self.sessions[name]

    # -- %%intern -------------------------------------------------------------------
    async def run_cell(self, line: str, body: str) -> None:
        """The coroutine a ``%%intern`` cell awaits."""
        try:
            opts = parse_cell_options(line)
            if not body.strip():
                raise UsageError("The cell is empty: write your request below the %%intern line.")
            session = self.session(opts.session, model=opts.model, new=opts.new)
        except (UsageError, ConfigError, ModelIdError) as exc:
            self.show(Notice(str(exc), fix="Fix the %%intern options or your config, then re-run the cell."))
            return
        await self.run_message(session, body.strip(), opts)

    async def run_message(self, session: Session, text: str, opts: CellOptions | None = None) -> None:
        """Send ``text`` to ``session``, rendering into the current cell."""
        opts = opts or CellOptions()
        if session.busy:
            self.show(
                Notice(
                    "This session is already working (maybe in the background).",
                    fix="Wait for it, answer its approvals, `%intern stop` it, or use `--session OTHER`.",
                )
            )
            return
        if session.model_notice:
            self.show(Notice(session.model_notice, level="warning"))
            session.model_notice = None  # once per session
        loop = asyncio.get_running_loop()
        base = (session.prompt_tokens, session.completion_tokens)
        view = CellView(
            session.model_id,
            approval_factory=lambda ev: ApprovalWidget(ev, session, loop),
            usage=lambda: (session.prompt_tokens - base[0], session.completion_tokens - base[1]),
        )
        restore = self._apply_cell_options(session, opts)
        session.add_sink(view)
        view.start()
        run = self._drive(session, view, text, restore)
        if opts.background:
            self.background[opts.session] = loop.create_task(run)
            self.show(
                Notice(
                    f"Running in the background (session {opts.session!r}). Outputs and approvals keep "
                    "arriving here; `%intern status` shows it, `%intern stop` cancels it.",
                    level="info",
                )
            )
            return
        await run

    @staticmethod
    def _apply_cell_options(session: Session, opts: CellOptions) -> Callable[[], None]:
        saved = (session.max_iterations, session.stream, session.yolo)
        if opts.max_iterations:
            session.max_iterations = opts.max_iterations
        if opts.no_stream:
            session.stream = False
        if opts.yolo:
            session.yolo = True

        def restore() -> None:
            session.max_iterations, session.stream = saved[0], saved[1]
            if opts.yolo:  # a cell's --yolo lasts for that cell; "Approve all" stays on
                session.yolo = saved[2]

        return restore

    async def _drive(self, session: Session, view: CellView, text: str, restore: Callable[[], None]) -> None:
        status = "stopped"
        try:
            outcome = await session.run_turn(text)
            status = {"done": "done", "max_iterations": "stopped at max_iterations"}.get(
                outcome.stop_reason, outcome.stop_reason
            )
        finally:
            session.remove_sink(view)
            view.close(status)
            restore()
            self.exports.after_turn(session)
            loop = asyncio.get_running_loop()
            self.show(ExportButton(lambda: self.exports.export(session), loop).box)

    # -- control --------------------------------------------------------------------
    def stop(self, name: str | None = None) -> list[str]:
        """Interrupt running sessions (all, or one by name); returns the names stopped."""
        stopped = []
        for session_name, session in self.sessions.items():
            if (name is None or name == session_name) and session.interrupt():
                stopped.append(session_name)
        return stopped

    def running_background(self) -> list[str]:
        """Names of sessions whose background run is still going."""
        return [name for name, task in self.background.items() if not task.done()]

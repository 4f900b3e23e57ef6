"""All agent state of one kernel: named session handles, cell runs, background runs.

A handle is never replaced or changed while its session works: ``%%intern --new``,
``--model`` or another message on a busy session is refused with a notice, so
``%intern stop NAME`` always reaches the run that is actually going.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from IPython.core.interactiveshell import InteractiveShell
from IPython.display import display

from ..agent.builder import BuiltSession, FrontEnd, build_session
from ..agent.config import AgentConfig, ConfigError, environment, load_config, resolve_data_dir
from ..agent.history import EntryKind
from ..agent.model import default_model_id
from ..agent.model.ids import resolve_model
from ..agent.session import Session
from ..commands import TraceExports
from ..protocol import Interrupt, TurnOptions, UserInput
from .approval import ApprovalWidget
from .assignments import overwrite_warning
from .background_stop import BackgroundStop
from .cards import Notice
from .chat_bridge import register_bridge
from .export_button import ExportButton
from .kernel_tools import kernel_tools
from .mcp_consent import notebook_consent
from .notebook_tools import NotebookTools
from .options import CellOptions, UsageError, parse_cell_options
from .output_router import OutputRouter
from .tool_capture import OutputLimits
from .view import CellView

STATUS_WORDS = {"done": "done", "max_iterations": "stopped at max_iterations"}
NATIVE_TOOLS = frozenset({"python"})
"""Kernel tools whose output reaches the cell by itself (the view does not draw it again)."""
LITELLM_ROUTES = frozenset({"litellm", "hf_router", "local_server"})


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
        env = environment()
        self.front = FrontEnd.create(env)
        self.exports = TraceExports()
        self.handles: dict[str, SessionHandle] = {}
        self.active = "default"
        self.router = OutputRouter(ip)
        self.router.install()
        self.background_stop = BackgroundStop(lambda: bool(self.running_background()), self.stop)
        self._chores: set[asyncio.Task[Any]] = set()
        self._cell_turns = 0  # turns running inside a %%intern cell (the kernel is busy with it)
        self._prewarm(env)
        self.bridge = register_bridge(self)  # the chat panels' comm target (None outside a kernel)

    def spawn(self, work: Any) -> asyncio.Task[Any]:
        """Run a coroutine after the cell returns (its outputs still land in that cell); kept until done."""
        task = asyncio.get_running_loop().create_task(work)
        self._chores.add(task)
        task.add_done_callback(self._chores.discard)
        return task

    def _prewarm(self, env: Any) -> None:
        """Import litellm in a thread now if the default model needs it (the first cell then starts at once)."""
        try:
            kind = resolve_model(load_config().model_name or default_model_id(env), env).kind
        except (ValueError, OSError):
            return
        if kind in LITELLM_ROUTES:
            threading.Thread(target=self.front.factory.loader.get, name="ml-intern-litellm-import", daemon=True).start()

    def backend_ready(self, model_id: str) -> bool:
        """Whether the model backend of ``model_id`` has finished importing."""
        try:
            kind = resolve_model(model_id, self.front.factory.env).kind
        except ValueError:
            return True
        return kind not in LITELLM_ROUTES or self.front.factory.loader.loaded

    def close(self) -> None:
        """Put the streams back, close MCP servers, flush the records, free the models (``%unload_ext``)."""
        self.router.uninstall()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        for handle in self.handles.values():
            if loop is not None:
                self.spawn(handle.built.mcp.aclose())
        self.front.close()

    def _replaces(self, event: Any) -> str:
        """What a pending python call would overwrite or delete among the user's variables."""
        code = event.arguments.get("code") if event.name == "python" else None
        if not isinstance(code, str):
            return ""
        return overwrite_warning(code, self.ip.user_ns, getattr(self.ip, "user_ns_hidden", {}))

    # -- sessions -----------------------------------------------------------------
    def _tools(self, config: AgentConfig) -> list:
        hidden = set(getattr(self.ip, "user_ns_hidden", {}))
        outputs = resolve_data_dir(config) / "tool_output"
        limits = OutputLimits(lines=config.cell_output_max_lines, bytes=config.cell_output_max_bytes)
        notebook = NotebookTools(self.bridge, self._propose_cell, in_cell=lambda: self._cell_turns > 0)
        return [*kernel_tools(self.ip, hidden, self.router, lambda: outputs, limits), *notebook.specs()]

    def _propose_cell(self, source: str) -> str:
        manager = getattr(self.ip, "payload_manager", None)
        if manager is None:
            return "this front end cannot insert cells either; the code is in the tool card."
        manager.write_payload({"source": "set_next_input", "text": source, "replace": False}, single=False)
        return "it appears below the current cell (not run)."

    def create(self, name: str) -> SessionHandle:
        """A new session with the kernel tools under ``name`` (raises ConfigError)."""
        config = load_config()
        built = build_session(
            self.front,
            config=config,
            variant="notebook",
            tools=self._tools(config),
            consent=notebook_consent(lambda card: self.show(card)),
        )
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
        self,
        handle: SessionHandle,
        text: str,
        options: TurnOptions | None = None,
        *,
        background: bool = False,
        into: Callable[..., Any] | None = None,
    ) -> None:
        """Send ``text`` to the handle's session, rendering into the current cell.

        ``into`` is a display function to render into instead (``%intern panel``'s conversation,
        ``into(obj, display_id=True)`` returning a handle with ``update``); such a run is a
        background run that says nothing about being one.
        """
        session = handle.session
        show = self.show if into is None else into
        if handle.busy:
            show(self._busy_notice(CellOptions(session=handle.name)))
            return
        notice = None if options and options.model else session.take_notice()
        if notice:
            show(Notice(notice, level="warning"))
        loop = asyncio.get_running_loop()
        base = (session.usage.prompt_tokens, session.usage.completion_tokens)
        model = options.model if options and options.model else session.model_id
        view = CellView(
            model,
            **({"display": into} if into is not None else {}),
            approval_factory=lambda event: ApprovalWidget(event, session, loop, self._replaces(event)),
            usage=lambda: (session.usage.prompt_tokens - base[0], session.usage.completion_tokens - base[1]),
            native_tools=NATIVE_TOOLS if into is None else (),
            backend_ready=lambda: self.backend_ready(model),
            clock_thread=True,
        )
        handle.view = view
        session.add_sink(view)
        view.start()
        handle.built.start_services()  # MCP servers connect in the background; their news lands here
        run = self._drive(handle, view, text, options or TurnOptions(), show)
        if background or into is not None:
            handle.task = self.spawn(run)
            self.background_stop.watch()
            if into is None:
                self.show(
                    Notice(
                        f"Running in the background (session `{handle.name}`). Outputs and approvals keep "
                        "arriving here; `%intern status` shows it, `%intern stop` cancels it.",
                        level="info",
                    )
                )
            return
        self._cell_turns += 1
        try:
            await run
        finally:
            self._cell_turns -= 1

    async def _drive(
        self, handle: SessionHandle, view: CellView, text: str, options: TurnOptions, show: Callable[[Any], Any]
    ) -> None:
        session, status = handle.session, "stopped"
        replies_before = _assistant_entries(session)
        try:
            outcome = await session.submit(UserInput(text, options))
            status = STATUS_WORDS.get(outcome.stop_reason, outcome.stop_reason)
        finally:
            session.remove_sink(view)
            view.close(status)
            self.exports.after_turn(session)
            if _assistant_entries(session) > replies_before:  # nothing to export when the agent did nothing
                loop = asyncio.get_running_loop()
                show(ExportButton(lambda: self.exports.export(session), loop).box)

    def start_background(self, handle: SessionHandle, message: UserInput) -> bool:
        """Start a turn from a chat panel as a background task (no cell); False if the session is busy."""
        if handle.busy:
            return False
        handle.built.start_services()
        handle.task = self.spawn(handle.session.submit(message))
        self.background_stop.watch()
        return True

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


def _assistant_entries(session: Session) -> int:
    return sum(entry.kind is EntryKind.ASSISTANT for entry in session.history.entries())


def _turn_options(opts: CellOptions) -> TurnOptions:
    return TurnOptions(
        model=opts.model,
        max_iterations=opts.max_iterations,
        stream=False if opts.no_stream else None,
        yolo=True if opts.yolo else None,
    )

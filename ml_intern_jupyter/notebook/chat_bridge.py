"""The ``ml_intern`` comm target: chat panels attach to a kernel session (see labextension/PROTOCOL.md).

Each panel opens one comm and says ``hello``; it then sends the core's operations as JSON and
gets every event of its session, whoever started the turn (a ``%%intern`` cell or a panel).
Streamed ``assistant_chunk`` events are merged at :data:`~.coalesce.PANEL_PACE` (their texts
joined, the last one's ``seq``), so a model does not send one websocket message (and one
Markdown render in the page) per token. A malformed message is logged, answered with ``error``, and changes nothing.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..agent.model import KNOWN_MODELS
from ..protocol import (
    PROTOCOL_VERSION,
    AssistantChunk,
    Event,
    ProtocolError,
    Resume,
    SessionStarted,
    UserInput,
    operation_from_dict,
)
from ..traces.hub_export import HubExportError
from .coalesce import PANEL_PACE, Coalescer

if TYPE_CHECKING:
    from .kernel_agent import KernelAgent, SessionHandle

log = logging.getLogger(__name__)

TARGET = "ml_intern"
NOTEBOOK_TIMEOUT = 30.0
"""Seconds the kernel waits for a panel to answer a ``notebook_request``."""


class NoPanel(RuntimeError):
    """No chat panel with the labextension is attached to this kernel."""


class PanelLink:
    """One attached panel (one comm): its session, its event forwarding, its requests."""

    def __init__(self, bridge: ChatBridge, comm: Any) -> None:
        self.bridge, self.comm = bridge, comm
        self.handle: SessionHandle | None = None
        self._chunk: AssistantChunk | None = None
        self._chunk_text: list[str] = []
        self._coalescer = Coalescer(self._send_chunks, PANEL_PACE)
        self.closed = False
        comm.on_msg(self._on_msg)
        comm.on_close(lambda _msg: self.close())

    # -- sending ----------------------------------------------------------------------
    def send(self, kind: str, **fields: Any) -> None:
        if self.closed:
            return
        try:
            self.comm.send({"kind": kind, "v": PROTOCOL_VERSION, **fields})
        except Exception:  # a dead websocket must not break the session that emitted
            log.warning("could not send to a chat panel", exc_info=True)

    def forward(self, event: Event) -> None:
        """A session sink: events go to the panel (chunks merged), on the kernel's loop."""
        if threading.get_ident() != self.bridge.loop_thread:
            self.bridge.loop.call_soon_threadsafe(self.forward, event)
            return
        if isinstance(event, AssistantChunk):
            self._chunk = event
            self._chunk_text.append(event.content)
            self._coalescer.add(max(len(event.content), 1), self.bridge.loop)
            return
        self.flush_chunks()
        self.send("event", event=event.to_dict())
        if isinstance(event, SessionStarted):
            self.welcome()  # a new or resumed conversation: the panel starts over

    def flush_chunks(self) -> None:
        """Send the merged text that is waiting, now."""
        self._coalescer.flush_now()

    def _send_chunks(self) -> None:
        if self._chunk is None:
            return
        merged = self._chunk.to_dict() | {"content": "".join(self._chunk_text)}
        self._chunk, self._chunk_text = None, []
        self.send("event", event=merged)

    def welcome(self) -> None:
        handle = self.handle
        if handle is None:
            return
        session = handle.session
        status = session.status()
        recorder = handle.built.recorder
        replay = [event.to_dict() for event in recorder.turn_events()] if recorder is not None else []
        self.send(
            "welcome",
            session=handle.name,
            session_id=session.id,
            model=session.model_id,
            models=list(KNOWN_MODELS),
            yolo=status.yolo,
            busy=handle.busy,
            usage={
                "prompt_tokens": status.prompt_tokens,
                "completion_tokens": status.completion_tokens,
                "spend_usd": status.spend_usd,
            },
            replay=replay,
        )

    # -- receiving --------------------------------------------------------------------
    def _on_msg(self, msg: dict[str, Any]) -> None:
        data = msg.get("content", {}).get("data") if isinstance(msg, dict) else None
        try:
            self._dispatch(data)
        except (ProtocolError, ValueError, TypeError, KeyError) as exc:
            log.warning("ignored a malformed chat panel message: %s (%r)", exc, data)
            self.send("error", message=f"ignored: {exc}")

    def _dispatch(self, data: Any) -> None:
        if not isinstance(data, dict):
            raise ProtocolError(f"a message must be an object, got {type(data).__name__}")
        version = data.get("v", PROTOCOL_VERSION)
        if version != PROTOCOL_VERSION:
            raise ProtocolError(f"protocol version {version!r}; this kernel speaks {PROTOCOL_VERSION}")
        kind = data.get("kind")
        if kind == "hello":
            self.attach(data.get("session"))
        elif kind == "op":
            self._operation(operation_from_dict(data.get("op")))
        elif kind == "export":
            self._require_handle()
            self.bridge.spawn(self._export())
        elif kind == "notebook_reply":
            self.bridge.answer(data)
        else:
            raise ProtocolError(f"unknown message kind {kind!r}")

    def _require_handle(self) -> SessionHandle:
        if self.handle is None:
            raise ProtocolError("say hello first")
        return self.handle

    def attach(self, name: Any) -> None:
        """Show this panel the named session (default: the kernel's active one)."""
        if name is not None and not isinstance(name, str):
            raise ProtocolError("`session` must be a name")
        handle = self.bridge.agent.handle(name or None)
        if self.handle is not handle:
            if self.handle is not None:
                self.handle.session.remove_sink(self.forward)
            handle.session.add_sink(self.forward)
            self.handle = handle
        self.welcome()

    def _operation(self, op: Any) -> None:
        handle = self._require_handle()
        if isinstance(op, UserInput):
            if not self.bridge.agent.start_background(handle, op):
                self.send("error", message=f"Session `{handle.name}` is already working; wait or press Stop.")
            return
        self.bridge.spawn(self._submit(handle, op))

    async def _submit(self, handle: SessionHandle, op: Any) -> None:
        result = await handle.session.submit(op)
        if isinstance(op, Resume) and result is not None:
            self.welcome()

    async def _export(self) -> None:
        handle = self._require_handle()
        try:
            result = await self.bridge.agent.exports.export(handle.session)
        except HubExportError as exc:
            message = str(exc).splitlines()[0] if str(exc) else "The export failed."
            self.send("export_result", ok=False, message=message + " Try `%intern export --to PATH`.")
            return
        self.send("export_result", ok=True, url=result.url, private=result.private)

    def close(self) -> None:
        if self.closed:
            return
        self.flush_chunks()
        self.closed = True
        if self.handle is not None:
            self.handle.session.remove_sink(self.forward)
        self.bridge.links.discard(self)


class ChatBridge:
    """The comm target of one kernel: its attached panels and the kernel → panel requests."""

    def __init__(self, agent: KernelAgent, loop: asyncio.AbstractEventLoop) -> None:
        self.agent, self.loop = agent, loop
        self.loop_thread = threading.get_ident()
        self.links: set[PanelLink] = set()
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._ids = itertools.count(1)

    def register(self, comm_manager: Any) -> None:
        """Register the ``ml_intern`` target with the kernel's comm manager."""
        comm_manager.register_target(TARGET, self._on_open)

    def _on_open(self, comm: Any, msg: dict[str, Any]) -> None:
        link = PanelLink(self, comm)
        self.links.add(link)
        data = msg.get("content", {}).get("data") if isinstance(msg, dict) else None
        if isinstance(data, dict) and data.get("kind") == "hello":
            link._on_msg({"content": {"data": data}})

    def spawn(self, work: Any) -> None:
        self.agent.spawn(work)

    # -- kernel → panel requests (notebook tools) ---------------------------------------
    @property
    def attached(self) -> bool:
        """Whether a panel that can answer notebook requests is attached."""
        return any(not link.closed for link in self.links)

    async def request(self, action: str, args: dict[str, Any], timeout: float = NOTEBOOK_TIMEOUT) -> dict[str, Any]:
        """Ask the newest attached panel to read, edit or run the notebook; its ``result``."""
        live = [link for link in self.links if not link.closed]
        if not live:
            raise NoPanel("no ML Intern panel is attached to this kernel")
        request_id = f"nb-{next(self._ids)}"
        future: asyncio.Future[dict[str, Any]] = self.loop.create_future()
        self._waiting[request_id] = future
        live[-1].send("notebook_request", request_id=request_id, action=action, args=args)
        try:
            reply = await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise NoPanel(f"the panel did not answer the notebook request within {timeout:g} s") from None
        finally:
            self._waiting.pop(request_id, None)
        if not reply.get("ok"):
            raise ValueError(str(reply.get("error") or "the notebook refused the request"))
        result = reply.get("result")
        return result if isinstance(result, dict) else {}

    def answer(self, data: dict[str, Any]) -> None:
        future = self._waiting.get(str(data.get("request_id")))
        if future is None or future.done():
            raise ProtocolError(f"no notebook request {data.get('request_id')!r} is waiting")
        future.set_result(data)


def register_bridge(agent: KernelAgent, comm_manager: Callable[[], Any] | None = None) -> ChatBridge | None:
    """Create the kernel's bridge and register its comm target (None outside a kernel)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    try:
        manager = comm_manager() if comm_manager else _kernel_comm_manager()
    except Exception:
        log.warning("no comm manager: the chat panel cannot attach", exc_info=True)
        return None
    if manager is None:
        return None
    bridge = ChatBridge(agent, loop)
    bridge.register(manager)
    return bridge


def _kernel_comm_manager() -> Any:
    from comm import get_comm_manager

    return get_comm_manager()

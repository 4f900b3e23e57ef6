"""``%intern panel``: the chat in a cell's output, for every front end without the labextension.

VS Code, Colab and Notebook 7 render ipywidgets, so the panel is widgets: a conversation (one
small ``Output`` widget per shown block, so an update re-sends that block only) and a message
box (an anywidget whose Send sends the text exactly as on screen). A message starts a
background turn of the kernel's session, rendered by the same view as ``%%intern`` cells, with
the same tool cards and approval cards.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib import resources
from typing import TYPE_CHECKING, Any

import anywidget
import ipywidgets as widgets
import traitlets

from ..protocol import Interrupt
from .cards import MarkdownText, Notice

if TYPE_CHECKING:
    from .kernel_agent import KernelAgent, SessionHandle

log = logging.getLogger(__name__)
_STATIC = resources.files(__package__).joinpath("static")


class ChatInput(anywidget.AnyWidget):
    """The panel's message box and its Send, Stop and Export buttons."""

    _esm = _STATIC.joinpath("chat_input.js").read_text(encoding="utf-8")
    _css = _STATIC.joinpath("approval.css").read_text(encoding="utf-8") + _STATIC.joinpath("chat_input.css").read_text(
        encoding="utf-8"
    )
    busy = traitlets.Bool(False).tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)


class Slot:
    """One shown block of the conversation; ``update`` replaces what it shows."""

    def __init__(self, conversation: Conversation, widget: widgets.Output) -> None:
        self._conversation, self.widget = conversation, widget

    def update(self, obj: Any) -> None:
        self.widget.outputs = (self._conversation.bundle(obj),)


class Conversation:
    """A growing list of blocks; a display function for the cell view (``display(obj, display_id=True)``)."""

    def __init__(self, formatter: Callable[[Any], tuple[dict, dict]]) -> None:
        self._format = formatter
        self.box = widgets.VBox(layout=widgets.Layout(max_height="640px", overflow="auto"))

    def bundle(self, obj: Any) -> dict[str, Any]:
        data, metadata = self._format(obj)
        return {"output_type": "display_data", "data": data, "metadata": metadata}

    def __call__(self, obj: Any, **_: Any) -> Slot:
        widget = widgets.Output()
        widget.outputs = (self.bundle(obj),)
        self.box.children = (*self.box.children, widget)
        return Slot(self, widget)


class ChatPanel:
    """The widgets of one ``%intern panel`` and what their messages do."""

    def __init__(self, agent: KernelAgent, handle: SessionHandle, formatter: Callable[[Any], tuple[dict, dict]]):
        self.agent, self.handle = agent, handle
        self.conversation = Conversation(formatter)
        self.input = ChatInput(status=f"session {handle.name} · {handle.session.model_id}")
        self.input.on_msg(self._on_msg)
        self.widget = _PanelBox([self.conversation.box, self.input])

    def _on_msg(self, widget: Any, content: Any, buffers: Any) -> None:
        if not isinstance(content, dict) or content.get("event") not in ("send", "stop", "export"):
            log.warning("ignored a malformed chat panel message: %r", content)
            return
        event = content["event"]
        if event == "send":
            text = content.get("text")
            if not isinstance(text, str) or not text.strip():
                log.warning("ignored a chat panel message without text: %r", content)
                return
            self.agent.spawn(self.send(text))
        elif event == "stop":
            self.agent.spawn(self.handle.session.submit(Interrupt()))
        else:
            self.agent.spawn(self._export())

    async def send(self, text: str) -> None:
        """Show the message and run the turn in the background, rendered into the conversation."""
        if self.handle.busy:
            self.conversation(Notice("The agent is still working: wait, answer its approvals, or press Stop."))
            return
        self.conversation(MarkdownText(f"**You:** {text}"))
        self.input.busy = True
        await self.agent.run_message(self.handle, text.strip(), into=self.conversation)
        task = self.handle.task
        if task is not None:
            task.add_done_callback(lambda _: setattr(self.input, "busy", False))
        else:
            self.input.busy = False

    async def _export(self) -> None:
        from ..traces.hub_export import HubExportError

        try:
            result = await self.agent.exports.export(self.handle.session)
        except HubExportError as exc:
            self.conversation(Notice(str(exc).splitlines()[0], fix="Try `%intern export --to PATH`."))
            return
        visibility = "private" if result.private else "public"
        self.conversation(Notice(f"Exported to {result.url} ({visibility}).", level="info"))


class _PanelBox(widgets.VBox):
    def __repr__(self) -> str:  # plain-text form in exported notebooks
        return "[ML Intern chat panel]"


def open_panel(agent: KernelAgent, handle: SessionHandle, show: Callable[[Any], Any]) -> ChatPanel:
    """Show a chat panel on ``handle``'s session in the current cell."""
    from IPython import get_ipython

    shell = get_ipython()

    def formatter(obj: Any) -> tuple[dict, dict]:
        if shell is None:
            return {"text/plain": repr(obj)}, {}
        data, metadata = shell.display_formatter.format(obj)
        return data, metadata

    panel = ChatPanel(agent, handle, formatter)
    show(panel.widget)
    return panel

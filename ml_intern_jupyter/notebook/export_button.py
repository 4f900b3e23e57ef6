"""The footer button that exports the session to the Hub with one click."""

from __future__ import annotations

import asyncio
import html
from collections.abc import Awaitable, Callable

import ipywidgets as widgets

from ..traces.hub_export import ExportResult, HubExportError
from .theme import STATE_COLOURS

FALLBACK = "Export it to a local file instead: `%intern export --to PATH`."


class _ExportBox(widgets.HBox):
    def __repr__(self) -> str:  # plain-text form in exported notebooks
        return "[Export session to the Hub]"


class ExportButton:
    """A button + status line; the click schedules the export on the kernel's loop.

    The button keeps its size (``flex: none``) whatever the status line says, and every failure
    is one short line that names the local fallback, never a traceback.
    """

    def __init__(self, export: Callable[[], Awaitable[ExportResult]], loop: asyncio.AbstractEventLoop) -> None:
        self._export = export
        self._loop = loop
        self.button = widgets.Button(description="Export session to the Hub", icon="cloud-upload")
        self.button.layout = widgets.Layout(width="auto", flex="none")
        self.status = widgets.HTML("", layout=widgets.Layout(flex="1 1 auto"))
        self.button.on_click(lambda _: self._loop.call_soon_threadsafe(self._start))
        self.box = _ExportBox([self.button, self.status])
        self.task: asyncio.Task[None] | None = None

    def _start(self) -> None:
        if self.task is None or self.task.done():
            self.task = self._loop.create_task(self._run())

    def _failed(self, reason: str) -> None:
        colour = STATE_COLOURS["error"]
        self.status.value = f"<span style='color:{colour}'>{html.escape(reason)} {html.escape(FALLBACK)}</span>"

    async def _run(self) -> None:
        self.button.disabled = True
        self.status.value = "exporting…"
        try:
            result = await self._export()
        except HubExportError as exc:
            self._failed(str(exc).splitlines()[0] if str(exc) else "The export failed.")
        except Exception as exc:  # never let a click crash the kernel loop
            self._failed(f"The export failed ({type(exc).__name__}).")
        else:
            state = "updated" if result.changed else "already up to date"
            visibility = "private" if result.private else "public"
            url = html.escape(result.url)
            self.status.value = f"{state}: <a href='{url}' target='_blank'>{url}</a> ({visibility})"
        finally:
            self.button.disabled = False

"""The footer button that exports the session to the Hub with one click."""

from __future__ import annotations

import asyncio
import html
from collections.abc import Awaitable, Callable

import ipywidgets as widgets

from ..traces.hub_export import ExportResult, HubExportError


class _ExportBox(widgets.HBox):
    def __repr__(self) -> str:  # plain-text form in exported notebooks
        return "[Export session to the Hub]"


class ExportButton:
    """A button + status line; the click schedules the export on the kernel's loop."""

    def __init__(self, export: Callable[[], Awaitable[ExportResult]], loop: asyncio.AbstractEventLoop) -> None:
        self._export = export
        self._loop = loop
        self.button = widgets.Button(description="Export session to the Hub", icon="cloud-upload")
        self.button.layout = widgets.Layout(width="auto")
        self.status = widgets.HTML("")
        self.button.on_click(lambda _: self._loop.call_soon_threadsafe(self._start))
        self.box = _ExportBox([self.button, self.status])
        self.task: asyncio.Task[None] | None = None

    def _start(self) -> None:
        if self.task is None or self.task.done():
            self.task = self._loop.create_task(self._run())

    async def _run(self) -> None:
        self.button.disabled = True
        self.status.value = "exporting…"
        try:
            result = await self._export()
        except HubExportError as exc:
            self.status.value = f"<span style='color:#dc322f'>{html.escape(str(exc))}</span>"
        except Exception as exc:  # never let a click crash the kernel loop
            self.status.value = f"<span style='color:#dc322f'>export failed: {html.escape(repr(exc))}</span>"
        else:
            state = "updated" if result.changed else "already up to date"
            visibility = "private" if result.private else "public"
            url = html.escape(result.url)
            self.status.value = f"{state}: <a href='{url}' target='_blank'>{url}</a> ({visibility})"
        finally:
            self.button.disabled = False

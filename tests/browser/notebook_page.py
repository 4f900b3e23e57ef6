"""Driving a notebook in JupyterLab the way a person does: clicks, Shift+Enter, typing key by key."""

from __future__ import annotations

import re
import time
from pathlib import Path

import nbformat
from playwright.sync_api import Locator, Page, expect

from .lab import ARTIFACTS, Lab

CELLS = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell"
KEY_DELAY_MS = 50
"""Milliseconds between keystrokes: people type, they never paste into widgets in these tests."""


class NotebookPage:
    """One open notebook."""

    def __init__(self, page: Page, lab: Lab) -> None:
        self.page, self.lab = page, lab

    def open(self, name: str) -> NotebookPage:
        cells = len(nbformat.read(self.lab.root / name, as_version=4).cells)
        self.page.goto(self.lab.notebook_url(name))
        expect(self.page.locator(CELLS)).to_have_count(cells, timeout=90_000)
        self.name = name
        self.wait_kernel_idle()
        return self

    def code_cells(self) -> list[int]:
        """Indexes of the code cells."""
        cells = self.page.locator(CELLS)
        return [i for i in range(cells.count()) if "jp-CodeCell" in (cells.nth(i).get_attribute("class") or "")]

    def wait_kernel_idle(self, timeout: float = 90) -> None:
        """Wait until the kernel is connected and idle.

        The execution indicator says ``idle`` while there is no kernel yet ("No Kernel |
        Initializing"), and JupyterLab silently drops a Shift+Enter made then, so wait for the
        status bar's kernel item instead.
        """
        if self.lab.app == "notebook":  # Notebook 7 has no status bar: its toolbar says when it connected
            deadline = time.monotonic() + timeout
            while not self.lab.kernel_connected(self.name):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no kernel connected to {self.name}")
                time.sleep(0.2)
            starting = re.compile("Initializing|Connecting|Starting")
            busy = self.page.locator(".jp-NotebookKernelStatus", has_text=starting)
            expect(busy).to_have_count(0, timeout=timeout * 1000)
            return
        status = self.page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\(ipykernel\) \| Idle$"))
        expect(status.first).to_be_visible(timeout=timeout * 1000)

    def cell(self, index: int) -> Locator:
        return self.page.locator(CELLS).nth(index)

    def prompt(self, index: int) -> str:
        return self.cell(index).locator(".jp-InputArea-prompt").inner_text().strip()

    def run(self, index: int) -> None:
        """Click into cell ``index`` and press Shift+Enter, as a person does."""
        cell = self.cell(index)
        cell.scroll_into_view_if_needed()
        cell.locator(".jp-InputArea-editor .cm-content").click()
        expect(cell).to_have_class(re.compile(r"\bjp-mod-active\b"))
        expect(cell.locator(".cm-editor.cm-focused")).to_be_attached()  # the keys go to this cell's editor
        self.page.keyboard.press("Shift+Enter")
        expect(cell.locator(".jp-InputArea-prompt")).not_to_have_text("[ ]:", timeout=10_000)

    def wait_done(self, index: int, timeout: float = 90) -> str:
        """Wait until cell ``index`` finished (its prompt shows a number); its output text.

        Markdown outputs render asynchronously after the prompt changes, so the text is read
        once it stopped changing.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if re.fullmatch(r"\[\d+\]:", self.prompt(index)):
                return self._settled_output(index, deadline)
            time.sleep(0.2)
        raise TimeoutError(f"cell {index} still runs: {self.prompt(index)}\n{self.output(index)[-2000:]}")

    def run_and_wait(self, index: int, timeout: float = 90) -> str:
        self.run(index)
        return self.wait_done(index, timeout)

    def _settled_output(self, index: int, deadline: float) -> str:
        seen = None
        while time.monotonic() < deadline:
            text = self.output(index)
            if text == seen:
                return text
            seen = text
            time.sleep(0.3)
        return seen or ""

    def output(self, index: int) -> str:
        return self.cell(index).locator(".jp-OutputArea").inner_text()

    def wait_output(self, index: int, text: str, timeout: float = 90) -> Locator:
        area = self.cell(index).locator(".jp-OutputArea")
        expect(area).to_contain_text(text, timeout=timeout * 1000)
        return area

    def type_into(self, control: Locator, text: str, replace: bool = True) -> None:
        """Click a text box and type ``text`` into it key by key (after selecting what was there)."""
        control.click()
        if replace:
            self.page.keyboard.press("Control+a")
        self.page.keyboard.type(text, delay=KEY_DELAY_MS)

    def save(self, name: str) -> Path:
        """Press Ctrl+S as a person does and wait until the file on disk has this session's outputs."""
        path = self.lab.root / name
        before = path.stat().st_mtime_ns
        self.page.keyboard.press("Control+s")
        deadline = time.monotonic() + 30
        while path.stat().st_mtime_ns == before:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name} was not saved")
            time.sleep(0.2)
        return path

    def screenshot(self, name: str, target: Locator | None = None) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        (target or self.page).screenshot(path=str(path))
        return path

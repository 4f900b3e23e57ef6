"""Driving the ML Intern sidebar (the labextension) in JupyterLab the way a person does."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from .lab import ARTIFACTS
from .notebook_page import KEY_DELAY_MS

REPO = Path(__file__).resolve().parents[2]
BUILT = REPO / "ml_intern_jupyter" / "labextension"
"""The prebuilt extension (``cd labextension && npm ci && npm run build:prod`` writes it)."""
PANEL = "#ml-intern-chat"
OPEN_LABEL = "Open ML Intern chat"
FOCUSED_JS = "() => { const e = document.activeElement; return e ? e.tagName + '.' + e.className : ''; }"


def labextension_path(base: Path) -> Path:
    """A ``JUPYTER_PATH`` folder whose ``labextensions/ml-intern-jupyter`` is the built extension.

    Skips (fails on CI) when the extension was not built.
    """
    if not (BUILT / "package.json").is_file():
        message = f"the labextension is not built ({BUILT}): cd labextension && npm ci && npm run build:prod"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    folder = base / "labextensions"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ml-intern-jupyter").symlink_to(BUILT, target_is_directory=True)
    return base


class SidebarPage:
    """The chat panel of one browser tab."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.panel = page.locator(PANEL)

    def open_from_palette(self) -> SidebarPage:
        """Ctrl+Shift+C, type the command's label key by key, Enter.

        On a fresh page JupyterLab moves the focus to the restored notebook late, which would
        close the palette and take the keys as notebook shortcuts: wait until the focus settled,
        then click the notebook's tab as a person would before pressing the keys.
        """
        self.wait_focus_settled()
        self.page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current").first.click()
        self.page.keyboard.press("Control+Shift+c")
        palette = self.page.locator(".lm-CommandPalette-input")
        expect(palette).to_be_focused()
        self.page.keyboard.type(OPEN_LABEL, delay=KEY_DELAY_MS)
        expect(palette).to_have_value(OPEN_LABEL)
        expect(self.page.locator(".lm-CommandPalette-item.lm-mod-active")).to_contain_text(OPEN_LABEL)
        self.page.keyboard.press("Enter")
        expect(self.panel).to_be_visible()
        return self

    def wait_focus_settled(self, quiet: float = 0.8, timeout: float = 15) -> None:
        """Wait until the focused element stayed the same for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        seen, since = None, time.monotonic()
        while time.monotonic() < deadline:
            now = self.page.evaluate(FOCUSED_JS)
            if now != seen:
                seen, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return
            time.sleep(0.1)

    def wait_attached(self, timeout: float = 30) -> None:
        """The panel is attached to the kernel's session: no banner, the model picker is live."""
        expect(self.panel.locator(".mi-chat-banner")).to_be_hidden(timeout=timeout * 1000)
        expect(self.model_box).to_be_enabled(timeout=timeout * 1000)

    @property
    def message_box(self) -> Locator:
        return self.panel.locator("textarea.mi-chat-input")

    @property
    def model_box(self) -> Locator:
        return self.panel.locator("input.mi-chat-model-input")

    @property
    def banner(self) -> Locator:
        return self.panel.locator(".mi-chat-banner")

    def button(self, name: str) -> Locator:
        return self.panel.get_by_role("button", name=name, exact=True)

    def send(self, text: str) -> None:
        """Type the message key by key and press Enter."""
        self.message_box.click()
        self.page.keyboard.type(text, delay=KEY_DELAY_MS)
        self.page.keyboard.press("Enter")
        expect(self.message_box).to_have_value("")

    def type_into(self, control: Locator, text: str) -> None:
        """Click a box, select what is there and type ``text`` key by key."""
        control.click()
        self.page.keyboard.press("Control+a")
        self.page.keyboard.type(text, delay=KEY_DELAY_MS)

    def assistant(self) -> Locator:
        return self.panel.locator(".mi-chat-assistant")

    def user_messages(self) -> Locator:
        return self.panel.locator(".mi-chat-user")

    def tool(self, name: str) -> Locator:
        return self.panel.locator(".mi-chat-tool", has=self.page.locator(".mi-chat-tool-head b", has_text=name))

    def pending_approval(self) -> Locator:
        return self.panel.locator(".mi-chat-approval-pending")

    def settled_approval(self) -> Locator:
        return self.panel.locator(".mi-chat-approval-line")

    def notices(self) -> Locator:
        return self.panel.locator(".mi-chat-notice")

    def open_card(self, name: str) -> Locator:
        """Unfold tool card ``name`` (the last one) if it is folded; the card."""
        card = self.tool(name).last
        if "mi-chat-folded" in (card.get_attribute("class") or ""):
            card.locator(".mi-chat-tool-head").click()
        return card

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.panel.screenshot(path=str(path))
        return path

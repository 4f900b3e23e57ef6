"""Fixtures of the browser tests: a jupyter lab server per module, one Chromium per session."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator

import pytest

from ..conftest import need_local_extra
from .lab import CHROMIUM, CHROMIUM_ARGS, Lab
from .notebook_page import NotebookPage


def _require_browser_stack() -> None:
    need_local_extra("playwright", "jupyterlab", extra="test")
    if shutil.which(CHROMIUM) is None:
        import os

        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/test installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed (apt install chromium)")


@pytest.fixture(scope="package")
def browser() -> Iterator:
    """One Chromium for the browser tests, closed after the last of them: Playwright's sync API
    keeps an event loop running in the main thread, which later asyncio.run() calls refuse."""
    _require_browser_stack()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory, browser) -> Iterator[Lab]:
    server = Lab(tmp_path_factory.mktemp("lab"))
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def page(browser, lab) -> Iterator:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def notebook(page, lab) -> NotebookPage:
    return NotebookPage(page, lab)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure, keep a screenshot of the page next to the other artifacts."""
    outcome = yield
    report = outcome.get_result()
    page = item.funcargs.get("page") if report.when == "call" and report.failed else None
    if page is not None:
        from .lab import ARTIFACTS

        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(Exception):  # the page may be gone already
            page.screenshot(path=str(ARTIFACTS / f"failed-{item.name}.png"))

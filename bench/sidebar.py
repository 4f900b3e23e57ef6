"""The sidebar chat as the page sees it: Send -> first streamed token, and websocket traffic.

A real ``jupyter lab`` with the prebuilt extension and Debian's Chromium (the browser tests'
set-up), the scripted model. Two measurements, in one run:

1. Send -> first token: the message is typed into the panel and Enter pressed; the page
   timestamps the Enter keydown and the first text of the new reply (a MutationObserver on
   the panel). Ten messages, after one warm-up; median and spread.
2. Websocket frames per 1,000 streamed tokens: a 1,000-piece reply streamed at full speed,
   at 100 and at 30 tokens/s (the scripted model's ``chunk_delay``); every frame the kernel's
   websocket delivers to the page during the turn is counted, and those carrying our comm.

    python bench/sidebar.py          # writes bench/results/sidebar.json
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import expect, sync_playwright

from tests.browser.lab import CHROMIUM, CHROMIUM_ARGS, Lab
from tests.browser.notebook_page import NotebookPage
from tests.browser.sidebar_page import SidebarPage, labextension_path

RUNS = 10
TOKENS = 1000
PACES = {"full speed": 0.0, "100 tokens/s": 0.01, "30 tokens/s": 1 / 30}
RESULTS = Path(__file__).resolve().parent / "results" / "sidebar.json"

WATCH_JS = """() => {
  const panel = document.querySelector('#ml-intern-chat');
  const box = panel.querySelector('textarea.mi-chat-input');
  const before = panel.querySelectorAll('.mi-chat-assistant').length;
  const probe = { sent: null, first: null };
  window.__miProbe = probe;
  box.addEventListener('keydown', e => {
    if (e.key === 'Enter' && !e.shiftKey && probe.sent === null) probe.sent = performance.now();
  }, { capture: true });
  const observer = new MutationObserver(() => {
    const replies = panel.querySelectorAll('.mi-chat-assistant');
    if (replies.length > before && replies[replies.length - 1].textContent.trim()) {
      probe.first = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(panel, { subtree: true, childList: true, characterData: true });
}"""


class FrameCounter:
    """Frames the kernel websockets deliver to the page, while ``counting`` is on."""

    def __init__(self) -> None:
        self.counting = False
        self.frames = 0
        self.comm_frames = 0

    def attach(self, socket) -> None:
        if "/channels" in socket.url:
            socket.on("framereceived", self._received)

    def _received(self, payload) -> None:
        if not self.counting:
            return
        self.frames += 1
        raw = payload if isinstance(payload, bytes) else str(payload).encode()
        self.comm_frames += b'"comm_msg"' in raw

    def start(self) -> None:
        self.frames = self.comm_frames = 0
        self.counting = True


def words(n: int, tag: str) -> str:
    return "".join(f"{tag}{i} " for i in range(n)).strip()


def script(lab: Lab) -> str:
    turns = [{"text": "Warm-up reply."}]
    turns += [{"text": f"Reply {i}: " + words(40, "w")} for i in range(RUNS)]
    turns += [{"text": words(TOKENS, "t"), "chunk_delay": pace} for pace in PACES.values()]
    return lab.write_script("bench.json", turns)


def send(page, sidebar: SidebarPage, text: str, replies_before: int) -> float:
    """Type ``text``, press Enter, wait for the reply to finish; ms from Enter to its first text."""
    page.evaluate(WATCH_JS)
    sidebar.send(text)
    expect(sidebar.assistant()).to_have_count(replies_before + 1, timeout=120_000)
    expect(sidebar.panel.locator(".mi-chat-footer")).to_contain_text("idle", timeout=120_000)
    probe = page.evaluate("() => window.__miProbe")
    return probe["first"] - probe["sent"]


def main() -> dict:
    base = Path(tempfile.mkdtemp(prefix="bench-sidebar-"))
    lab = Lab(base / "lab", env={"JUPYTER_PATH": str(labextension_path(base / "jupyter-path"))})
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            counter = FrameCounter()
            page.on("websocket", counter.attach)
            model = script(lab)
            lab.write_notebook("bench.ipynb", ["%load_ext ml_intern_jupyter", f"%intern model {model}"])
            notebook = NotebookPage(page, lab).open("bench.ipynb")
            notebook.run_and_wait(0)
            notebook.run_and_wait(1)
            sidebar = SidebarPage(page).open_from_palette()
            sidebar.wait_attached()
            send(page, sidebar, "warm up", 0)
            latencies = [send(page, sidebar, f"message {i}", i + 1) for i in range(RUNS)]
            streams = {}
            for n, (name, pace) in enumerate(PACES.items()):
                counter.start()
                started = time.monotonic()
                send(page, sidebar, f"stream {name}", RUNS + 1 + n)
                seconds = time.monotonic() - started
                counter.counting = False
                renders = sidebar.assistant().last.locator(".mi-chat-markdown").get_attribute("data-renders")
                shown = sidebar.assistant().last.inner_text()
                assert f"t{TOKENS - 1}" in shown, "the whole reply must arrive"
                streams[name] = {
                    "chunk_delay_s": round(pace, 4),
                    "turn_s": round(seconds, 2),
                    "frames_per_1000_tokens": round(counter.frames * 1000 / TOKENS, 1),
                    "comm_frames_per_1000_tokens": round(counter.comm_frames * 1000 / TOKENS, 1),
                    "markdown_renders": int(renders or 0),
                }
            browser.close()
    finally:
        lab.close()
    result = {
        "send_to_first_token_ms": {
            "runs": RUNS,
            "median": round(statistics.median(latencies), 1),
            "min": round(min(latencies), 1),
            "max": round(max(latencies), 1),
            "all": [round(x, 1) for x in latencies],
        },
        "websocket_per_1000_tokens": streams,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))

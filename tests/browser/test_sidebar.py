"""The ML Intern sidebar (labextension) in a real JupyterLab in Chromium, used as a person uses it.

The lab server loads the prebuilt extension from ``ml_intern_jupyter/labextension`` through a
``JUPYTER_PATH`` folder of this module's own, so nothing is installed into the environment.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from .lab import ARTIFACTS, TOKEN, Lab
from .notebook_page import NotebookPage
from .sidebar_page import PANEL, SidebarPage, labextension_path
from .test_in_cell_front import AGENT, lowest_contrast, python_turn

LOAD = "%load_ext ml_intern_jupyter"
ROUND_TRIP_MS = 20_000
"""How long an expectation waits for the kernel: browser tests share two cores with everything else."""


@pytest.fixture(autouse=True, scope="module")
def _patient_expectations() -> Iterator[None]:
    expect.set_options(timeout=ROUND_TRIP_MS)
    try:
        yield
    finally:
        expect.set_options(timeout=5_000)  # Playwright's default, for the other modules


@pytest.fixture(scope="module")
def lab(tmp_path_factory, browser) -> Iterator[Lab]:
    jupyter_path = labextension_path(tmp_path_factory.mktemp("jupyter-path"))
    server = Lab(tmp_path_factory.mktemp("lab"), env={"JUPYTER_PATH": str(jupyter_path)})
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def sidebar(page) -> Iterator[SidebarPage]:
    """The panel of this test's tab; afterwards, the extension must have logged no warning or error
    (a message from the kernel that the panel could not read is logged as a warning)."""
    logged: list[str] = []
    page.on("console", lambda m: logged.append(f"{m.type}: {m.text}") if m.type in ("warning", "error") else None)
    yield SidebarPage(page)
    ours = [line for line in logged if "ml-intern" in line]
    assert not ours, ours


def start(notebook: NotebookPage, sidebar: SidebarPage, lab: Lab, name: str, turns: list[dict], extra=()) -> str:
    """A notebook that loads the extension and picks the scripted model in its cells; the panel open."""
    model = lab.write_script(f"{name}.json", turns)
    lab.write_notebook(f"{name}.ipynb", [LOAD, f"%intern model {model}", *extra])
    notebook.open(f"{name}.ipynb")
    notebook.run_and_wait(0)
    assert "Model set" in notebook.run_and_wait(1)
    sidebar.open_from_palette()
    sidebar.wait_attached()
    expect(sidebar.model_box).to_have_value(model)  # the model set in the cell is the panel's
    return model


def test_the_palette_opens_the_panel_and_a_reply_streams_in_as_markdown(notebook, sidebar, lab):
    reply = "Hello from the **panel**. Euler: $e^{i\\pi} + 1 = 0$.\n\n```python\nprint('hi')\n```"
    start(notebook, sidebar, lab, "stream", [{"text": reply}])
    expect(sidebar.panel).to_have_attribute("id", "ml-intern-chat")
    sidebar.send("Say hello, please.")
    expect(sidebar.user_messages()).to_have_text(["Say hello, please."])
    answer = sidebar.assistant().last
    expect(answer).to_contain_text("Hello from the panel.")
    expect(answer.locator("strong")).to_have_text("panel")  # rendered Markdown, not raw
    expect(answer.locator("mjx-container").first).to_be_attached()  # math typeset by MathJax
    code = answer.locator("pre")
    expect(code).to_contain_text("print('hi')")
    assert code.locator("span").count() >= 2, "the code block is not highlighted"
    expect(sidebar.panel.locator(".mi-chat-footer")).to_contain_text(re.compile(r"idle · [\d,]+ in / [\d,]+ out"))
    renders = int(answer.locator(".mi-chat-markdown").get_attribute("data-renders") or "0")
    assert 1 <= renders <= 3, renders  # streamed chunks are coalesced, not one render each
    sidebar.button("New session").click()
    expect(sidebar.assistant()).to_have_count(0)  # a fresh conversation
    expect(sidebar.user_messages()).to_have_count(0)
    expect(sidebar.model_box).to_have_value(re.compile(r"scripted/stream\.json"))


def test_an_approval_in_the_panel_runs_the_code_in_the_kernel(notebook, sidebar, lab):
    turns = [python_turn("answer_panel = 6 * 7\nprint('answer', answer_panel)", "Setting it."), {"text": "Set."}]
    start(notebook, sidebar, lab, "approve", turns, ["print(answer_panel)"])
    sidebar.send("set answer_panel")
    card = sidebar.pending_approval()
    expect(card).to_be_visible(timeout=30_000)
    expect(card.locator("textarea")).to_have_value("answer_panel = 6 * 7\nprint('answer', answer_panel)")
    expect(card.get_by_placeholder(re.compile("feedback"))).to_be_visible()
    for label in ("Approve", "Reject", "Approve all"):
        expect(card.get_by_role("button", name=re.compile(f"^{label}")).first).to_be_visible()
    sidebar.screenshot("sidebar-approval-light")
    width = sidebar.panel.evaluate("n => [n.getBoundingClientRect().width, n.scrollWidth, n.clientWidth]")
    assert width[0] <= 330 and width[1] <= width[2], width  # a narrow sidebar, and nothing sticks out of it
    card.get_by_role("button", name="Approve", exact=True).click()
    expect(sidebar.settled_approval()).to_contain_text("python approved")
    expect(sidebar.assistant().last).to_have_text("Set.", timeout=30_000)
    tool = sidebar.open_card("python")
    expect(tool.locator(".mi-chat-tool-head")).to_contain_text("done")
    expect(tool).to_contain_text("answer 42")
    assert notebook.run_and_wait(2).strip() == "42"


def test_code_edited_key_by_key_in_the_panel_runs_exactly_as_typed(notebook, sidebar, lab):
    turns = [python_turn("x_side = 1\nprint('x_side is', x_side)"), {"text": "ok"}]
    start(notebook, sidebar, lab, "edit", turns, ["print(repr(x_side))"])
    sidebar.send("set x_side")
    editor = sidebar.pending_approval().locator("textarea.mi-chat-editor")
    expect(editor).to_be_visible(timeout=30_000)
    typed = "x_side = 5\nx_side *= 7\nprint('x_side is', x_side)"
    sidebar.type_into(editor, typed)
    assert editor.input_value() == typed
    sidebar.button("Approve").click()
    line = sidebar.settled_approval()
    expect(line).to_contain_text("approved (edited)")
    expect(sidebar.assistant().last).to_have_text("ok")
    sidebar.open_card("python")  # a call that ended well is folded to its head
    line.get_by_text("show the edit").click()
    diff = line.locator("pre").inner_text()
    assert "+x_side *= 7" in diff and "-x_side = 1" in diff, diff
    assert notebook.run_and_wait(2).strip() == "35"


def test_a_rejection_carries_the_feedback_typed_key_by_key(notebook, sidebar, lab):
    turns = [python_turn("import shutil\nshutil.rmtree('/tmp/not-there')"), {"text": "Understood, nothing deleted."}]
    history = f"print({AGENT}.session().history.messages()[-2]['content'])"
    start(notebook, sidebar, lab, "reject", turns, [history])
    sidebar.send("clean up")
    feedback = sidebar.pending_approval().get_by_placeholder(re.compile("feedback"))
    expect(feedback).to_be_visible(timeout=30_000)
    words = "Do not delete anything; list the files first."
    sidebar.type_into(feedback, words)
    sidebar.button("Reject").click()
    expect(sidebar.settled_approval()).to_contain_text(f"rejected: ‘{words}’")
    expect(sidebar.assistant().last).to_have_text("Understood, nothing deleted.", timeout=30_000)
    assert f"User feedback: {words}" in notebook.run_and_wait(2)


def test_stop_ends_a_long_call_within_two_seconds(notebook, sidebar, lab):
    loop = "import time\nfor step in range(600):\n    print(f'step {step}', flush=True)\n    time.sleep(0.2)"
    turns = [python_turn(loop, "Training now."), {"text": "after the stop"}]
    start(notebook, sidebar, lab, "stop", turns, ["%intern yolo on"])
    assert "yolo on" in notebook.run_and_wait(2)
    sidebar.send("train")
    tool = sidebar.tool("python").last
    expect(tool.locator(".mi-chat-log")).to_contain_text("step 2", timeout=30_000)
    expect(sidebar.button("Stop")).to_be_enabled()
    sidebar.screenshot("sidebar-mid-stream")
    began = time.monotonic()
    sidebar.button("Stop").click()
    expect(sidebar.notices().last).to_contain_text("Interrupted", timeout=10_000)
    took = time.monotonic() - began
    assert took < 2.0, took
    expect(tool.locator(".mi-chat-tool-head")).to_contain_text(re.compile("cancelled|failed"))
    expect(sidebar.button("Stop")).to_be_disabled()
    log = tool.locator(".mi-chat-log").inner_text()
    steps = int(re.findall(r"step (\d+)", log)[-1])
    time.sleep(1)
    assert tool.locator(".mi-chat-log").inner_text().count("step ") <= steps + 2  # the loop really stopped
    sidebar.send("go on")
    expect(sidebar.assistant().last).to_have_text("after the stop", timeout=30_000)


def test_the_agent_reads_edits_and_runs_the_notebook_through_the_panel(notebook, sidebar, lab):
    code = "agent_cell = 'written by the agent'\nprint(agent_cell)"
    turns = [
        {"tool_calls": [{"name": "notebook_read", "arguments": {}}]},
        {"tool_calls": [{"name": "notebook_edit", "arguments": {"operation": "insert", "index": 2, "source": code}}]},
        {"tool_calls": [{"name": "notebook_run", "arguments": {"index": 2}}]},
        {"text": "The notebook has the new cell."},
    ]
    start(notebook, sidebar, lab, "tools", turns)
    sidebar.send("add a cell and run it")
    card = sidebar.pending_approval()
    expect(card).to_contain_text("changes your notebook")
    expect(card.locator("pre").first).to_contain_text("+agent_cell = 'written by the agent'")  # the diff
    read = sidebar.open_card("notebook_read")
    expect(read.locator(".mi-chat-result")).to_contain_text("%load_ext ml_intern_jupyter")  # the live notebook
    sidebar.screenshot("sidebar-notebook-edit")
    sidebar.button("Approve").click()
    expect(notebook.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell")).to_have_count(3)
    expect(notebook.cell(2).locator(".cm-content")).to_have_text(re.compile("agent_cell = 'written by the agent'"))
    expect(sidebar.pending_approval()).to_contain_text("runs a cell of your notebook")
    sidebar.button("Approve").click()
    notebook.wait_output(2, "written by the agent")
    assert re.fullmatch(r"\[\d+\]:", notebook.prompt(2)), notebook.prompt(2)
    expect(sidebar.assistant().last).to_have_text("The notebook has the new cell.")
    run = sidebar.open_card("notebook_run")
    expect(run.locator(".mi-chat-result")).to_contain_text("written by the agent")


def test_a_reload_mid_turn_reattaches_with_the_pending_approval(notebook, sidebar, lab, page):
    turns = [python_turn("reloaded = 'yes'\nprint('reloaded', reloaded)"), {"text": "Done after the reload."}]
    start(notebook, sidebar, lab, "reload", turns, ["print(reloaded)"])
    sidebar.send("go")
    expect(sidebar.pending_approval()).to_be_visible(timeout=30_000)
    page.goto(f"{lab.url}/lab/tree/reload.ipynb?token={TOKEN}")  # a fresh page on the same notebook
    expect(page.locator(".jp-Notebook .jp-Cell")).to_have_count(3, timeout=90_000)
    notebook.wait_kernel_idle()
    again = SidebarPage(page)
    if not again.panel.is_visible():  # the layout restorer usually reopens it
        again.open_from_palette()
    again.wait_attached()
    expect(again.user_messages()).to_have_text(["go"])  # the turn's conversation is redrawn
    card = again.pending_approval()
    expect(card.locator("textarea")).to_have_value("reloaded = 'yes'\nprint('reloaded', reloaded)")
    again.button("Approve").click()
    expect(again.assistant().last).to_have_text("Done after the reload.", timeout=30_000)
    assert notebook.run_and_wait(2).strip() == "yes"


def test_an_approval_in_the_cell_settles_the_panel_card_too(notebook, sidebar, lab):
    model = lab.write_script("mirror.json", [python_turn("mirrored = 1"), {"text": "mirrored ok"}])
    lab.write_notebook("mirror.ipynb", [LOAD, f"%%intern --model {model}\nset mirrored"])
    notebook.open("mirror.ipynb")
    notebook.run_and_wait(0)
    sidebar.open_from_palette()
    sidebar.wait_attached()
    notebook.run(1)
    expect(sidebar.pending_approval()).to_be_visible(timeout=30_000)  # mirrored from the cell's turn
    notebook.cell(1).get_by_role("button", name="Approve", exact=True).click()
    expect(sidebar.settled_approval()).to_contain_text("python approved")
    expect(sidebar.pending_approval()).to_have_count(0)
    assert "mirrored ok" in notebook.wait_done(1)
    expect(sidebar.assistant().last).to_have_text("mirrored ok")


def test_the_panel_follows_the_active_notebook_and_loads_the_extension(notebook, sidebar, lab, page):
    start(notebook, sidebar, lab, "first", [{"text": "reply in first"}])
    sidebar.send("hello first")
    expect(sidebar.assistant().last).to_have_text("reply in first", timeout=30_000)
    second = lab.write_script("second.json", [{"text": "reply in second"}])
    lab.write_notebook("second.ipynb", ["print('no extension yet')"])
    page.locator(".jp-DirListing-item", has_text="second.ipynb").dblclick()
    expect(page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell")).to_have_count(1, timeout=60_000)
    notebook.wait_kernel_idle()
    expect(sidebar.panel.locator(".mi-chat-notebook")).to_have_text("second.ipynb")
    expect(sidebar.banner).to_contain_text("not loaded in this kernel", timeout=30_000)
    expect(sidebar.assistant()).to_have_count(0)  # not the first notebook's conversation
    sidebar.button("Load ML Intern in this kernel").click()
    sidebar.wait_attached()
    sidebar.type_into(sidebar.model_box, second)
    page.keyboard.press("Enter")
    expect(sidebar.model_box).to_have_value(second)
    expect(sidebar.model_box).not_to_be_focused()
    sidebar.send("hello second")
    expect(sidebar.assistant().last).to_have_text("reply in second", timeout=30_000)
    page.locator(".jp-mod-current .lm-TabBar-tab, .lm-DockPanel-tabBar .lm-TabBar-tab", has_text="first.ipynb").click()
    expect(sidebar.panel.locator(".mi-chat-notebook")).to_have_text("first.ipynb")
    expect(sidebar.assistant()).to_have_text(["reply in first"])
    expect(sidebar.user_messages()).to_have_text(["hello first"])


def test_a_kernel_restart_resets_the_panel(notebook, sidebar, lab, page):
    start(notebook, sidebar, lab, "restart", [{"text": "before the restart"}])
    sidebar.send("hi")
    expect(sidebar.assistant().last).to_have_text("before the restart", timeout=30_000)
    page.get_by_title("Restart the kernel").first.click()
    page.locator(".jp-Dialog-button.jp-mod-accept").click()
    expect(sidebar.banner).to_contain_text("The kernel restarted", timeout=30_000)
    expect(sidebar.assistant()).to_have_count(0)
    expect(sidebar.button("Load ML Intern in this kernel")).to_be_visible()


def test_the_dark_theme_is_readable_and_captured(notebook, sidebar, lab):
    lab.set_theme("JupyterLab Dark")
    try:
        turns = [
            python_turn("import math\narea = math.pi * 2.5 ** 2\nprint(f'area {area:.2f}')", "Computing the **area**."),
            {"text": "The area is `19.63`."},
        ]
        start(notebook, sidebar, lab, "dark", turns)
        sidebar.send("area of a circle of radius 2.5")
        expect(sidebar.pending_approval()).to_be_visible(timeout=30_000)
        assert notebook.page.evaluate("document.body.dataset.jpThemeLight") == "false"
        sidebar.screenshot("sidebar-approval-dark")
        low = lowest_contrast(
            notebook,
            f"{PANEL} .mi-chat-approval-head, {PANEL} .mi-chat-editor, {PANEL} .mi-chat-button, "
            f"{PANEL} .mi-chat-user, {PANEL} .mi-chat-assistant p, {PANEL} .mi-chat-label",
        )
        assert low >= 4.5, low
        sidebar.button("Approve").click()
        expect(sidebar.assistant().last).to_contain_text("The area is 19.63", timeout=30_000)
        sidebar.open_card("python")
        sidebar.screenshot("sidebar-done-dark")
        low = lowest_contrast(notebook, f"{PANEL} .mi-chat-tool-head, {PANEL} .mi-chat-log pre, {PANEL} code")
        assert low >= 4.5, low
    finally:
        lab.set_theme("JupyterLab Light")
    assert (ARTIFACTS / "sidebar-approval-dark.png").stat().st_size > 0

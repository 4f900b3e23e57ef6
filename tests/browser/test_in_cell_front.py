"""The %%intern front in a real JupyterLab in Chromium, used the way a person uses it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from playwright.sync_api import expect

from .lab import ARTIFACTS
from .notebook_page import NotebookPage

REPO = Path(__file__).resolve().parents[2]
AGENT = "get_ipython().magics_manager.registry['InternMagics'].agent"


def python_turn(code: str, text: str = "") -> dict:
    return {"text": text, "tool_calls": [{"name": "python", "arguments": {"code": code}}]}


def test_the_quickstart_notebook_runs_top_to_bottom(notebook: NotebookPage, lab):
    shutil.copy(REPO / "notebooks" / "quickstart.ipynb", lab.root / "quickstart.ipynb")
    shutil.copytree(REPO / "notebooks" / "scripts", lab.root / "scripts", dirs_exist_ok=True)
    notebook.open("quickstart.ipynb")
    load, data, ask, check, status = notebook.code_cells()
    notebook.run_and_wait(load)
    assert "score" in notebook.run_and_wait(data)
    notebook.run(ask)
    approve = notebook.cell(ask).get_by_role("button", name="Approve", exact=True)
    expect(approve).to_be_visible(timeout=60_000)
    editor = notebook.cell(ask).locator(".mi-approval textarea.mi-editor")
    expect(editor).to_have_value(re.compile(r"^summary = df\.groupby"))  # the code to approve is on the card
    approve.click()
    out = notebook.wait_done(ask)
    assert "neg 0.25" in out and "approved" in out and "{'neg': 0.25, 'pos': 0.85}" in out
    assert "{'neg': 0.25, 'pos': 0.85}" in notebook.run_and_wait(check)
    assert "scripted/scripts/quickstart.json" in notebook.run_and_wait(status)


def test_a_saved_session_notebook_exports_as_a_clean_transcript(notebook: NotebookPage, lab):
    model = lab.write_script("export.json", [python_turn("total = 40 + 2\nprint('total', total)"), {"text": "Done."}])
    lab.write_notebook("export.ipynb", ["%load_ext ml_intern_jupyter", f"%%intern --model {model}\nadd"])
    notebook.open("export.ipynb")
    notebook.run_and_wait(0)
    notebook.run(1)
    approve = notebook.cell(1).get_by_role("button", name="Approve", exact=True)
    expect(approve).to_be_visible(timeout=60_000)
    approve.click()
    assert "total 42" in notebook.wait_done(1)
    saved = notebook.save("export.ipynb")
    outputs = nbformat.read(saved, as_version=4).cells[1].outputs
    plain = [o.get("data", {}).get("text/plain", o.get("text", "")) for o in outputs]
    assert all(text.strip() for text in plain), plain  # no blank placeholders
    markdown = subprocess.run(
        [sys.executable, "-m", "nbconvert", "--to", "markdown", "--stdout", str(saved)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    transcript = markdown.split("%%intern", 1)[1]
    assert "approved" in transcript and "total 42" in transcript and "Done." in transcript
    assert "approval requested" not in transcript and "application/vnd.jupyter" not in transcript
    assert "\n" * 5 not in transcript  # nbconvert puts 3 newlines between outputs; an empty output makes 6


def test_code_edited_in_the_approval_card_key_by_key_runs_exactly_as_typed(notebook: NotebookPage, lab):
    model = lab.write_script("edit.json", [python_turn("x_edit = 12\nprint('x_edit is', x_edit)"), {"text": "ok"}])
    lab.write_notebook(
        "edit.ipynb", ["%load_ext ml_intern_jupyter", f"%%intern --model {model}\nset x_edit", "print(repr(x_edit))"]
    )
    notebook.open("edit.ipynb")
    notebook.run_and_wait(0)
    notebook.run(1)
    editor = notebook.cell(1).locator("textarea.mi-editor")
    expect(editor).to_be_visible(timeout=60_000)
    notebook.type_into(editor, "x_edit = 123\nx_edit += 1000\nprint('x_edit is', x_edit)")
    shown = editor.input_value()
    notebook.cell(1).get_by_role("button", name="Approve", exact=True).click()
    out = notebook.wait_done(1)
    assert "x_edit is 1123" in out and "approved (edited)" in out
    assert notebook.run_and_wait(2).strip().endswith("1123")
    notebook.cell(1).get_by_text("show the edit").click()
    diff = notebook.cell(1).locator(".mi-diff pre").inner_text()
    assert "+x_edit += 1000" in diff and "-x_edit = 12" in diff
    assert shown == "x_edit = 123\nx_edit += 1000\nprint('x_edit is', x_edit)"  # what ran is what was on screen


def test_feedback_typed_key_by_key_reaches_the_model_whole(notebook: NotebookPage, lab):
    model = lab.write_script(
        "reject.json", [python_turn("import shutil\nshutil.rmtree('/tmp/x')"), {"text": "Understood."}]
    )
    history = f"print({AGENT}.session().history.messages()[-2]['content'])"
    lab.write_notebook("reject.ipynb", ["%load_ext ml_intern_jupyter", f"%%intern --model {model}\nclean up", history])
    notebook.open("reject.ipynb")
    notebook.run_and_wait(0)
    notebook.run(1)
    feedback = notebook.cell(1).locator("input.mi-feedback")
    expect(feedback).to_be_visible(timeout=60_000)
    words = "Do not delete anything; list the files first."
    notebook.type_into(feedback, words)
    notebook.cell(1).get_by_role("button", name="Reject", exact=True).click()
    out = notebook.wait_done(1)
    assert f"rejected: ‘{words}’" in out
    assert f"User feedback: {words}" in notebook.run_and_wait(2)


def test_a_training_loop_shows_its_first_print_while_running_and_stop_stops_it(notebook: NotebookPage, lab):
    loop = "import time\nfor step in range(600):\n    print(f'step {step}', flush=True)\n    time.sleep(0.2)"
    model = lab.write_script("train.json", [python_turn(loop), {"text": "after the stop"}])
    lab.write_notebook(
        "train.ipynb",
        ["%load_ext ml_intern_jupyter", f"%%intern --yolo --model {model}\ntrain", "%%intern\ngo on"],
    )
    notebook.open("train.ipynb")
    notebook.run_and_wait(0)
    notebook.run(1)
    notebook.wait_output(1, "step 2", timeout=60)
    assert notebook.prompt(1) == "[*]:"  # still running, and its output is already there
    expect(notebook.cell(1).locator(".jp-OutputArea")).to_contain_text("python running ·")
    start = time.monotonic()
    notebook.page.get_by_title("Interrupt the kernel").first.click()
    notebook.wait_done(1, timeout=10)
    stopped_after = time.monotonic() - start
    assert stopped_after < 2.0, stopped_after
    out = notebook.output(1)
    assert "Interrupted" in out and "stopped python" in out
    assert "after the stop" in notebook.run_and_wait(2)


def test_a_bad_model_id_is_one_clear_line_and_is_not_kept(notebook: NotebookPage, lab):
    good = lab.write_script("good.json", [{"text": "the good model answered"}])
    lab.write_notebook(
        "bad-model.ipynb",
        [
            "%load_ext ml_intern_jupyter",
            f"%intern model {good}",
            "%intern model nonexistent/xyz",
            "%%intern\nhello",
        ],
    )
    notebook.open("bad-model.ipynb")
    notebook.run_and_wait(0)
    assert "Model set" in notebook.run_and_wait(1)
    out = notebook.run_and_wait(2)
    assert "Unknown model 'nonexistent/xyz'" in out and "Model set" not in out
    assert "LLM Provider NOT provided" not in out and len(out) < 800
    assert "the good model answered" in notebook.run_and_wait(3)


def test_help_tools_status_and_history_read_as_lists_and_tables(notebook: NotebookPage, lab):
    model = lab.write_script("a_long_model_file_name.json", [{"text": "hi there"}])
    lab.write_notebook(
        "commands.ipynb",
        ["%load_ext ml_intern_jupyter", f"%%intern --model {model}\nhello", "%intern help", "%intern tools",
         "%intern status", "%intern history"],
    )  # fmt: skip
    notebook.open("commands.ipynb")
    for index in range(2):
        notebook.run_and_wait(index)
    for index, needle in ((2, "%intern model"), (3, "python"), (4, "a_long_model_file_name.json"), (5, "hello")):
        shown = notebook.run_and_wait(index)
        assert needle in shown, (index, shown)
        assert "`" not in shown, (index, shown)  # Markdown is rendered, not shown raw
        rendered = notebook.cell(index).locator(".jp-OutputArea table, .jp-OutputArea li")
        assert rendered.count() >= 1, index
    history = notebook.output(5)
    assert "scripted/a_long_model_file_name.json" in history  # the id is whole, not cut
    notebook.screenshot("commands-help", notebook.cell(2))


def test_both_themes_meet_contrast_and_are_captured(notebook: NotebookPage, lab):
    code = "import math\n# the area of a circle\nradius = 2.5\narea = math.pi * radius ** 2\nprint(f'area {area:.2f}')"
    model = lab.write_script(
        "theme.json", [python_turn(code, "Computing the area."), {"text": "**Done.** The area is 19.63."}]
    )
    measured: dict[str, float] = {}
    for theme, tag in (("JupyterLab Light", "light"), ("JupyterLab Dark", "dark")):
        lab.set_theme(theme)
        name = lab.write_notebook(
            f"theme-{tag}.ipynb", ["%load_ext ml_intern_jupyter", f"%%intern --new --model {model}\narea"]
        )
        (lab.root / "theme.json").write_text(
            json.dumps({"turns": [python_turn(code, "Computing the area."), {"text": "Done."}]})
        )
        notebook.open(name)
        notebook.run_and_wait(0)
        notebook.run(1)
        card = notebook.cell(1).locator(".mi-approval")
        expect(card).to_be_visible(timeout=60_000)
        notebook.screenshot(f"approval-card-{tag}", notebook.cell(1))
        low = lowest_contrast(
            notebook, ".mi-approval .mi-editor, .mi-approval .mi-approval-head, .mi-approval .mi-label"
        )
        measured[f"approval card, {tag}"] = round(low, 2)
        assert low >= 4.5, (tag, low)
        notebook.cell(1).get_by_role("button", name="Approve", exact=True).click()
        notebook.wait_done(1)
        notebook.screenshot(f"tool-card-{tag}", notebook.cell(1))
        notebook.cell(1).locator("details.ml-intern-tool summary").first.click()  # open the finished card
        low = lowest_contrast(notebook, ".ml-intern-tool pre.mi-code span, .ml-intern-tool summary b")
        measured[f"tool card code, {tag}"] = round(low, 2)
        assert low >= 4.5, (tag, low)
    lab.set_theme("JupyterLab Light")
    (ARTIFACTS / "contrast.json").write_text(json.dumps(measured, indent=1))  # the lowest ratios, for the record


CONTRAST_JS = """
(selector) => {
  const lum = (rgb) => {
    const [r, g, b] = rgb.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const parse = (css) => {
    const values = (css.match(/[\\d.]+/g) || []).map(Number);  // rgb(r, g, b[, a]) or color(srgb r g b[ / a])
    return css.startsWith("color(") ? values.map((v, i) => (i < 3 ? v * 255 : v)) : values;
  };
  const background = (node) => {
    for (let el = node; el; el = el.parentElement) {
      const c = parse(getComputedStyle(el).backgroundColor);
      if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  let lowest = {ratio: 99};
  for (const node of document.querySelectorAll(selector)) {
    if (!node.textContent.trim() || node.offsetParent === null) continue;
    const fg = parse(getComputedStyle(node).color).slice(0, 3);
    const bg = background(node);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    if (ratio < lowest.ratio) lowest = {ratio, text: node.textContent.slice(0, 40), fg, bg};
  }
  return lowest;
}
"""


class Contrast(float):
    """The lowest contrast ratio found, and where (shown when an assertion fails)."""

    def __new__(cls, found: dict):
        self = super().__new__(cls, found["ratio"])
        self.found = found
        return self

    def __repr__(self) -> str:
        return f"{float(self):.2f} at {self.found}"


def lowest_contrast(notebook: NotebookPage, selector: str) -> Contrast:
    return Contrast(notebook.page.evaluate(CONTRAST_JS, selector))

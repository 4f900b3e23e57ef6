"""``%intern panel`` in JupyterLab in Chromium: type a message key by key, Enter, approve in the panel."""

from __future__ import annotations

from playwright.sync_api import expect

from .notebook_page import NotebookPage
from .test_in_cell_front import python_turn


def test_the_widget_panel_chats_and_approves(notebook: NotebookPage, lab):
    model = lab.write_script(
        "panel.json", [python_turn("panel_v = 'typed in the panel'", "I will set it."), {"text": "It is set."}]
    )
    lab.write_notebook("panel.ipynb", ["%load_ext ml_intern_jupyter", f"%intern model {model}", "%intern panel",
                                       "print(panel_v)"])  # fmt: skip
    notebook.open("panel.ipynb")
    for index in range(2):
        notebook.run_and_wait(index)
    notebook.run_and_wait(2)
    panel = notebook.cell(2)
    box = panel.locator("textarea.mi-chat-box")
    expect(box).to_be_visible(timeout=30_000)
    notebook.type_into(box, "please set panel_v")
    notebook.page.keyboard.press("Enter")
    expect(panel).to_contain_text("You: please set panel_v", timeout=30_000)
    approve = panel.get_by_role("button", name="Approve", exact=True)
    expect(approve).to_be_visible(timeout=60_000)
    notebook.screenshot("widget-panel-approval", panel)
    approve.click()
    expect(panel).to_contain_text("It is set.", timeout=60_000)
    notebook.screenshot("widget-panel-done", panel)
    assert "typed in the panel" in notebook.run_and_wait(3)

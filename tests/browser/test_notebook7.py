"""The approval card in Notebook 7 (the other Jupyter front end people use), in Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from ..conftest import need_local_extra
from .lab import Lab
from .notebook_page import NotebookPage
from .test_in_cell_front import AGENT, python_turn


@pytest.fixture(scope="module")
def lab(tmp_path_factory, browser) -> Iterator[Lab]:
    need_local_extra("notebook", extra="test")
    server = Lab(tmp_path_factory.mktemp("notebook7"), app="notebook")
    try:
        yield server
    finally:
        server.close()


def test_edited_code_and_typed_feedback_arrive_whole_in_notebook_7(notebook: NotebookPage, lab):
    model = lab.write_script(
        "nb7.json",
        [
            python_turn("y_nb7 = 1\nprint('y_nb7 is', y_nb7)"),
            {"text": "ran it"},
            python_turn("import os\nos.remove('data.csv')"),
            {"text": "Understood."},
        ],
    )
    feedback_seen = f"print({AGENT}.session().history.messages()[-2]['content'])"
    lab.write_notebook(
        "nb7.ipynb",
        ["%load_ext ml_intern_jupyter", f"%%intern --model {model}\nset y", "print(repr(y_nb7))", "%%intern\nclean",
         feedback_seen],
    )  # fmt: skip
    notebook.open("nb7.ipynb")
    notebook.run_and_wait(0)
    notebook.run(1)
    editor = notebook.cell(1).locator("textarea.mi-editor")
    expect(editor).to_be_visible(timeout=60_000)
    notebook.type_into(editor, "y_nb7 = 7\ny_nb7 *= 6\nprint('y_nb7 is', y_nb7)")
    notebook.cell(1).get_by_role("button", name="Approve", exact=True).click()
    out = notebook.wait_done(1)
    assert "y_nb7 is 42" in out and "approved (edited)" in out
    assert notebook.run_and_wait(2).strip().endswith("42")
    notebook.screenshot("notebook7-approved", notebook.cell(1))

    notebook.run(3)
    feedback = notebook.cell(3).locator("input.mi-feedback")
    expect(feedback).to_be_visible(timeout=60_000)
    words = "Keep data.csv; move it to backup/ instead."
    notebook.type_into(feedback, words)
    notebook.cell(3).get_by_role("button", name="Reject", exact=True).click()
    assert f"rejected: ‘{words}’" in notebook.wait_done(3)
    assert f"User feedback: {words}" in notebook.run_and_wait(4)

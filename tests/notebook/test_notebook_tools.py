"""notebook_read / notebook_edit / notebook_run without the panel: the saved file, a proposed cell, a clear no."""

from __future__ import annotations

from pathlib import Path

import nbformat

from ml_intern_jupyter.notebook.notebook_tools import NotebookTools
from ml_intern_jupyter.tools.spec import ToolContext


def saved(tmp_path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("df = make()\ndf.shape", execution_count=4)
    code.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "(10, 3)"}, execution_count=4)]
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), code]
    path = tmp_path / "work.ipynb"
    nbformat.write(nb, path)
    return path


async def test_read_falls_back_to_the_saved_notebook(tmp_path: Path) -> None:
    saved(tmp_path)
    tools = NotebookTools(None, lambda source: "", env={"JPY_SESSION_NAME": "work.ipynb"}, root=tmp_path)
    result = await tools.read({"cells": [1]}, ToolContext("c", "notebook_read", tmp_path))
    assert result.ok and "unsaved changes are not included" in result.output
    assert "df = make()" in result.output and "(10, 3)" in result.output and "ran as [4]" in result.output
    assert "# Title" not in result.output  # only the cell asked for


async def test_read_without_panel_or_file_says_what_is_missing(tmp_path: Path) -> None:
    result = await NotebookTools(None, lambda s: "", env={}, root=tmp_path).read({}, ToolContext("c", "n", tmp_path))
    assert not result.ok and "ml-intern:open-chat" in result.output and "JPY_SESSION_NAME" in result.output


async def test_edit_falls_back_to_proposing_an_inserted_cell(tmp_path: Path) -> None:
    proposed: list[str] = []
    tools = NotebookTools(None, lambda source: proposed.append(source) or "below", env={}, root=tmp_path)
    ctx = ToolContext("c", "notebook_edit", tmp_path)
    inserted = await tools.edit({"operation": "insert", "index": 2, "source": "x = 1"}, ctx)
    assert inserted.ok and proposed == ["x = 1"] and "proposed below the current one" in inserted.output
    replaced = await tools.edit({"operation": "replace", "index": 0, "source": "y"}, ctx)
    assert not replaced.ok and "replace or delete" in replaced.output and proposed == ["x = 1"]


async def test_run_refuses_inside_a_cell_turn_and_without_the_panel(tmp_path: Path) -> None:
    ctx = ToolContext("c", "notebook_run", tmp_path)
    inside = await NotebookTools(None, lambda s: "", in_cell=lambda: True, env={}).run({"index": 0}, ctx)
    assert not inside.ok and "one cell at a time" in inside.output
    no_panel = await NotebookTools(None, lambda s: "", env={}).run({"index": 0}, ctx)
    assert not no_panel.ok and "ml-intern:open-chat" in no_panel.output


async def test_the_edit_preview_is_a_diff(tmp_path: Path) -> None:
    tools = NotebookTools(None, lambda s: "", env={})
    preview = await tools.edit_preview({"operation": "insert", "index": 3, "source": "a = 1\nb = 2"})
    assert preview.details["change"] == "insert at cell 3" and "+a = 1\n+b = 2" in preview.details["diff"]

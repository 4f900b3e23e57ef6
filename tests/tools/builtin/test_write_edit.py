"""The write and edit tools: scratch approval rule, writing, exact replacement."""

from __future__ import annotations

from pathlib import Path

import pytest

from ml_intern_jupyter.tools.builtin import make_edit_tool, make_file_tools, make_write_tool
from ml_intern_jupyter.tools.builtin.edit import run_edit
from ml_intern_jupyter.tools.builtin.write import run_write


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    path = tmp_path / "scratch"
    path.mkdir()
    return path


@pytest.mark.parametrize("make", [make_write_tool, make_edit_tool])
def test_approval_only_outside_scratch(make, scratch, tmp_path):
    spec = make(scratch)
    assert spec.requires_approval({"file_path": str(scratch / "notes.md")}) is False
    assert spec.requires_approval({"file_path": str(scratch / "new" / "deep.py")}) is False
    assert spec.requires_approval({"file_path": str(tmp_path / "project.py")}) is True
    assert spec.requires_approval({"file_path": str(scratch / ".." / "escape.py")}) is True
    assert spec.requires_approval({"file_path": "relative.py"}) is True  # workdir unknown here
    assert spec.requires_approval({}) is True


def test_symlink_out_of_scratch_needs_approval(scratch, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (scratch / "link").symlink_to(outside)
    spec = make_write_tool(scratch)
    assert spec.requires_approval({"file_path": str(scratch / "link" / "x.py")}) is True


def test_file_tools_set(scratch):
    specs = make_file_tools(scratch)
    assert [s.name for s in specs] == ["read", "write", "edit"]
    assert specs[1].approval_reason and specs[2].approval_reason


async def test_write_creates_parents_then_overwrites(recorder, tmp_path):
    target = tmp_path / "a" / "b" / "c.txt"
    created = await run_write({"file_path": "a/b/c.txt", "content": "one\ntwo\n"}, recorder.ctx)
    assert created.ok
    assert target.read_text() == "one\ntwo\n"
    assert created.output == f"Created {target} (2 lines, 8 bytes)."
    again = await run_write({"file_path": str(target), "content": "x"}, recorder.ctx)
    assert again.output.startswith("Overwrote")
    assert target.read_text() == "x"


async def test_write_to_directory_fails(recorder, tmp_path):
    result = await run_write({"file_path": str(tmp_path), "content": "x"}, recorder.ctx)
    assert result.ok is False
    assert "is a directory" in result.output


async def test_edit_replaces_unique_match(recorder, tmp_path):
    path = tmp_path / "m.py"
    path.write_text("a = 1\nb = 2\nc = 3\n")
    args = {"file_path": "m.py", "old_string": "b = 2", "new_string": "b = 20"}
    result = await run_edit(args, recorder.ctx)
    assert result.ok
    assert path.read_text() == "a = 1\nb = 20\nc = 3\n"
    assert "replaced 1 occurrence (first at line 2)" in result.output


async def test_edit_not_found(recorder, tmp_path):
    path = tmp_path / "m.py"
    path.write_text("a = 1\n")
    args = {"file_path": "m.py", "old_string": "z = 9", "new_string": "z = 0"}
    result = await run_edit(args, recorder.ctx)
    assert result.ok is False
    assert "not found" in result.output
    assert path.read_text() == "a = 1\n"


async def test_edit_multiple_occurrences_needs_replace_all(recorder, tmp_path):
    path = tmp_path / "m.py"
    path.write_text("x = 1\ny = x\nprint(x)\n")
    args = {"file_path": "m.py", "old_string": "x", "new_string": "value"}
    refused = await run_edit(args, recorder.ctx)
    assert refused.ok is False
    assert "occurs 3 times" in refused.output
    assert path.read_text() == "x = 1\ny = x\nprint(x)\n"

    done = await run_edit({**args, "replace_all": True}, recorder.ctx)
    assert done.ok
    assert "replaced 3 occurrences" in done.output
    assert path.read_text() == "value = 1\ny = value\nprint(value)\n"


async def test_edit_missing_file_and_noop(recorder, tmp_path):
    missing = await run_edit({"file_path": "no.py", "old_string": "a", "new_string": "b"}, recorder.ctx)
    assert missing.ok is False and "File not found" in missing.output
    (tmp_path / "f.py").write_text("a\n")
    same = await run_edit({"file_path": "f.py", "old_string": "a", "new_string": "a"}, recorder.ctx)
    assert same.ok is False and "identical" in same.output


async def test_edit_keeps_crlf_line_endings(recorder, tmp_path):
    path = tmp_path / "win.txt"
    path.write_bytes(b"one\r\ntwo\r\nthree\r\n")
    args = {"file_path": "win.txt", "old_string": "one\ntwo", "new_string": "1\n2"}
    result = await run_edit(args, recorder.ctx)
    assert result.ok
    assert path.read_bytes() == b"1\r\n2\r\nthree\r\n"

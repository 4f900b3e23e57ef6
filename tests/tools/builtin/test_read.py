"""The read tool: cat -n numbering, offset/limit, and clear errors."""

from __future__ import annotations

from ml_intern_jupyter.tools.builtin import make_read_tool
from ml_intern_jupyter.tools.builtin.read import MAX_LINE_CHARS, run_read


def _numbered(start: int, lines: list[str]) -> str:
    return "\n".join(f"{n:>6}\t{text}" for n, text in enumerate(lines, start=start))


def test_read_never_needs_approval():
    assert make_read_tool().requires_approval({"file_path": "/etc/passwd"}) is False


async def test_whole_file_numbered_like_cat_n(recorder, tmp_path):
    (tmp_path / "a.txt").write_text("alpha\nbeta\n\ngamma")
    result = await run_read({"file_path": str(tmp_path / "a.txt")}, recorder.ctx)
    assert result.ok
    assert result.output == _numbered(1, ["alpha", "beta", "", "gamma"])


async def test_offset_and_limit_select_a_slice(recorder, tmp_path):
    (tmp_path / "n.txt").write_text("".join(f"line {i}\n" for i in range(1, 11)))
    result = await run_read({"file_path": "n.txt", "offset": 4, "limit": 3}, recorder.ctx)
    assert result.output == _numbered(4, ["line 4", "line 5", "line 6"]) + (
        "\n[... more lines follow; continue with offset=7]"
    )


async def test_limit_reaching_the_end_has_no_continuation(recorder, tmp_path):
    (tmp_path / "n.txt").write_text("a\nb\nc\n")
    result = await run_read({"file_path": "n.txt", "offset": 2, "limit": 5}, recorder.ctx)
    assert result.output == _numbered(2, ["b", "c"])


async def test_default_limit_is_2000_lines(recorder, tmp_path):
    (tmp_path / "big.txt").write_text("x\n" * 2500)
    result = await run_read({"file_path": "big.txt"}, recorder.ctx)
    lines = result.output.splitlines()
    assert lines[-2] == "  2000\tx"
    assert lines[-1] == "[... more lines follow; continue with offset=2001]"


async def test_long_lines_are_truncated(recorder, tmp_path):
    (tmp_path / "wide.txt").write_text("y" * 5000 + "\n")
    result = await run_read({"file_path": "wide.txt"}, recorder.ctx)
    assert result.output.startswith("     1\t" + "y" * MAX_LINE_CHARS + "…")
    assert "line truncated, 5000 chars" in result.output


async def test_crlf_lines_read_cleanly(recorder, tmp_path):
    (tmp_path / "win.txt").write_bytes(b"one\r\ntwo\r\n")
    result = await run_read({"file_path": "win.txt"}, recorder.ctx)
    assert result.output == _numbered(1, ["one", "two"])


async def test_missing_file_is_a_clear_error(recorder, tmp_path):
    result = await run_read({"file_path": "nope.txt"}, recorder.ctx)
    assert result.ok is False
    assert result.output == f"File not found: {tmp_path / 'nope.txt'}"


async def test_directory_is_refused(recorder, tmp_path):
    result = await run_read({"file_path": str(tmp_path)}, recorder.ctx)
    assert result.ok is False
    assert "is a directory" in result.output


async def test_binary_file_is_refused(recorder, tmp_path):
    (tmp_path / "blob.bin").write_bytes(b"\x89PNG\r\n\x00\x00\x01")
    result = await run_read({"file_path": "blob.bin"}, recorder.ctx)
    assert result.ok is False
    assert "binary file (9 bytes)" in result.output


async def test_empty_file_and_offset_past_end(recorder, tmp_path):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "short.txt").write_text("a\nb\n")
    empty = await run_read({"file_path": "empty.txt"}, recorder.ctx)
    past = await run_read({"file_path": "short.txt", "offset": 10}, recorder.ctx)
    assert empty.ok and empty.output == "(the file is empty)"
    assert past.ok is False
    assert "past the end of the file (2 lines)" in past.output

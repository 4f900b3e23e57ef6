"""Command replies in a terminal: Markdown tables as aligned columns, no markup left."""

from __future__ import annotations

from ml_intern_jupyter.cli.plain import markdown_to_text


def test_tables_align_and_escaped_pipes_come_back() -> None:
    markdown = (
        "**Commands**\n\n| command | what it does |\n| --- | --- |\n"
        "| `/yolo on\\|off` | Auto-approve. |\n| `/undo` | Drop the last turn. |"
    )
    assert markdown_to_text(markdown).splitlines() == [
        "Commands",
        "",
        "command       what it does",
        "/yolo on|off  Auto-approve.",
        "/undo         Drop the last turn.",
    ]


def test_lists_and_paragraphs_keep_their_lines_and_indentation() -> None:
    markdown = "Not restored:\n\n- `a.py`: gone\n  - nested **bold**\nTry `/resume ID`."
    assert markdown_to_text(markdown) == "Not restored:\n\n- a.py: gone\n  - nested bold\nTry /resume ID."

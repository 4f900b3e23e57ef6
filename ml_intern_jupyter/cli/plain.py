"""Command replies (Markdown) as terminal text: tables as aligned columns, markup dropped."""

from __future__ import annotations

import re

_ESCAPED_PIPE = "\x00"
_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_INLINE = re.compile(r"\*\*(.+?)\*\*|`([^`]+)`")


def _inline(text: str) -> str:
    return _INLINE.sub(lambda m: m[1] if m[1] is not None else m[2], text).replace(_ESCAPED_PIPE, "|").rstrip()


def _table(rows: list[str]) -> list[str]:
    cells = [[_inline(c).strip() for c in _ROW.match(r)[1].split("|")] for r in rows if not _RULE.match(r)]
    widths = [max(len(row[i]) if i < len(row) else 0 for row in cells) for i in range(max(map(len, cells)))]
    return ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in cells]


def markdown_to_text(markdown: str) -> str:
    """The reply as it reads in a terminal (every line break kept)."""
    out: list[str] = []
    table: list[str] = []
    for line in markdown.replace("\\|", _ESCAPED_PIPE).splitlines():
        if _ROW.match(line):
            table.append(line)
            continue
        if table:
            out.extend(_table(table))
            table = []
        out.append(_inline(line) if line.strip() else "")
    if table:
        out.extend(_table(table))
    return "\n".join(out)

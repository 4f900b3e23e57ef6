"""Jupyter notebooks (.ipynb JSON) as readable text: markdown and code cells, outputs left out."""

from __future__ import annotations

import json
from typing import Any


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def notebook_to_text(raw: str) -> str:
    """Each cell under a ``# %% [markdown]`` / ``# %% [code]`` marker; ``raw`` itself if it is not a notebook."""
    try:
        notebook = json.loads(raw)
    except ValueError:
        return raw
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        return raw
    parts, outputs = [], 0
    for cell in cells:
        if not isinstance(cell, dict):
            continue
        kind = cell.get("cell_type", "code")
        outputs += len(cell.get("outputs") or [])
        parts.append(f"# %% [{kind}]\n{_source(cell).rstrip()}")
    note = f"\n\n({outputs} cell outputs left out)" if outputs else ""
    return "\n\n".join(parts) + note

"""Input transformer: make ``%%intern`` / ``%intern`` cells await their coroutine.

IPython turns a cell magic into ``get_ipython().run_cell_magic('intern', ...)``;
prefixing ``await`` makes the cell a top-level-await cell that ipykernel runs on
its event loop, so the cell stays busy while the agent works, the Stop button
cancels it, and comm messages (widget clicks) are still handled meanwhile.
"""

from __future__ import annotations

import re

_MAGIC_CALL = re.compile(r"^(\s*)(get_ipython\(\)\.run_(?:cell|line)_magic\(['\"]intern['\"],)")


def await_intern_magics(lines: list[str]) -> list[str]:
    """Prefix statement-level ``%intern``/``%%intern`` calls with ``await``."""
    return [_MAGIC_CALL.sub(r"\1await \2", line) for line in lines]

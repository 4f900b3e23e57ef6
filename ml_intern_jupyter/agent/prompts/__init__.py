"""System prompts (one per place the agent works) and the notes the loop injects.

``notebook.md`` is for the user's live Jupyter kernel, ``cli.md`` for the interactive terminal
chat, ``headless.md`` for one unattended ``ml-intern "task"`` run. Each has ``{today}``.
"""

from __future__ import annotations

import datetime
from importlib import resources

VARIANTS = ("notebook", "cli", "headless")

LENGTH_NOTE = (
    "[length guard] Your last reply was cut off because it reached the output token limit. "
    "Continue from where it stopped. Keep replies shorter: split long code into several "
    "smaller tool calls."
)


def build_system_prompt(variant: str = "cli", today: datetime.date | None = None) -> str:
    """The system prompt of one variant (``notebook``, ``cli`` or ``headless``)."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown prompt variant {variant!r}; one of {VARIANTS}")
    text = resources.files(__package__).joinpath(f"{variant}.md").read_text(encoding="utf-8")
    return text.format(today=(today or datetime.date.today()).isoformat())

"""What a %%intern cell's cards look like: theme variables, inline SVG icons, scaled headings, plain text."""

from __future__ import annotations

import re

import pytest

from ml_intern_jupyter.notebook.cards import MarkdownText, Notice, PlanView, RunStatus, ToolCard, demote_headings
from ml_intern_jupyter.notebook.theme import highlight, icon
from ml_intern_jupyter.protocol import ToolState

EMOJI = re.compile("[\u23f0-\u23ff\u2b00-\u2bff\U0001f300-\U0001faff]")  # ⏳ ⏹ and friends


def test_headings_are_scaled_down_outside_code_fences_only() -> None:
    text = "# Title\n\nbody\n## Part\n```python\n# a comment\n```\n###### tiny"
    assert demote_headings(text) == "#### Title\n\nbody\n##### Part\n```python\n# a comment\n```\n###### tiny"
    assert MarkdownText(text)._repr_markdown_().startswith("#### Title") and repr(MarkdownText(text)) == text


def test_code_colours_are_theme_variables_with_light_fallbacks() -> None:
    shown = highlight("import math\n# note\nr = 2.5\nprint(f'{r}')")
    colours = re.findall(r"color:([^;\"']+)", shown)
    assert colours and all("var(--jp-" in colour for colour in colours)
    assert "var(--jp-mirror-editor-number-color, #008000)" in shown  # the fallback for exports
    assert "color-mix(in srgb" in shown  # token colours are pulled toward the text colour for contrast
    assert not re.search(r"color:#[0-9a-f]{3,6}", shown)  # no fixed colour made for one theme


@pytest.mark.parametrize("state", list(ToolState))
def test_tool_cards_use_svg_icons_not_emoji(state: ToolState) -> None:
    card = ToolCard("c1", "python", {"code": "print(1)"}, state=state, output="1")
    shown = card._repr_html_()
    assert "<svg" in shown and not EMOJI.search(shown)
    assert not EMOJI.search(repr(card))


def test_icons_draw_in_the_current_colour() -> None:
    assert "currentColor" in icon("ok") and "<svg" in icon("unknown-name")


def test_a_pending_card_does_not_repeat_the_code_of_its_approval_card() -> None:
    card = ToolCard("c1", "python", {"code": "secret_sauce()"}, state=ToolState.PENDING_APPROVAL)
    card.awaiting_approval = True
    assert "secret_sauce" not in card._repr_html_() and "approval card below" in card._repr_html_()


def test_a_native_tool_card_sums_its_output_up_instead_of_repeating_it() -> None:
    card = ToolCard("c1", "python", {"code": "print('x' * 3)"}, state=ToolState.DONE, output="xxx", native=True)
    assert "its output is shown below" in card._repr_html_() and "its output is shown below" in repr(card)


def test_notices_keep_their_line_breaks_in_plain_text_and_escape_plain_messages() -> None:
    reply = Notice("| name | asks |\n|---|---|\n| `python` | yes |", level="info", markdown=True)
    assert reply._repr_markdown_().startswith("| name | asks |") and repr(reply).count("\n") == 2
    error = Notice("Unknown model 'x_y*z'", fix="Use `%intern model scripted/FILE.json`.")
    assert r"x\_y\*z" in error._repr_markdown_() and "**Fix:** Use `%intern model" in error._repr_markdown_()
    assert repr(error) == "✗ Error: Unknown model 'x_y*z'\n  Fix: Use `%intern model scripted/FILE.json`."


def test_the_plan_is_a_task_list() -> None:
    plan = PlanView(({"content": "load", "status": "completed"}, {"content": "train", "status": "in_progress"}))
    assert plan._repr_markdown_() == "**Plan**\n\n- [x] load\n- [ ] train *(in progress)*"
    assert repr(plan) == "Plan:\n  [x] load\n  [ ] train (in progress)"


@pytest.mark.parametrize(("seconds", "shown"), [(0.04, "0.0 s"), (3.26, "3.3 s"), (42.4, "42 s"), (245, "4 min 05 s")])
def test_a_finished_run_says_how_long_it_took(seconds: float, shown: str) -> None:
    status = RunStatus("python", "c1", started=100.0)
    assert status.tick(101.2) is True and "python running · 1s" in repr(status)
    status.finish("done", 100.0 + seconds)
    assert repr(status) == f"finished python in {shown}" and "<svg" in status._repr_html_()


def test_dollar_amounts_never_start_tex_math() -> None:
    notice = Notice("its estimated $2.10 would take this session past the $5 cap")
    assert r"\\$2.10" in notice._repr_markdown_() and r"\\$5" in notice._repr_markdown_()
    assert "$2.10" in repr(notice) and "\\" not in repr(notice)

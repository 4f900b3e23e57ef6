"""Colours, icons and code highlighting that follow the JupyterLab theme.

Every colour is a JupyterLab CSS variable (``--jp-*``, the CodeMirror ``--jp-mirror-editor-*``
ones for code) with a light fallback, so outputs follow the light and dark themes live and
still read well in exports, where the variables are not defined. Comments use the content
font's secondary colour: JupyterLab's own comment colour is under 4.5:1 on the dark theme.
Icons are inline SVG drawn in ``currentColor``: emoji fonts are often missing.
"""

from __future__ import annotations

import html
import re

TEXT = "var(--jp-content-font-color1, #1f2328)"
MUTED = "var(--jp-content-font-color2, #57606a)"
CODE_BACKGROUND = "var(--jp-cell-editor-background, #f6f8fa)"
BORDER = "var(--jp-border-color1, #d0d7de)"
STATE_COLOURS = {
    "pending_approval": "var(--jp-warn-color1, #9a6700)",
    "approved": "var(--jp-success-color1, #1a7f37)",
    "running": "var(--jp-brand-color1, #0969da)",
    "done": "var(--jp-success-color1, #1a7f37)",
    "failed": "var(--jp-error-color1, #cf222e)",
    "rejected": "var(--jp-error-color1, #cf222e)",
    "cancelled": "var(--jp-border-color1, #8c959f)",
    "error": "var(--jp-error-color1, #cf222e)",
    "warning": "var(--jp-warn-color1, #9a6700)",
    "info": "var(--jp-border-color1, #8c959f)",
}


def _token_colour(variable: str, fallback: str) -> str:
    """A CodeMirror token colour mixed a fifth of the way toward the text colour.

    JupyterLab's own number colour is 4.26:1 on its light editor background (under WCAG AA's
    4.5); the mix keeps the hue and clears 4.5:1 on both themes. Exports without the variables
    get the fallback, mixed the same way.
    """
    return f"color-mix(in srgb, var({variable}, {fallback}) 80%, {TEXT})"


# Pygments token classes (short names) -> style; the first matching prefix wins.
KEYWORD = _token_colour("--jp-mirror-editor-keyword-color", "#008000")
TOKEN_STYLES = (
    ("c", f"color:{MUTED};font-style:italic"),
    ("ow", f"color:{KEYWORD};font-weight:bold"),
    ("k", f"color:{KEYWORD};font-weight:bold"),
    ("s", f"color:{_token_colour('--jp-mirror-editor-string-color', '#ba2121')}"),
    ("m", f"color:{_token_colour('--jp-mirror-editor-number-color', '#008000')}"),
    ("il", f"color:{_token_colour('--jp-mirror-editor-number-color', '#008000')}"),
    ("nb", f"color:{_token_colour('--jp-mirror-editor-builtin-color', '#008000')}"),
    ("bp", f"color:{_token_colour('--jp-mirror-editor-builtin-color', '#008000')}"),
    ("nf", f"color:{_token_colour('--jp-mirror-editor-def-color', '#0000ff')}"),
    ("nc", f"color:{_token_colour('--jp-mirror-editor-def-color', '#0000ff')};font-weight:bold"),
    ("o", f"color:{_token_colour('--jp-mirror-editor-operator-color', '#aa22ff')}"),
)
_SPAN = re.compile(r'<span class="([a-z0-9]+)">')

ICONS = {
    "ask": '<circle cx="8" cy="8" r="6.5" fill="none" stroke="currentColor" stroke-width="1.6"/>'
    '<path d="M8 4.5v4.3M8 11v.8" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"/>',
    "ok": '<path d="M3 8.5l3.2 3.2L13 4.8" fill="none" stroke="currentColor" stroke-width="2" '
    'stroke-linecap="round" stroke-linejoin="round"/>',
    "no": '<path d="M4 4l8 8M12 4l-8 8" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>',
    "run": '<circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" stroke-width="1.6" '
    'stroke-dasharray="28 10"/>',
    "stop": '<rect x="4" y="4" width="8" height="8" rx="1.5" fill="currentColor"/>',
    "dot": '<circle cx="8" cy="8" r="3" fill="currentColor"/>',
}
STATE_ICONS = {
    "pending_approval": "ask",
    "approved": "ok",
    "running": "run",
    "done": "ok",
    "failed": "no",
    "rejected": "no",
    "cancelled": "stop",
}


def icon(name: str, colour: str = "currentColor") -> str:
    """A 14 px inline SVG icon."""
    body = ICONS.get(name, ICONS["dot"])
    return (
        f"<svg viewBox='0 0 16 16' width='14' height='14' aria-hidden='true' "
        f"style='vertical-align:-2px;color:{colour}'>{body}</svg>"
    )


def _token_style(css_class: str) -> str | None:
    return next((style for prefix, style in TOKEN_STYLES if css_class.startswith(prefix)), None)


def highlight(code: str, language: str = "python") -> str:
    """Code as HTML whose colours are the theme's variables (inline, so they survive export)."""
    block = f"margin:2px 0;padding:4px 6px;background:{CODE_BACKGROUND};color:{TEXT};white-space:pre-wrap"
    try:
        from pygments import highlight as pyg_highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import get_lexer_by_name

        body = pyg_highlight(code, get_lexer_by_name(language), HtmlFormatter(nowrap=True))
    except Exception:
        body = html.escape(code)

    def styled(match: re.Match[str]) -> str:
        style = _token_style(match.group(1))
        return f'<span style="{style}">' if style else "<span>"

    return f"<pre class='mi-code' style='{block}'>{_SPAN.sub(styled, body)}</pre>"

"""Values a request spells out, for argument decoding and checks (no model involved).

A small model often invents a file name, mangles a command or writes other text than the user
quoted. The request usually spells those values out: file names (``notes.txt``), commands in
backticks, quoted text (``'see you soon'``, or "the word hello", "containing print('hi')"),
numbers and list literals, and edits ("replace 42 with 43"). :func:`literals` finds them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_QUOTED = re.compile(r"""(?<![\w'"`])(['"])(?P<text>[^\n]+?)\1(?![\w'"`])""")
_BACKTICKED = re.compile(r"`(?P<text>[^`\n]+)`")
_FILE = re.compile(r"(?<![\w/.~-])(?P<path>(?:[~.]?/)?(?:[\w.-]+/)*[\w-][\w.-]*\.[A-Za-z][A-Za-z0-9]{0,5})(?![\w/-])")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w])")
_LIST = re.compile(r"\[[^\[\]\n]*\]")
_END = r"(?=\s+(?:to|into|in|inside|as)\s+(?:the\s+)?(?:file\s+)?[\w./-]+\.\w+|[.!?]?\s*$|,\s)"
_SAYING = re.compile(
    rf"\b(?:the (?:word|words|text|line|string|phrase|sentence)|containing|contains|that says|saying|with the text)"
    rf""":?\s+(?:(?P<q>['"`])(?P<quoted>[^\n]+?)(?P=q)|(?P<text>[^\n\['"`][^\n]*?){_END})""",
    re.IGNORECASE,
)
_PAIRS = (
    r"\breplace (?:the (?:word|text|string|value) )?(?P<old>.+?) (?:with|by) (?P<new>.+?)",
    r"\b(?:change|rename|turn|update|set) (?:the (?:word|text|string|value) )?(?P<old>.+?) (?:to|into) (?P<new>.+?)",
    r"\bswap (?P<old>.+?) for (?P<new>.+?)",
    r"\b(?:so that |that )?(?P<old>[^,;:]+?) becomes (?P<new>.+?)",
    r"(?P<old>\S+) ?(?:->|→) ?(?P<new>\S+)",
)
_PAIR_PATTERNS = tuple(re.compile(rf"{p}(?:\s+in\s+[\w./-]+\.\w+)?{_END}", re.IGNORECASE) for p in _PAIRS)
_ABBREVIATIONS = frozenset({"e.g", "i.e", "etc", "vs"})


@dataclass(frozen=True)
class Literals:
    """What a request spells out, in order of appearance."""

    quoted: tuple[str, ...] = ()  # '...', "...", `...` and "the word X" / "containing X" texts
    commands: tuple[str, ...] = ()  # `...` spans (what to run, when the request runs a command)
    files: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    lists: tuple[str, ...] = ()
    replacement: tuple[str, str] | None = None  # (old, new) of "replace old with new"

    def texts(self) -> tuple[str, ...]:
        """Quoted texts, without those inside a longer one (``print('hi')`` keeps, ``hi`` goes)."""
        found = [t for t in self.quoted if t.strip()]
        return tuple(t for t in found if not any(t != o and t in o for o in found))


def _unquote(text: str) -> str:
    text = text.strip()
    for left, right in (("'", "'"), ('"', '"'), ("`", "`")):
        if len(text) > 1 and text[0] == left and text[-1] == right:
            return text[1:-1]
    return text


def literals(text: str) -> Literals:
    """The literal values in a request."""
    commands = tuple(m["text"].strip() for m in _BACKTICKED.finditer(text))
    quoted = [m["text"] for m in _QUOTED.finditer(text)] + list(commands)
    quoted += [m["quoted"] or m["text"] for m in _SAYING.finditer(text)]
    files = []
    for m in _FILE.finditer(text):
        path = m["path"].rstrip(".")
        if path.lower() not in _ABBREVIATIONS and not re.fullmatch(r"[\d.]+", path) and path not in files:
            files.append(path)
    replacement = None
    for pattern in _PAIR_PATTERNS:
        match = pattern.search(text)
        if match:
            old, new = _unquote(match["old"]), _unquote(match["new"])
            if old and new and old != new:
                replacement = (old, new)
                break
    return Literals(
        quoted=tuple(dict.fromkeys(q for q in quoted if q.strip())),
        commands=commands,
        files=tuple(files),
        numbers=tuple(m.group() for m in _NUMBER.finditer(_LIST.sub(" ", text))),
        lists=tuple(m.group() for m in _LIST.finditer(text)),
        replacement=replacement,
    )

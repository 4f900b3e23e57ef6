"""Replace secrets with placeholders before anything is written to disk or uploaded.

Three sources of secrets, applied in this order:

1. literal values: environment variables whose names look secret, and extra secrets
   given by the caller (longest first; kind = the variable name, or ``secret``);
2. well-known token shapes: Hugging Face, OpenAI, Anthropic, GitHub, Slack, JWTs,
   AWS access key ids and secret keys, ``Bearer`` credentials (the word is kept);
3. assignments whose name looks secret (``OPENAI_API_KEY=...``, ``"api_key": "..."``,
   ``password: ...``); only the value is replaced, so JSON text stays valid JSON.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

PLACEHOLDER_FORMAT = "[REDACTED:{kind}]"
PLACEHOLDER_PREFIX = "[REDACTED:"
MIN_SECRET_LENGTH = 8

# Environment variable names containing one of these (any case) hold secrets.
ENV_SECRET_WORDS = ("TOKEN", "KEY", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "AUTH", "PRIVATE")
BORING_VALUES = frozenset({"true", "false", "yes", "no", "on", "off", "none", "null", "nil", "undefined"})
PATH_PREFIXES = ("/", "~", "./", "../")

# Lowercase names (dict keys, ``api_key = ...`` in code) are judged strictly, so that
# ML words such as ``pad_token`` or ``sort_key`` are left alone.
STRICT_SECRET_NAME = re.compile(
    r"(?:^|[_.-])(?:api[_-]?key|apikey|access[_-]?key(?:[_-]?id)?|secret(?:[_-]?(?:access[_-]?)?key)?"
    r"|client[_-]?secret|private[_-]?key|password|passwd|passphrase|credentials?|authorization"
    r"|(?:access|auth|refresh|api|hub|bot|user|app|bearer|session|github|gh|hf|slack|openai|anthropic)[_-]?token)$"
    r"|^(?:token|auth|secret)$",
    re.IGNORECASE,
)


def _prefixed(literal: str, body: str, word: str = "A-Za-z0-9", flags: int = 0) -> re.Pattern[str]:
    r"""``literal`` + ``body``, the literal not glued to a word character before it.

    The literal comes first so the search is fast; the boundary is a lookbehind after it.
    A JSON escape such as ``\n`` before the literal counts as a boundary.
    """
    boundary = rf"(?:(?<![{word}]{literal})|(?<=\\[nrtbf]{literal}))"
    return re.compile(literal + boundary + body, flags)


# (kind, lowercase hints, pattern): a pattern runs only when one hint is in the text.
# Order matters: Anthropic before OpenAI. A pattern with a ``secret`` group replaces
# only that group and keeps the rest (``Bearer``, ``aws_secret_access_key=``).
TOKEN_PATTERNS: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = (
    ("anthropic_key", ("sk-ant-",), _prefixed("sk-ant-", r"[A-Za-z0-9_-]{20,}")),
    ("openai_key", ("sk-",), _prefixed("sk-", r"(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{20,}")),
    ("hf_token", ("hf_",), _prefixed("hf_", "[A-Za-z0-9]{30,}", word="A-Za-z0-9_")),
    ("github_token", ("github_pat_",), _prefixed("github_pat_", "[A-Za-z0-9_]{22,}", word="A-Za-z0-9_")),
    ("github_token", ("gh",), _prefixed("gh[pousr]_", "[A-Za-z0-9]{36,}", word="A-Za-z0-9_")),
    ("slack_token", ("xox", "xapp-"), _prefixed("x(?:ox[abprs]|app)-", "[A-Za-z0-9-]{10,}")),
    (
        "jwt",
        ("eyj",),
        _prefixed("eyJ", r"[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}", word="A-Za-z0-9_-"),
    ),
    ("aws_access_key_id", ("akia", "asia"), _prefixed("A[KS]IA", "[A-Z0-9]{16}(?![A-Z0-9])", word="A-Z0-9")),
    (
        "aws_secret_access_key",
        ("aws_secret_access_key",),
        re.compile(
            r"aws_secret_access_key(?:\\*[\"'])?\s*[=:]\s*(?:\\*[\"'])?(?P<secret>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])",
            re.IGNORECASE,
        ),
    ),
    ("bearer", ("bearer",), _prefixed("bearer", r"\s+(?P<secret>[A-Za-z0-9._~+/=-]{16,})", flags=re.IGNORECASE)),
)
# A bare AWS-style secret: a run of exactly 40 base64 characters (not padded with "="),
# with upper and lower case and a digit, so git shas (lowercase hex) stay. Runs are only
# looked for in whitespace-separated words of 40+ characters.
BASE64_RUN = re.compile(r"[A-Za-z0-9/+]{40,}+")
AWS_BARE_SECRET = re.compile(r"(?=.*[A-Z])(?=.*[a-z])(?=.*[0-9])[A-Za-z0-9+].{38}[A-Za-z0-9+]")
AWS_BARE_KIND = "aws_secret_access_key"

# NAME = value, NAME: value, "name": "value" (quotes may be JSON-escaped), where NAME
# contains one of the words. Searched in the lowercased text (it starts with a literal, so
# it is fast); the name's start is found by scanning back, and spans apply to the original.
# Values never take in a backslash, so JSON text stays valid JSON.
ASSIGNMENT = re.compile(
    r"(?:token|key|secret|passw|credential|auth|private)(?P<tail>[a-z0-9_.-]*+)(?:\\*[\"'])?[ \t]*[:=][ \t]*"
    r"(?:(?P<q>\\*[\"'])(?P<quoted>[^\"'\n\\]{8,})(?P=q)|(?P<bare>[^\s\"'`,;&|(){}\[\]<>\\]{8,}+)(?![(\[]))"
)
IDENTIFIER_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
CODE_REFERENCE = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
NUMBER = re.compile(r"[\d.]+")


def placeholder(kind: str) -> str:
    """The text that replaces a secret of this kind."""
    return PLACEHOLDER_FORMAT.format(kind=kind)


def env_name_looks_secret(name: str) -> bool:
    """Whether an environment variable name suggests a secret value (AUTHOR is not AUTH)."""
    upper = name.upper().replace("AUTHOR", "")
    return any(word in upper for word in ENV_SECRET_WORDS)


def key_looks_secret(key: str) -> bool:
    """Whether a dict key or lowercase identifier names a secret (strict rules)."""
    return STRICT_SECRET_NAME.search(key) is not None


def name_looks_secret(name: str) -> bool:
    """Env-style UPPERCASE names use the broad rule, other names the strict one."""
    last = name.rsplit(".", 1)[-1]
    return env_name_looks_secret(last) if last.isupper() else key_looks_secret(last)


def value_looks_secret(value: str) -> bool:
    """Skip values too short, boolean-like, numeric, paths or references (``$X``)."""
    if len(value) < MIN_SECRET_LENGTH or value.lower() in BORING_VALUES or value.startswith(PLACEHOLDER_PREFIX):
        return False
    if value.startswith(PATH_PREFIXES) or value.startswith(("$", "%")):
        return False
    return NUMBER.fullmatch(value) is None


def _replace(kind: str, pattern: re.Pattern[str]) -> Callable[[re.Match[str]], str]:
    text = placeholder(kind)
    if "secret" not in pattern.groupindex:
        return lambda match: text

    def keep_context(match: re.Match[str]) -> str:
        start, end = match.span("secret")
        whole = match[0]
        return whole[: start - match.start()] + text + whole[end - match.start() :]

    return keep_context


def _name_start(s: str, end: int, floor: int) -> int:
    while end > floor and s[end - 1] in IDENTIFIER_CHARS:
        end -= 1
    if end > 0 and s[end - 1] == "\\" and s[end] in "nrtbf":  # "\nPASSWORD=..." in JSON text
        end += 1
    return end


def redact_assignments(s: str, lowered: str) -> str:
    """Replace the values of secret-looking assignments; ``lowered`` is ``s.lower()``."""
    if len(lowered) != len(s):  # a few non-ASCII characters change length when lowered
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in s)
    pieces: list[str] = []
    last = 0
    for match in ASSIGNMENT.finditer(lowered):
        name = s[_name_start(s, match.start(), last) : match.end("tail")].lstrip("-.")
        group = "quoted" if match["quoted"] is not None else "bare"
        start, end = match.span(group)
        value = s[start:end]
        if not name_looks_secret(name) or not value_looks_secret(value):
            continue
        if group == "bare" and CODE_REFERENCE.fullmatch(value):  # `api_key = args.api_key` is code
            continue
        pieces += (s[last:start], placeholder(name))
        last = end
    return "".join([*pieces, s[last:]]) if pieces else s


def redact_bare_aws_secrets(s: str) -> str:
    """Replace 40-character AWS-style secrets found in long whitespace-separated words."""
    found = set()
    for word in [word for word in s.split() if len(word) >= 40]:
        for run in BASE64_RUN.finditer(word):
            text, start, end = run[0], run.start(), run.end()
            if len(text) == 41 and start > 0 and word[start - 1] == "\\" and text[0] in "nrtbf":
                text = text[1:]  # "\\nAKIA..." in JSON text: the n belongs to the escape
            if len(text) == 40 and word[end : end + 1] != "=" and AWS_BARE_SECRET.fullmatch(text):
                found.add(text)
    for secret in sorted(found):
        s = s.replace(secret, placeholder(AWS_BARE_KIND))
    return s


class Redactor:
    """Redacts known secret values and secret-looking text; build once per session."""

    def __init__(self, env: Mapping[str, str] | None = None, extra_secrets: Iterable[str] = ()) -> None:
        source = os.environ if env is None else env
        kinds: dict[str, str] = {}
        for name, value in sorted(source.items()):
            if env_name_looks_secret(name) and isinstance(value, str) and value_looks_secret(value):
                kinds.setdefault(value, name)
        for secret in extra_secrets:
            if isinstance(secret, str) and len(secret) >= MIN_SECRET_LENGTH:
                kinds.setdefault(secret, "secret")
        self._count = len(kinds)
        for secret, kind in list(kinds.items()):  # as it appears in JSON text, and JSON in JSON
            once = json.dumps(secret, ensure_ascii=False)[1:-1]
            kinds.setdefault(once, kind)
            kinds.setdefault(json.dumps(once, ensure_ascii=False)[1:-1], kind)
        self._kinds = kinds
        ordered = sorted(kinds, key=lambda s: (-len(s), s))
        self._literal = re.compile("|".join(map(re.escape, ordered))) if ordered else None
        self._patterns = tuple((hints, pattern, _replace(kind, pattern)) for kind, hints, pattern in TOKEN_PATTERNS)

    @property
    def known_secret_count(self) -> int:
        """How many literal secret values (env + extra) this redactor replaces."""
        return self._count

    def text(self, s: str) -> str:
        """Return ``s`` with every secret replaced by a placeholder."""
        if len(s) < MIN_SECRET_LENGTH:  # too short to hold any secret we look for
            return s
        if self._literal is not None:
            s = self._literal.sub(lambda m: placeholder(self._kinds[m[0]]), s)
        lowered = s.lower()
        for hints, pattern, replace in self._patterns:
            if any(hint in lowered for hint in hints):
                s = pattern.sub(replace, s)
        s = redact_bare_aws_secrets(s)
        s = redact_assignments(s, s.lower())
        return s

    def value(self, obj: Any) -> Any:
        """Redact strings inside dicts, lists and tuples (a new object; keys are kept).

        A string under a secret-looking key (``api_key``, ``token``, ``Authorization``,
        ``password``, ``secret``...) is replaced whole.
        """
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, dict):
            return {key: self._item(key, item) for key, item in obj.items()}
        if isinstance(obj, list):
            return [self.value(item) for item in obj]
        if isinstance(obj, tuple):
            return tuple(self.value(item) for item in obj)
        return obj

    def _item(self, key: Any, item: Any) -> Any:
        if (
            isinstance(key, str)
            and isinstance(item, str)
            and item
            and item.lower() not in BORING_VALUES
            and not item.startswith(PLACEHOLDER_PREFIX)
            and name_looks_secret(key)
        ):
            return placeholder(key)
        return self.value(item)

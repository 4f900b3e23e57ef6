"""Checks for shell commands written by small models (no execution)."""

from __future__ import annotations

import re
import shlex
import shutil

_BUILTINS = """alias bg bind break builtin cd command compgen complete continue declare dirs disown echo
enable eval exec exit export false fc fg getopts hash help history jobs kill let local logout mapfile popd
printf pushd pwd read readarray readonly return set shift shopt source suspend test times trap true type
typeset ulimit umask unalias unset wait . [ [[ ]] if then else elif fi for while until do done case esac
function select time { } ! in"""
BASH_BUILTINS = frozenset(_BUILTINS.split())

_SEPARATORS = re.compile(r"\|\||&&|[|;&\n()]")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def unknown_commands(command: str) -> list[str]:
    """Programs a command line starts that are neither bash builtins nor found on ``PATH``."""
    unknown: list[str] = []
    for segment in _SEPARATORS.split(command):
        try:
            words = shlex.split(segment, comments=True)
        except ValueError:
            return []  # unbalanced quotes: leave it to bash to report
        words = [w for w in words if not _ASSIGNMENT.match(w)]
        if not words:
            continue
        program = words[0]
        if program in BASH_BUILTINS or "/" in program or "$" in program or program.startswith("-"):
            continue
        if shutil.which(program) is None and program not in unknown:
            unknown.append(program)
    return unknown

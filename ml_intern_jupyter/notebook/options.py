"""Parsing of ``%%intern`` options."""

from __future__ import annotations

import argparse
import shlex
from dataclasses import dataclass

CELL_USAGE = "%%intern [--model M] [--max-iterations N] [--yolo] [--no-stream] [--new] [--session NAME] [--background]"


class UsageError(ValueError):
    """Bad magic arguments; the message says what was wrong and the usage."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would exit the kernel's process
        raise UsageError(f"{message}. Usage: {self.usage}")


@dataclass(frozen=True)
class CellOptions:
    """Options of one ``%%intern`` cell."""

    model: str | None = None
    max_iterations: int | None = None
    yolo: bool = False
    no_stream: bool = False
    new: bool = False
    session: str = "default"
    background: bool = False


def _parser() -> _Parser:
    parser = _Parser(prog="%%intern", usage=CELL_USAGE, add_help=False)
    parser.add_argument("--model")
    parser.add_argument("--max-iterations", type=int)
    parser.add_argument("--yolo", action="store_true")
    parser.add_argument("--no-stream", action="store_true")
    parser.add_argument("--new", action="store_true")
    parser.add_argument("--session", default="default")
    parser.add_argument("--background", action="store_true")
    return parser


def parse_cell_options(line: str) -> CellOptions:
    """Parse the ``%%intern`` line; raises :class:`UsageError`."""
    try:
        words = shlex.split(line)
    except ValueError as exc:
        raise UsageError(f"cannot parse options ({exc}). Usage: {CELL_USAGE}") from None
    ns = _parser().parse_args(words)
    if ns.max_iterations is not None and ns.max_iterations < 1:
        raise UsageError(f"--max-iterations must be at least 1. Usage: {CELL_USAGE}")
    return CellOptions(
        model=ns.model,
        max_iterations=ns.max_iterations,
        yolo=ns.yolo,
        no_stream=ns.no_stream,
        new=ns.new,
        session=ns.session,
        background=ns.background,
    )

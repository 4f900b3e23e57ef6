"""The ``ml-intern`` command: headless one-shot runs and a thin interactive chat."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from ..agent.config import ConfigError, load_config, resolve_data_dir
from ..agent.default_tools import default_router
from ..agent.llm import ModelIdError
from ..agent.session import Session
from ..gateways import Notifier, attach_gateways
from ..traces.store import SessionStore, SessionWriter, sessions_dir
from .render import TerminalRenderer

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def build_parser() -> argparse.ArgumentParser:
    """The command-line options."""
    parser = argparse.ArgumentParser(
        prog="ml-intern",
        description="ML Intern: an autonomous ML engineer. With a prompt it runs headless "
        "(every tool call auto-approved); without one it opens an interactive chat.",
    )
    parser.add_argument("prompt", nargs="?", help="the task; omit for interactive chat")
    parser.add_argument("--model", help="model id, e.g. anthropic/claude-sonnet-4-5-20250929, ollama/llama3.1:8b")
    parser.add_argument("--max-iterations", type=int, help="cap on model calls per turn (default 300)")
    parser.add_argument("--no-stream", action="store_true", help="wait for whole replies instead of streaming")
    parser.add_argument("--config", help="a config JSON file (default: ML_INTERN_CONFIG or ~/.config/ml-intern)")
    return parser


def make_session(
    args: argparse.Namespace, *, headless: bool, renderer: TerminalRenderer, writer: SessionWriter | None = None
) -> Session:
    """A session configured from the command line (raises ConfigError / ModelIdError)."""
    overrides: dict = {}
    if args.max_iterations is not None:
        overrides["max_iterations"] = args.max_iterations
    if args.no_stream:
        overrides["stream"] = False
    if headless:
        overrides["yolo"] = True
    config = load_config(args.config, overrides=overrides)
    store = SessionStore(sessions_dir(resolve_data_dir(config)), writer) if writer is not None else None
    session = Session(config, model=args.model, tools=default_router(config), sinks=[renderer], store=store)
    notifier = attach_gateways(session)
    session.tools_changed()
    return session, notifier


async def run_headless(session: Session, prompt: str, notifier: Notifier | None = None) -> int:
    """Run one task; the exit code says how it ended."""
    try:
        outcome = await session.run_turn(prompt)
    finally:
        if notifier is not None:
            await notifier.drain(timeout=5)  # let the last Slack posts go out
    if outcome.stop_reason == "interrupted":
        return EXIT_INTERRUPTED
    return EXIT_OK if outcome.ok else EXIT_ERROR


async def run_interactive(session: Session, notifier: Notifier | None = None) -> int:
    """The interactive chat; pending Slack posts go out before it returns."""
    from .chat import run_chat

    try:
        return await run_chat(session)
    finally:
        if notifier is not None:
            await notifier.drain(timeout=5)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ml-intern`` console script."""
    args = build_parser().parse_args(argv)
    if args.max_iterations is not None and args.max_iterations < 1:
        print("ml-intern: --max-iterations must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    renderer = TerminalRenderer()
    writer = SessionWriter()
    try:
        return _run(args, renderer, writer)
    finally:
        writer.close()


def _run(args: argparse.Namespace, renderer: TerminalRenderer, writer: SessionWriter) -> int:
    try:
        session, notifier = make_session(args, headless=bool(args.prompt), renderer=renderer, writer=writer)
    except (ConfigError, ModelIdError) as exc:
        print(f"ml-intern: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if session.model_notice:
        print(f"ml-intern: {session.model_notice}", file=sys.stderr)
    try:
        if args.prompt:
            return asyncio.run(run_headless(session, args.prompt, notifier))
        return asyncio.run(run_interactive(session, notifier))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    raise SystemExit(main())

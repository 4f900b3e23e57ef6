"""The ``ml-intern`` command: headless one-shot runs and a thin interactive chat."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from ..agent.builder import BuiltSession, FrontEnd, build_session
from ..agent.config import ConfigError, load_config
from ..agent.model import ModelIdError
from ..protocol import UserInput
from .mcp_consent import ProjectServerConsent
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
    args: argparse.Namespace, front: FrontEnd, renderer: TerminalRenderer, consent: ProjectServerConsent | None = None
) -> BuiltSession:
    """A session configured from the command line (raises ConfigError / ModelIdError)."""
    overrides: dict = {}
    if args.max_iterations is not None:
        overrides["max_iterations"] = args.max_iterations
    if args.no_stream:
        overrides["stream"] = False
    if args.prompt:
        overrides["yolo"] = True
    config = load_config(args.config, overrides=overrides)
    if args.model:
        front.factory.check(args.model)
    variant = "headless" if args.prompt else "cli"
    return build_session(front, config=config, variant=variant, model=args.model, sinks=[renderer], consent=consent)


HEADLESS_MCP_WAIT = 5.0
"""Seconds a one-shot run waits for its MCP servers before the first turn (nobody can retry it)."""


async def run_headless(built: BuiltSession, prompt: str) -> int:
    """Run one task (project .mcp.json servers stay off: nobody is there to allow them)."""
    built.start_services()
    await built.mcp.wait_ready(HEADLESS_MCP_WAIT)
    try:
        outcome = await built.session.submit(UserInput(prompt))
    finally:
        await built.aclose()  # let the last Slack posts go out
    if outcome.stop_reason == "interrupted":
        return EXIT_INTERRUPTED
    return EXIT_OK if outcome.ok else EXIT_ERROR


async def run_interactive(built: BuiltSession, front: FrontEnd | None = None) -> int:
    """The interactive chat; pending Slack posts go out before it returns."""
    from .chat import run_chat
    from .hub_token import HubTokenPrompt

    hub_token = HubTokenPrompt(front.secrets, built.session.config.env) if front is not None else None
    built.start_services()
    try:
        return await run_chat(built.session, hub_token=hub_token, mcp=built.mcp)
    finally:
        await built.aclose()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ml-intern`` console script."""
    args = build_parser().parse_args(argv)
    if args.max_iterations is not None and args.max_iterations < 1:
        print("ml-intern: --max-iterations must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    try:
        env = load_config(args.config).env
    except ConfigError as exc:
        print(f"ml-intern: {exc}", file=sys.stderr)
        return EXIT_USAGE
    front = FrontEnd.create(env, quiet_litellm=True)  # the CLI owns its process: litellm may stay quiet
    try:
        return _run(args, front)
    finally:
        front.close()


def _run(args: argparse.Namespace, front: FrontEnd) -> int:
    renderer = TerminalRenderer()
    consent = ProjectServerConsent()
    try:
        built = make_session(args, front, renderer, consent)
    except (ConfigError, ModelIdError) as exc:
        print(f"ml-intern: {exc}", file=sys.stderr)
        return EXIT_USAGE
    notice = built.session.take_notice()
    if notice:
        print(f"ml-intern: {notice}", file=sys.stderr)
    try:
        if args.prompt:
            return asyncio.run(run_headless(built, args.prompt))
        consent.ask(built.mcp.project_servers())
        return asyncio.run(run_interactive(built, front))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    raise SystemExit(main())

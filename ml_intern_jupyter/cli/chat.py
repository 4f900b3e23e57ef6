"""The interactive terminal chat: prompts, y/n/a approvals and the shared slash commands."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from ..agent.session import Session
from ..commands import CLI, Command, CommandContext, Registry, Reply, TraceExports, default_registry
from ..protocol import ApprovalRequired, ApprovalScope, Event, ExecApproval, Interrupt, UserInput
from .hub_token import HubTokenPrompt
from .plain import markdown_to_text
from .render import format_arguments

Ask = Callable[[str], Awaitable[str]]
QUIT = "quit"


async def _ask_stdin(prompt: str) -> str:
    return await asyncio.to_thread(input, prompt)


def cli_registry() -> Registry:
    """The shared commands plus ``/quit``."""
    registry = default_registry(CLI)

    async def quit_command(ctx: CommandContext, args: list[str]) -> Reply:
        """Leave (Ctrl-D also works)."""
        return Reply("Bye.")  # the chat loop leaves before running it

    registry.add(Command("quit", "", "Leave (Ctrl-D also works).", quit_command, frozenset({"cli"})))
    return registry


async def run_chat(
    session: Session, ask: Ask = _ask_stdin, hub_token: HubTokenPrompt | None = None, mcp: Any = None
) -> int:
    """Read-eval loop until /quit or end of input; ``hub_token`` asks for a token before a Hub write;
    ``mcp`` (the session's ``McpServices``) answers ``/mcp``."""
    approvals: asyncio.Queue[ApprovalRequired] = asyncio.Queue()
    registry = cli_registry()
    exports = TraceExports(session.config.env)

    def collect(event: Event) -> None:
        if isinstance(event, ApprovalRequired):
            approvals.put_nowait(event)

    session.add_sink(collect)
    print(f"ML Intern ({session.model_id}). /help for commands, /quit to leave.")
    while True:
        try:
            line = (await ask("> ")).strip()
        except EOFError:
            return 0
        if not line:
            continue
        if line.startswith("/"):
            if await handle_command(session, line, registry, exports, mcp) == QUIT:
                return 0
            continue
        await _run_turn_with_approvals(session, line, approvals, ask, hub_token)


async def handle_command(
    session: Session,
    line: str,
    registry: Registry | None = None,
    exports: TraceExports | None = None,
    mcp: Any = None,
) -> str | None:
    """Run one slash command and print its reply; returns ``quit`` to leave."""
    name = line[1:].split(" ", 1)[0]
    if name in (QUIT, "exit"):
        return QUIT
    registry = registry or cli_registry()
    extra = {"exports": exports or TraceExports(session.config.env), "mcp": mcp}
    context = CommandContext(CLI, session, lambda reply: print(markdown_to_text(reply.markdown)), extra)
    reply = await registry.run(line[1:], context)
    if reply is not None:
        print(markdown_to_text(reply.markdown))
    return None


async def _run_turn_with_approvals(
    session: Session,
    text: str,
    approvals: asyncio.Queue[ApprovalRequired],
    ask: Ask,
    hub_token: HubTokenPrompt | None = None,
) -> None:
    turn = asyncio.create_task(session.submit(UserInput(text)))
    try:
        while not turn.done():
            getter = asyncio.create_task(approvals.get())
            done, _ = await asyncio.wait({turn, getter}, return_when=asyncio.FIRST_COMPLETED)
            if getter not in done:
                getter.cancel()
                break
            await _decide(session, getter.result(), ask, hub_token)
        await turn
    except (KeyboardInterrupt, asyncio.CancelledError):
        await session.submit(Interrupt())
        await asyncio.gather(turn, return_exceptions=True)


async def _decide(
    session: Session, request: ApprovalRequired, ask: Ask, hub_token: HubTokenPrompt | None = None
) -> None:
    print(f"\n? {request.name} wants to run ({request.reason or 'needs approval'}):")
    for key, value in request.details.items():
        print(f"  {key}: {value}")
    print("  " + format_arguments(request.arguments))
    answer = (await ask("  approve? [y]es / [n]o / [a]ll this session: ")).strip().lower()
    call_id = request.tool_call_id
    if answer[:1] in ("a", "y") and hub_token is not None:
        await hub_token.before_hub_write(request.name)
    if answer.startswith("a"):
        await session.submit(ExecApproval(call_id, approved=True, scope=ApprovalScope.SESSION))
        return
    if answer.startswith("y"):
        await session.submit(ExecApproval(call_id, approved=True))
        return
    feedback = (await ask("  feedback for the agent (optional): ")).strip() or None
    await session.submit(ExecApproval(call_id, approved=False, feedback=feedback))

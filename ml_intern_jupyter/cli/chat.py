"""The interactive terminal chat: prompts, y/n approvals and a few slash commands."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from ..agent.llm import KNOWN_MODELS, ModelIdError
from ..agent.session import Session
from ..protocol import ApprovalRequired, Event, ExecApproval
from .render import format_arguments

Ask = Callable[[str], Awaitable[str]]

HELP = """\
/model [ID]     show or switch the model
/yolo on|off    auto-approve every tool call
/undo           drop the last turn
/compact        summarise the history
/new            start a new conversation
/status         model, tokens, session id
/quit           leave (Ctrl-D also works)"""


async def _ask_stdin(prompt: str) -> str:
    return await asyncio.to_thread(input, prompt)


async def run_chat(session: Session, ask: Ask = _ask_stdin) -> int:
    """Read-eval loop until /quit or end of input."""
    approvals: asyncio.Queue[ApprovalRequired] = asyncio.Queue()

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
            if await handle_command(session, line) == "quit":
                return 0
            continue
        await _run_turn_with_approvals(session, line, approvals, ask)


async def _run_turn_with_approvals(
    session: Session, text: str, approvals: asyncio.Queue[ApprovalRequired], ask: Ask
) -> None:
    turn = asyncio.create_task(session.run_turn(text))
    try:
        while not turn.done():
            getter = asyncio.create_task(approvals.get())
            done, _ = await asyncio.wait({turn, getter}, return_when=asyncio.FIRST_COMPLETED)
            if getter not in done:
                getter.cancel()
                break
            await _decide(session, getter.result(), ask)
        await turn
    except (KeyboardInterrupt, asyncio.CancelledError):
        session.interrupt()
        await asyncio.gather(turn, return_exceptions=True)


async def _decide(session: Session, request: ApprovalRequired, ask: Ask) -> None:
    print(f"\n? {request.name} wants to run ({request.reason or 'needs approval'}):")
    print("  " + format_arguments(request.arguments))
    answer = (await ask("  approve? [y]es / [n]o / [a]ll this session: ")).strip().lower()
    if answer.startswith("a"):
        session.approve_all()
        return
    if answer.startswith("y"):
        session.broker.decide(ExecApproval(request.tool_call_id, approved=True))
        return
    feedback = (await ask("  feedback for the agent (optional): ")).strip() or None
    session.broker.decide(ExecApproval(request.tool_call_id, approved=False, feedback=feedback))


async def handle_command(session: Session, line: str) -> str | None:
    """Run one slash command; returns "quit" to leave."""
    name, _, arg = line[1:].partition(" ")
    arg = arg.strip()
    if name in ("quit", "exit"):
        return "quit"
    if name == "help":
        print(HELP)
    elif name == "model":
        _model_command(session, arg)
    elif name == "yolo":
        if arg not in ("on", "off"):
            print("usage: /yolo on|off")
        else:
            session.yolo = arg == "on"
            print(f"yolo {'on: every tool call is auto-approved' if session.yolo else 'off'}")
    elif name == "undo":
        session.undo()
    elif name == "compact":
        await session.compact()
    elif name == "new":
        print(f"new session {session.new()}")
    elif name == "status":
        print(
            f"session {session.id}, model {session.model_id}, yolo {session.yolo}, "
            f"tokens {session.prompt_tokens} in / {session.completion_tokens} out, "
            f"history ~{session.context.token_count()} tokens"
        )
    else:
        print(f"unknown command /{name}; /help lists them")
    return None


def _model_command(session: Session, arg: str) -> None:
    if not arg:
        print(f"current model: {session.model_id}\nexamples:\n  " + "\n  ".join(KNOWN_MODELS))
        return
    try:
        session.set_model(arg)
    except ModelIdError as exc:
        print(exc)
        return
    print(f"model set to {session.model_id}")

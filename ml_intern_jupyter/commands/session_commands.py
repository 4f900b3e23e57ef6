"""The commands every front end has: model, yolo, undo, compact, new, status, tools, history, resume."""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import Awaitable, Callable
from typing import Any

from ..agent.config import resolve_data_dir
from ..agent.model import KNOWN_MODELS
from ..protocol import Compact, ErrorEvent, Event, New, Operation, Resume, SetModel, SetYolo, Undo
from ..traces.recorder import list_sessions, sessions_dir
from .registry import Command, CommandContext, CommandError, Reply, table_cell


async def submit_and_collect(session: Any, op: Operation) -> tuple[Any, list[ErrorEvent]]:
    """Submit ``op`` and return its result with the error events it caused (refusals, bad ids)."""
    errors: list[ErrorEvent] = []

    def collect(event: Event) -> None:
        if isinstance(event, ErrorEvent):
            errors.append(event)

    session.add_sink(collect)
    try:
        return await session.submit(op), errors
    finally:
        session.remove_sink(collect)


def error_reply(errors: list[ErrorEvent], fallback: str) -> Reply:
    """The first collected error as a reply."""
    if not errors:
        return Reply(fallback, "error")
    first = errors[0]
    return Reply(first.message + (f"\n\n{first.fix}" if first.fix else ""), "error")


def _no_args(args: list[str]) -> None:
    if args:
        raise CommandError("This command takes no arguments.")


async def model(ctx: CommandContext, args: list[str]) -> Reply:
    """Show the model and examples, or switch to another (checked first; a bad id is not kept)."""
    session = ctx.session
    if not args:
        examples = "\n".join(f"- `{m}`" for m in KNOWN_MODELS)
        return Reply(f"Model: `{session.model_id}`\n\nExamples:\n\n{examples}")
    if len(args) != 1:
        raise CommandError("Give one model id.")
    ok, errors = await submit_and_collect(session, SetModel(args[0]))
    if not ok:
        return error_reply(errors, f"The model stays `{session.model_id}`.")
    return Reply(f"Model set to `{session.model_id}`.")


async def yolo(ctx: CommandContext, args: list[str]) -> Reply:
    """Auto-approve every call of this session, or stop doing so."""
    if args not in (["on"], ["off"]):
        raise CommandError(f"Say {ctx.front.command('yolo', 'on')} or {ctx.front.command('yolo', 'off')}.")
    on = await ctx.session.submit(SetYolo(args[0] == "on"))
    cap = ctx.session.status().budget_usd
    state = f"on: tool calls run without asking (jobs stop at the `${cap:g}` spending cap)" if on else "off"
    return Reply(f"yolo {state}.")


async def undo(ctx: CommandContext, args: list[str]) -> Reply:
    """Drop the last turn: your message and everything after it."""
    _no_args(args)
    event, errors = await submit_and_collect(ctx.session, Undo())
    if event is None:
        return error_reply(errors, "Could not undo.")
    if not event.removed_messages:
        return Reply("Nothing to undo.")
    return Reply(f"Undid your last message: “{event.user_message[:80]}”.")


async def compact(ctx: CommandContext, args: list[str]) -> Reply:
    """Summarise the middle of the history to save context."""
    _no_args(args)
    event, errors = await submit_and_collect(ctx.session, Compact())
    if event is None:
        return error_reply(errors, "Could not compact.")
    if not event.removed_messages:
        return Reply("Nothing to compact yet.")
    return Reply(f"Compacted: {event.old_tokens:,} → {event.new_tokens:,} tokens.")


async def new(ctx: CommandContext, args: list[str]) -> Reply:
    """Start a fresh conversation (the old one stays saved)."""
    _no_args(args)
    session_id, errors = await submit_and_collect(ctx.session, New())
    if session_id is None:
        return error_reply(errors, "Could not start a new conversation.")
    return Reply(f"New conversation `{session_id}`.")


async def status(ctx: CommandContext, args: list[str]) -> Reply:
    """Model, state, approvals, tokens and spend."""
    _no_args(args)
    s = ctx.session.status()
    rows = [
        ("session", f"`{s.session_id}`"),
        ("model", f"`{s.model}`"),
        ("state", "working" if s.busy else "idle"),
        ("pending approvals", str(len(s.pending_approvals))),
        ("yolo", "on" if s.yolo else "off"),
        ("tokens", f"{s.prompt_tokens:,} in / {s.completion_tokens:,} out"),
        ("estimated spend", f"`${s.spend_usd:.2f}` of the `${s.budget_usd:g}` yolo cap"),  # code: not TeX math
        ("history", f"{s.turns} turn(s), ~{s.history_tokens:,} tokens"),
    ]
    rows += ctx.extra.get("status_rows", ())
    return Reply("| | |\n| --- | --- |\n" + "\n".join(f"| {k} | {table_cell(v)} |" for k, v in rows))


def _asks(spec: Any) -> str:
    if spec.always_ask:
        return "always asks, even in yolo mode" if spec.always_ask is True else "depends on the call"
    if spec.needs_approval is True:
        return "asks first"
    return "depends on the call" if callable(spec.needs_approval) else "runs without asking"


async def tools(ctx: CommandContext, args: list[str]) -> Reply:
    """The tools the agent can call, and which ones ask first."""
    _no_args(args)
    router = ctx.session.tools
    rows = [f"| `{name}` | {_asks(router.get(name))} |" for name in router.names()]
    return Reply("**Tools**\n\n| tool | approval |\n| --- | --- |\n" + "\n".join(rows))


async def history(ctx: CommandContext, args: list[str]) -> Reply:
    """Saved sessions: id, start, model, turns and first message."""
    _no_args(args)
    directory = sessions_dir(resolve_data_dir(ctx.session.config))
    saved = await asyncio.to_thread(list_sessions, directory)
    if not saved:
        return Reply("No saved sessions yet.")
    rows = []
    for item in saved[:50]:
        started = datetime.datetime.fromtimestamp(item.started).strftime("%Y-%m-%d %H:%M")
        here = " (this one)" if item.session_id == ctx.session.id else ""
        first = table_cell(" ".join(item.first_message.split())[:60])
        rows.append(f"| `{item.session_id}`{here} | {started} | `{item.model}` | {item.turns} | {first} |")
    more = f"\n\n… and {len(saved) - 50} older sessions." if len(saved) > 50 else ""
    table = "| id | started | model | turns | first message |\n| --- | --- | --- | --- | --- |\n" + "\n".join(rows)
    return Reply(f"**Saved sessions**\n\n{table}{more}\n\nRestore one with {ctx.front.command('resume', 'ID')}.")


async def resume(ctx: CommandContext, args: list[str]) -> Reply:
    """Restore a saved session (an id or a unique prefix) into this one."""
    if len(args) != 1:
        raise CommandError(f"Give one session id ({ctx.front.command('history')} lists them).")
    event, errors = await submit_and_collect(ctx.session, Resume(session_id=args[0]))
    if event is None:
        return error_reply(errors, "Could not resume.")
    text = f"Resumed `{ctx.session.id}`: {ctx.session.status().turns} turn(s), {event.restored_messages} message(s)."
    if event.notes:
        text += "\n\nNot restored:\n\n" + "\n".join(f"- {note}" for note in event.notes)
    return Reply(text)


def _command(name: str, usage: str, handler: Callable[[CommandContext, list[str]], Awaitable[Reply | None]]) -> Command:
    return Command(name, usage, (handler.__doc__ or "").strip().splitlines()[0], handler)


SESSION_COMMANDS: tuple[Command, ...] = (
    _command("model", "[ID]", model),
    _command("yolo", "on|off", yolo),
    _command("undo", "", undo),
    _command("compact", "", compact),
    _command("new", "", new),
    _command("history", "", history),
    _command("resume", "ID", resume),
    _command("status", "", status),
    _command("tools", "", tools),
)

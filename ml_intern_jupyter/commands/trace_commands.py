"""``export`` and ``share-traces``: the session as a trace dataset on the Hub (only when asked)."""

from __future__ import annotations

from ..traces.hub_export import HubExportError
from .exports import TraceExports
from .registry import Command, CommandContext, CommandError, Reply

LARGE_UPLOAD = 256_000
"""Bytes above which the size of an upload is announced before it starts."""


def _exports(ctx: CommandContext) -> TraceExports:
    return ctx.extra["exports"]


async def export(ctx: CommandContext, args: list[str]) -> Reply:
    """Upload the session to your private trace dataset, or write it to a file with --to PATH."""
    session, front = ctx.session, ctx.front
    local = f"Or write the trace to a file: {front.command('export', '--to session.jsonl')}."
    try:
        if args[:1] == ["--to"] and len(args) == 2:
            path = await _exports(ctx).export_to(session, args[1])
            return Reply(f"Wrote {session.history.user_turns()} turn(s) of `{session.id}` to `{path}`.")
        if args:
            raise CommandError(f"Say {front.command('export')} (to the Hub) or {front.command('export', '--to PATH')}.")
        ctx.show(Reply(f"Exporting `{session.id}` to your trace dataset…"))

        def progress(done: int, total: int) -> None:
            if done == 0 and total > LARGE_UPLOAD:
                ctx.show(Reply(f"Uploading {total / 1e6:.1f} MB…"))

        result = await _exports(ctx).export(session, progress)
    except HubExportError as exc:
        return Reply(f"{exc}\n\n{local}", "error")
    state = "Uploaded" if result.changed else "Already up to date"
    visibility = "private" if result.private else "public"
    return Reply(f"{state}: {result.url} ({visibility}), file `{result.path_in_repo}`.")


async def share_traces(ctx: CommandContext, args: list[str]) -> Reply:
    """Show the trace dataset's visibility, or make it public or private."""
    if args not in ([], ["public"], ["private"]):
        raise CommandError("Say `share-traces`, `share-traces public` or `share-traces private`.")
    session = ctx.session
    auto = "on" if session.config.share_traces else "off (set `share_traces: true` in your config)"
    try:
        if not args:
            repo_id, private = await _exports(ctx).visibility(session)
            shown = {None: "not created yet", True: "private", False: "public"}[private]
            return Reply(f"Trace dataset `{repo_id}`: {shown}. Automatic sharing after each turn: {auto}.")
        status = await _exports(ctx).set_visibility(session, private=args[0] == "private")
    except HubExportError as exc:
        return Reply(str(exc), "error")
    return Reply(f"{status.url} is now {'private' if status.private else 'public'}.")


TRACE_COMMANDS: tuple[Command, ...] = (
    Command("export", "[--to PATH]", "Export the session as a trace dataset on the Hub, or to a file.", export),
    Command("share-traces", "[public|private]", "Show or flip the trace dataset's visibility.", share_traces),
)

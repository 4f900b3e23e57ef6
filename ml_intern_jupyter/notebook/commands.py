"""``%intern <command>`` line commands, mirroring the CLI's slash commands."""

from __future__ import annotations

import asyncio
import datetime
import linecache
import shlex
import sys
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from ..agent.config import load_config, resolve_data_dir
from ..agent.llm import KNOWN_MODELS, ModelIdError
from ..traces.hub_export import HubExportError
from ..traces.store import list_sessions, read_session, sessions_dir
from .cards import Notice
from .kernel_agent import KernelAgent

COMMANDS: dict[str, str] = {
    "model": "model [ID] — show the model (and examples) or switch to ID",
    "yolo": "yolo on|off — auto-approve every tool call in this session",
    "undo": "undo — drop the last turn (your message and everything after it)",
    "compact": "compact — summarise the history to save context",
    "new": "new — start a fresh conversation",
    "history": "history — saved sessions (id, start, model, turns, first message)",
    "resume": "resume ID — restore a saved session (an id or a unique prefix) into this kernel",
    "status": "status — model, tokens, approvals, background runs",
    "tools": "tools — the tools the agent can call and which ones ask first",
    "fix": "fix — send the last error and its cell to the agent to diagnose and fix",
    "stop": "stop [SESSION] — interrupt a running (e.g. --background) turn",
    "export": "export [--to PATH] — export the session as a trace dataset",
    "share-traces": "share-traces [public|private] — show or flip the trace dataset's visibility",
    "mcp": "mcp — MCP servers and their tools",
    "help": "help — this list",
}

NOT_YET = {
    "mcp": "MCP servers are not wired into the notebook yet.",
}


class CommandError(ValueError):
    """A bad ``%intern`` command line; the message says what to type instead."""


def help_text() -> str:
    """All commands, one per line."""
    return "%intern commands:\n" + "\n".join(f"  {text}" for text in COMMANDS.values())


class Commands:
    """Dispatches ``%intern`` lines to handlers; each returns a displayable or None."""

    def __init__(self, agent: KernelAgent) -> None:
        self.agent = agent

    async def run(self, line: str) -> None:
        """Run one command line, showing its result or a clear error."""
        try:
            words = shlex.split(line)
        except ValueError as exc:
            self.agent.show(Notice(f"Cannot parse `%intern {line}`: {exc}", fix="Check the quotes."))
            return
        name, args = (words[0], words[1:]) if words else ("help", [])
        handler: Callable[[list[str]], Any] | None = getattr(self, "_" + name.replace("-", "_"), None)
        if name in NOT_YET:
            self.agent.show(Notice(f"`%intern {name}` is not available yet. {NOT_YET[name]}", level="warning"))
            return
        if name not in COMMANDS or handler is None:
            self.agent.show(Notice(f"Unknown command `%intern {name}`.", fix=help_text()))
            return
        try:
            result = handler(args)
            if isinstance(result, Awaitable):
                result = await result
        except CommandError as exc:
            self.agent.show(Notice(str(exc), fix=COMMANDS[name]))
            return
        if result is not None:
            self.agent.show(result)

    # -- handlers -------------------------------------------------------------------
    def _help(self, args: list[str]) -> Notice:
        return Notice(help_text(), level="info")

    def _model(self, args: list[str]) -> Notice:
        session = self.agent.session()
        if not args:
            examples = "\n".join(f"  {m}" for m in KNOWN_MODELS)
            return Notice(f"Model: {session.model_id}\nExamples:\n{examples}", level="info")
        if len(args) != 1:
            raise CommandError("`%intern model` takes one model id.")
        try:
            session.set_model(args[0])
        except ModelIdError as exc:
            raise CommandError(str(exc)) from None
        return Notice(f"Model set to {session.model_id}.", level="info")

    def _yolo(self, args: list[str]) -> Notice:
        if args not in (["on"], ["off"]):
            raise CommandError("Say `%intern yolo on` or `%intern yolo off`.")
        session = self.agent.session()
        session.yolo = args[0] == "on"
        state = "on: tool calls run without asking" if session.yolo else "off: risky calls ask first"
        return Notice(f"yolo {state}.", level="info")

    def _no_args(self, name: str, args: list[str]) -> None:
        if args:
            raise CommandError(f"`%intern {name}` takes no arguments.")

    def _undo(self, args: list[str]) -> Notice | None:
        self._no_args("undo", args)
        event = self.agent.session().undo()
        if event is None:
            return None
        if not event.removed_messages:
            return Notice("Nothing to undo.", level="info")
        return Notice(f"Undid your last message: {event.user_message[:80]!r}.", level="info")

    async def _compact(self, args: list[str]) -> Notice | None:
        self._no_args("compact", args)
        event = await self.agent.session().compact()
        if event is None:
            return None
        if not event.removed_messages:
            return Notice("Nothing to compact yet.", level="info")
        return Notice(f"Compacted: {event.old_tokens:,} → {event.new_tokens:,} tokens.", level="info")

    def _new(self, args: list[str]) -> Notice:
        self._no_args("new", args)
        session = self.agent.session()
        if session.new() is None:
            raise CommandError("The session is busy; `%intern stop` it first.")
        return Notice(f"New conversation {session.id}.", level="info")

    async def _history(self, args: list[str]) -> Notice:
        self._no_args("history", args)
        saved = await asyncio.to_thread(list_sessions, self._sessions_dir())
        if not saved:
            return Notice("No saved sessions yet.", level="info")
        live = {session.id: name for name, session in self.agent.sessions.items()}
        lines = ["id                         started           model                          turns  first message"]
        for item in saved[:50]:
            started = datetime.datetime.fromtimestamp(item.started).strftime("%Y-%m-%d %H:%M")
            here = f"  (this kernel: {live[item.session_id]})" if item.session_id in live else ""
            first = item.first_message.replace("\n", " ")[:50]
            lines.append(f"{item.session_id:26s} {started}  {item.model[:30]:30s} {item.turns:5d}  {first!r}{here}")
        if len(saved) > 50:
            lines.append(f"… {len(saved) - 50} older sessions")
        return Notice("\n".join(lines) + "\n\nRestore one with `%intern resume ID`.", level="info")

    def _sessions_dir(self) -> Path:
        try:
            config = self.agent.sessions[self.agent.active].config
        except KeyError:
            config = load_config()
        return sessions_dir(resolve_data_dir(config))

    async def _resume(self, args: list[str]) -> Notice:
        if len(args) != 1:
            raise CommandError("Say `%intern resume ID` (see `%intern history` for ids).")
        directory = self._sessions_dir()
        matches = sorted(directory.glob(f"{args[0]}*.jsonl")) if directory.is_dir() else []
        if len(matches) != 1:
            found = "no session" if not matches else f"{len(matches)} sessions"
            raise CommandError(f"{found} matches {args[0]!r}; `%intern history` lists the ids.")
        saved = await asyncio.to_thread(read_session, matches[0])
        session = self.agent.session()
        if session.busy:
            raise CommandError("The session is busy; `%intern stop` it first.")
        notes = session.resume(saved.messages, saved.session_id, started=saved.started) + saved.notes
        text = f"Resumed {saved.session_id}: {saved.turns} turn(s), {len(saved.messages) - 1} message(s)."
        if notes:
            text += "\nNot restored:\n" + "\n".join(f"  {note}" for note in notes)
        return Notice(text, level="info")

    def _status(self, args: list[str]) -> Notice:
        self._no_args("status", args)
        session = self.agent.session()
        background = ", ".join(self.agent.running_background()) or "none"
        pending = len(session.broker.pending())
        return Notice(
            f"session {self.agent.active} ({session.id}) · model {session.model_id} · "
            f"{'working' if session.busy else 'idle'} · {pending} approval(s) pending · "
            f"yolo {'on' if session.yolo else 'off'} · tokens {session.prompt_tokens:,} in / "
            f"{session.completion_tokens:,} out · history ~{session.context.token_count():,} tokens · "
            f"background runs: {background}",
            level="info",
        )

    def _tools(self, args: list[str]) -> Notice:
        self._no_args("tools", args)
        session = self.agent.session()
        lines = []
        for name in session.tools.names():
            spec = session.tools.get(name)
            asks = "asks first" if spec.needs_approval is True else "may ask" if callable(spec.needs_approval) else ""
            lines.append(f"  {name:20s} {asks}")
        return Notice("Tools:\n" + "\n".join(lines), level="info")

    def _stop(self, args: list[str]) -> Notice:
        stopped = self.agent.stop(args[0] if args else None)
        if not stopped:
            return Notice("Nothing is running.", level="info")
        return Notice(f"Interrupted: {', '.join(stopped)}.", level="info")

    async def _export(self, args: list[str]) -> Notice:
        session = self.agent.session()
        if args[:1] == ["--to"] and len(args) == 2:
            path = await self.agent.exports.export_to(session, args[1])
            return Notice(f"Wrote {session.context.user_turns()} turn(s) of {session.id} to {path}.", level="info")
        if args:
            raise CommandError("Say `%intern export` (to the Hub) or `%intern export --to PATH`.")
        self.agent.show(Notice(f"Exporting {session.id} to your trace dataset…", level="info"))

        def progress(done: int, total: int) -> None:
            if done == 0 and total > 256_000:  # large upload: say how large
                self.agent.show(Notice(f"Uploading {total / 1e6:.1f} MB…", level="info"))

        try:
            result = await self.agent.exports.export(session, progress)
        except HubExportError as exc:
            return Notice(str(exc), fix="Or write the trace locally: `%intern export --to session.jsonl`.")
        state = "Uploaded" if result.changed else "Already up to date"
        visibility = "private" if result.private else "public"
        return Notice(f"{state}: {result.url} ({visibility}), file {result.path_in_repo}.", level="info")

    async def _share_traces(self, args: list[str]) -> Notice:
        if args not in ([], ["public"], ["private"]):
            raise CommandError("Say `%intern share-traces`, `%intern share-traces public` or `... private`.")
        session = self.agent.session()
        auto = "on" if session.config.share_traces else "off (set share_traces: true in your config)"
        try:
            if not args:
                repo_id, private = await self.agent.exports.visibility(session)
                shown = {None: "not created yet", True: "private", False: "public"}[private]
                return Notice(
                    f"Trace dataset {repo_id}: {shown}. Automatic sharing after each turn: {auto}.", level="info"
                )
            status = await self.agent.exports.set_visibility(session, private=args[0] == "private")
        except HubExportError as exc:
            return Notice(str(exc))
        return Notice(f"{status.url} is now {'private' if status.private else 'public'}.", level="info")

    async def _fix(self, args: list[str]) -> None:
        self._no_args("fix", args)
        message = last_error_message()
        if message is None:
            raise CommandError("There is no error to fix: run the failing cell first.")
        await self.agent.run_message(self.agent.session(), message)


def last_error_message() -> str | None:
    """The last traceback of the notebook and its failing cell, as a message for the agent."""
    error = getattr(sys, "last_value", None)
    tb = getattr(sys, "last_traceback", None)
    if error is None:
        return None
    frames = traceback.extract_tb(tb) if tb is not None else []
    cell_files = [f.filename for f in frames if "ipykernel_" in f.filename or f.filename.startswith("<ipython-input")]
    source = "".join(linecache.getlines(cell_files[0])) if cell_files else ""
    formatted = "".join(traceback.format_exception(type(error), error, tb))[-6000:]
    cell = f"The failing cell:\n```python\n{source.rstrip()}\n```\n\n" if source else ""
    return (
        "A cell in my notebook failed. Diagnose the error, fix it, and check the fix works "
        f"(variables from my notebook are available).\n\n{cell}The error:\n```\n{formatted.rstrip()}\n```"
    )

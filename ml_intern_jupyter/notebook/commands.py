"""``%intern <command>``: the shared command registry plus the notebook's own commands."""

from __future__ import annotations

import asyncio
import linecache
import sys
import traceback

from ..commands import NOTEBOOK, Command, CommandContext, CommandError, Registry, Reply, default_registry
from ..tools.hf import HubAccess
from .cards import Notice
from .kernel_agent import KernelAgent

NOTEBOOK_ONLY = frozenset({"notebook"})


def reply_notice(reply: Reply) -> Notice:
    """A command's reply as a notice in the cell."""
    return Notice(reply.markdown, level=reply.level, markdown=True)


async def fix_command(ctx: CommandContext, args: list[str]) -> None:
    """Send the last error and its cell to the agent to diagnose and fix."""
    if args:
        raise CommandError("This command takes no arguments.")
    message = last_error_message()
    if message is None:
        raise CommandError("There is no error to fix: run the failing cell first.")
    agent: KernelAgent = ctx.extra["agent"]
    await agent.run_message(agent.handle(), message)


async def stop_command(ctx: CommandContext, args: list[str]) -> Reply:
    """Interrupt a running turn (e.g. a --background one): all sessions, or the one named."""
    if len(args) > 1:
        raise CommandError("Give at most one session name.")
    stopped = await ctx.extra["agent"].stop(args[0] if args else None)
    if not stopped:
        return Reply("Nothing is running.")
    return Reply(f"Interrupted: {', '.join(f'`{name}`' for name in stopped)}.")


async def login_command(ctx: CommandContext, args: list[str]) -> Reply | None:
    """Log in to the Hugging Face Hub with huggingface_hub's notebook login (device code flow).

    The login waits for you in the background (the cell returns and other cells run); its
    result appears in this cell.
    """
    if args not in ([], ["--force"]):
        raise CommandError("Use `%intern login`, or `%intern login --force` to log in again.")
    env = ctx.session.config.env
    access = HubAccess.from_env(env)
    if env.get("HF_TOKEN"):
        return Reply("`HF_TOKEN` is set in the environment, so the agent uses it; unset it to use a login instead.")
    if args != ["--force"] and await asyncio.to_thread(access.token):
        return Reply("Already logged in to the Hub (a saved login). `%intern login --force` logs in again.")
    from huggingface_hub import notebook_login

    async def wait_for_login() -> None:
        try:  # notebook_login polls the Hub until you authorize: in a thread, so the kernel stays free
            await asyncio.to_thread(notebook_login, skip_if_logged_in=False)
        except Exception as exc:  # the Hub is unreachable, the code expired...
            ctx.show(Reply(f"The login failed: {exc}. Run `%intern login` to try again.", "error"))
            return
        if await asyncio.to_thread(access.token):
            ctx.show(Reply("Logged in. The agent's Hub tools use this token from their next call; it is sent only "
                           "to Hugging Face hosts."))  # fmt: skip
        else:
            ctx.show(Reply("Not logged in (see the message above). Run `%intern login` to try again.", "warning"))

    ctx.extra["agent"].spawn(wait_for_login())
    return None


async def panel_command(ctx: CommandContext, args: list[str]) -> None:
    """A chat panel on the session in this cell's output (for front ends without the sidebar)."""
    if len(args) > 1:
        raise CommandError("Use `%intern panel` or `%intern panel SESSION`.")
    from .widget_panel import open_panel

    agent: KernelAgent = ctx.extra["agent"]
    open_panel(agent, agent.handle(args[0] if args else None), agent.show)


def notebook_registry() -> Registry:
    """The commands of ``%intern``."""
    registry = default_registry(NOTEBOOK)
    registry.add(
        Command("fix", "", "Send the last error and its cell to the agent to fix.", fix_command, NOTEBOOK_ONLY)
    )
    registry.add(
        Command("stop", "[SESSION]", "Interrupt a running (e.g. --background) turn.", stop_command, NOTEBOOK_ONLY)
    )
    registry.add(Command("panel", "[SESSION]", "A chat panel in this cell's output.", panel_command, NOTEBOOK_ONLY))
    registry.add(
        Command("login", "[--force]", "Log in to the Hugging Face Hub (saves a token).", login_command, NOTEBOOK_ONLY)
    )
    return registry


class Commands:
    """Runs ``%intern`` lines against the kernel's active session."""

    def __init__(self, agent: KernelAgent) -> None:
        self.agent = agent
        self.registry = notebook_registry()

    async def run(self, line: str) -> None:
        """Run one command line, showing its result or a clear error."""
        show = self.agent.show
        try:
            handle = self.agent.handle()
        except ValueError as exc:  # a broken config
            show(Notice(str(exc), fix="Fix your config, then run the command again."))
            return
        background = ", ".join(f"`{n}`" for n in self.agent.running_background()) or "none"
        session = handle.session
        extra = {
            "agent": self.agent,
            "mcp": handle.built.mcp,
            "exports": self.agent.exports,
            "status_rows": [("session name", f"`{self.agent.active}`"), ("background runs", background)],
        }
        context = CommandContext(NOTEBOOK, session, lambda reply: show(reply_notice(reply)), extra)
        reply = await self.registry.run(line, context)
        if reply is not None:
            show(reply_notice(reply))


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

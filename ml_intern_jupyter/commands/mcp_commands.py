"""``mcp``: the MCP servers' state, tools, trust and origin; ``mcp reconnect NAME`` brings one back."""

from __future__ import annotations

from .registry import Command, CommandContext, CommandError, Reply


async def mcp(ctx: CommandContext, args: list[str]) -> Reply:
    """MCP servers: state, tools, trust, config file; `reconnect NAME` retries one."""
    services = ctx.extra.get("mcp")
    if services is None:
        return Reply("MCP is not available in this front end.", "warning")
    if not args:
        services.start(ctx.session)  # looking at them starts them (they connect in the background)
        return Reply(services.status_markdown())
    if args[0] != "reconnect" or len(args) != 2:
        raise CommandError(f"Use {ctx.front.command('mcp')} or {ctx.front.command('mcp', 'reconnect NAME')}.")
    if services.manager is None:
        return Reply(services.status_markdown(), "error" if services.error else "info")
    services.start(ctx.session)
    try:
        status = await services.manager.reconnect(args[1])
    except KeyError as exc:
        raise CommandError(str(exc.args[0])) from None
    level = "info" if status.state == "connected" else "warning"
    return Reply(services.status_markdown(), level)


MCP_COMMANDS: tuple[Command, ...] = (
    Command("mcp", "[reconnect NAME]", "MCP servers: state, tools, trust and config file; reconnect one.", mcp),
)

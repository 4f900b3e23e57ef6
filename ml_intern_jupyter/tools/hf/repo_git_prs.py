"""The pull-request operations of ``hf_repo_git``: create, list, get, merge, close, comment, status."""

from __future__ import annotations

import asyncio
from typing import Any

from ._text import bounded_lines, clip_inline, clip_middle
from .access import HubAccess
from .errors import HubToolError, require, require_token

MAX_PRS = 30
MAX_EVENTS = 20
DIFF_CHARS = 2_000


def _pr_number(arguments: dict[str, Any], operation: str) -> int:
    require(arguments, "pr_num", operation=operation)
    number = arguments["pr_num"]
    if not isinstance(number, int) or isinstance(number, bool) or number <= 0:
        raise HubToolError(f"pr_num must be a positive integer (got {number!r}).")
    return number


async def create_pr(access: HubAccess, repo_id: str, repo_type: str, arguments: dict[str, Any]) -> str:
    """A draft PR; push to its ``refs/pr/N`` with hf_repo_files, then publish with change_pr_status."""
    require(arguments, "title", operation="create_pr")
    api = access.api(require_token(access, "Opening a pull request"))
    pr = await asyncio.to_thread(
        api.create_pull_request,
        repo_id,
        arguments["title"],
        description=arguments.get("description"),
        repo_type=repo_type,
    )
    return (
        f"Opened draft PR #{pr.num} on {repo_id}: {pr.url}\n"
        f"Add commits with hf_repo_files (operation upload, revision={pr.git_reference!r}); "
        "publish it with change_pr_status new_status='open'."
    )


async def list_prs(access: HubAccess, repo_id: str, repo_type: str, arguments: dict[str, Any]) -> str:
    """Open PRs (or ``status`` closed / all), newest first, at most :data:`MAX_PRS`."""
    status = arguments.get("status") or "open"
    if status not in ("open", "closed", "all"):
        raise HubToolError(f"status must be open, closed or all (got {status!r}).")
    api = access.api()

    def fetch() -> list[Any]:
        found = api.get_repo_discussions(
            repo_id,
            discussion_type="pull_request",
            discussion_status=None if status == "all" else status,
            repo_type=repo_type,
        )
        return [pr for _, pr in zip(range(MAX_PRS + 1), found, strict=False)]

    prs = await asyncio.to_thread(fetch)
    if not prs:
        return f"No {status} pull requests on {repo_id}."
    lines = [f"#{pr.num} [{pr.status}] {clip_inline(pr.title, 120)} by {pr.author} ({pr.url})" for pr in prs]
    return f"Pull requests on {repo_id} ({status}):\n" + "\n".join(bounded_lines(lines, MAX_PRS, "pull requests"))


def _event_line(event: Any) -> str:
    when = event.created_at.date().isoformat() if event.created_at else ""
    if event.type == "comment":
        return f"- {when} {event.author}: {clip_inline(getattr(event, 'content', ''), 300)}"
    if event.type == "status-change":
        return f"- {when} {event.author} set status {getattr(event, 'new_status', '')}"
    if event.type == "commit":
        return f"- {when} commit {getattr(event, 'oid', '')[:8]}: {clip_inline(getattr(event, 'summary', ''), 120)}"
    return f"- {when} {event.type} by {event.author}"


async def get_pr(access: HubAccess, repo_id: str, repo_type: str, arguments: dict[str, Any]) -> str:
    """Title, status, target branch, conflicts, the last events and the start of the diff."""
    number = _pr_number(arguments, "get_pr")
    pr = await asyncio.to_thread(access.api().get_discussion_details, repo_id, number, repo_type=repo_type)
    kind = "PR" if pr.is_pull_request else "Discussion"
    lines = [f"{kind} #{pr.num}: {pr.title} [{pr.status}] by {pr.author}", pr.url]
    if pr.is_pull_request:
        lines.append(f"Target branch: {pr.target_branch}; push to {pr.git_reference}")
        if pr.conflicting_files:
            lines.append("Conflicting files: " + ", ".join(map(str, pr.conflicting_files)))
    lines += ["Events:", *(_event_line(event) for event in pr.events[-MAX_EVENTS:])]
    if pr.diff:
        lines += ["Diff:", clip_middle(pr.diff, DIFF_CHARS)]
    return "\n".join(lines)


async def merge_pr(access: HubAccess, repo_id: str, repo_type: str, arguments: dict[str, Any]) -> str:
    """Merge a PR into its target branch."""
    number = _pr_number(arguments, "merge_pr")
    api = access.api(require_token(access, "Merging a pull request"))
    await asyncio.to_thread(
        api.merge_pull_request, repo_id, number, comment=arguments.get("comment"), repo_type=repo_type
    )
    return f"Merged PR #{number} on {repo_id}."


async def set_pr_status(access: HubAccess, repo_id: str, repo_type: str, arguments: dict[str, Any]) -> str:
    """``close_pr`` and ``change_pr_status`` (open publishes a draft; closed closes)."""
    operation = arguments["operation"]
    number = _pr_number(arguments, operation)
    status = "closed" if operation == "close_pr" else arguments.get("new_status")
    if status not in ("open", "closed"):
        raise HubToolError(f"new_status must be 'open' or 'closed' for change_pr_status (got {status!r}).")
    api = access.api(require_token(access, "Changing a pull request"))
    await asyncio.to_thread(
        api.change_discussion_status, repo_id, number, status, comment=arguments.get("comment"), repo_type=repo_type
    )
    return f"PR #{number} on {repo_id} is now {status}."


async def comment_pr(access: HubAccess, repo_id: str, repo_type: str, arguments: dict[str, Any]) -> str:
    """Post a comment on a PR or discussion."""
    number = _pr_number(arguments, "comment_pr")
    require(arguments, "comment", operation="comment_pr")
    api = access.api(require_token(access, "Commenting on a pull request"))
    await asyncio.to_thread(api.comment_discussion, repo_id, number, arguments["comment"], repo_type=repo_type)
    return f"Commented on #{number} of {repo_id}."

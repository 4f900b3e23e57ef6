"""``hf_repo_git``: create repos (private by default), branches, tags and pull requests.

Every write needs approval and a token; ``list_refs``, ``list_prs`` and ``get_pr`` do not.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from ..spec import ToolContext, ToolResult, ToolSpec
from ._text import clip_middle, read_only_note
from .access import HubAccess
from .errors import HubToolError, checked_operation, guarded, require, require_token
from .repo_git_prs import comment_pr, create_pr, get_pr, list_prs, merge_pr, set_pr_status

REPO_TYPES = ("model", "dataset", "space")
READ_OPERATIONS = ("list_refs", "list_prs", "get_pr")
WRITE_OPERATIONS = (
    "create_branch",
    "delete_branch",
    "create_tag",
    "delete_tag",
    "create_pr",
    "merge_pr",
    "close_pr",
    "comment_pr",
    "change_pr_status",
    "create_repo",
    "update_repo",
)

DESCRIPTION = """\
Git-like operations on Hugging Face repos: branches, tags, pull requests and the repo itself.

- Branches and tags: list_refs, create_branch (`branch`, `from_rev`), delete_branch, create_tag (`tag`, \
`revision`, `tag_message`), delete_tag.
- Pull requests: create_pr (`title`, `description`; opens a draft), list_prs (`status` open/closed/all), \
get_pr (`pr_num`), comment_pr (`comment`), change_pr_status (`new_status` open publishes a draft, closed), \
close_pr, merge_pr.
- Repos: create_repo (private unless `private` is false; Spaces need `space_sdk`), update_repo (`private`, \
`gated` auto/manual/false).
PR workflow: create_pr -> upload files with hf_repo_files and revision='refs/pr/N' -> change_pr_status open \
-> merge_pr. Every operation except list_refs, list_prs and get_pr needs approval and a write token."""


def _parameters(operations: tuple[str, ...]) -> dict[str, Any]:
    text = {"type": "string"}
    return {
        "type": "object",
        "properties": {
            "operation": {"type": "string", "enum": list(operations), "description": "Operation to execute."},
            "repo_id": {"type": "string", "description": "Repository id, e.g. 'username/repo-name'."},
            "repo_type": {"type": "string", "enum": list(REPO_TYPES), "description": "Default: model."},
            "branch": {**text, "description": "Branch name (create_branch, delete_branch)."},
            "from_rev": {**text, "description": "Start the branch from this revision (default main)."},
            "tag": {**text, "description": "Tag name (create_tag, delete_tag)."},
            "revision": {**text, "description": "Revision to tag (default main)."},
            "tag_message": {**text, "description": "Tag description."},
            "title": {**text, "description": "PR title (create_pr)."},
            "description": {**text, "description": "PR description (create_pr)."},
            "pr_num": {"type": "integer", "minimum": 1, "description": "PR or discussion number."},
            "comment": {**text, "description": "Comment text (comment_pr; optional for merge/close)."},
            "status": {"type": "string", "enum": ["open", "closed", "all"], "description": "list_prs filter."},
            "new_status": {"type": "string", "enum": ["open", "closed"], "description": "change_pr_status."},
            "private": {"type": "boolean", "description": "Visibility (create_repo default true, update_repo)."},
            "gated": {"type": "string", "enum": ["auto", "manual", "false"], "description": "update_repo."},
            "space_sdk": {"type": "string", "enum": ["gradio", "streamlit", "docker", "static"]},
        },
        "required": ["operation", "repo_id"],
        "additionalProperties": False,
    }


async def list_refs(access: HubAccess, repo_id: str, repo_type: str, arguments: dict[str, Any]) -> str:
    """Branches, tags and PR refs with their commits."""
    refs = await asyncio.to_thread(
        access.api().list_repo_refs, repo_id, repo_type=repo_type, include_pull_requests=True
    )
    lines = [f"Refs of {repo_id} ({repo_type}):", "Branches:"]
    lines += [f"- {ref.name} ({ref.target_commit[:8]})" for ref in refs.branches] or ["- (none)"]
    lines += ["Tags:", *([f"- {ref.name} ({ref.target_commit[:8]})" for ref in refs.tags] or ["- (none)"])]
    if refs.pull_requests:
        lines += ["PR refs:", *(f"- {ref.ref} ({ref.target_commit[:8]})" for ref in refs.pull_requests)]
    return "\n".join(lines)


async def _branch(access: HubAccess, repo_id: str, repo_type: str, arguments: dict[str, Any]) -> str:
    operation = arguments["operation"]
    require(arguments, "branch", operation=operation)
    api = access.api(require_token(access, "Changing branches"))
    if operation == "create_branch":
        start = arguments.get("from_rev") or None
        await asyncio.to_thread(
            api.create_branch, repo_id, branch=arguments["branch"], revision=start, repo_type=repo_type
        )
        return f"Created branch {arguments['branch']} on {repo_id} from {start or 'main'}."
    await asyncio.to_thread(api.delete_branch, repo_id, branch=arguments["branch"], repo_type=repo_type)
    return f"Deleted branch {arguments['branch']} of {repo_id}."


async def _tag(access: HubAccess, repo_id: str, repo_type: str, arguments: dict[str, Any]) -> str:
    operation = arguments["operation"]
    require(arguments, "tag", operation=operation)
    api = access.api(require_token(access, "Changing tags"))
    if operation == "create_tag":
        revision = arguments.get("revision") or None
        await asyncio.to_thread(
            api.create_tag,
            repo_id,
            tag=arguments["tag"],
            tag_message=arguments.get("tag_message"),
            revision=revision,
            repo_type=repo_type,
        )
        return f"Tagged {revision or 'main'} of {repo_id} as {arguments['tag']}."
    await asyncio.to_thread(api.delete_tag, repo_id, tag=arguments["tag"], repo_type=repo_type)
    return f"Deleted tag {arguments['tag']} of {repo_id}."


async def create_repo(access: HubAccess, repo_id: str, repo_type: str, arguments: dict[str, Any]) -> str:
    """A new repo, private unless ``private`` is false."""
    if repo_type == "space" and not arguments.get("space_sdk"):
        raise HubToolError("create_repo for a Space needs space_sdk (gradio, streamlit, docker or static).")
    private = arguments.get("private", True) is not False
    api = access.api(require_token(access, "Creating a repository"))
    url = await asyncio.to_thread(
        api.create_repo, repo_id, repo_type=repo_type, private=private, space_sdk=arguments.get("space_sdk")
    )
    return f"Created {'private' if private else 'public'} {repo_type} repo {url.repo_id}: {url}"


async def update_repo(access: HubAccess, repo_id: str, repo_type: str, arguments: dict[str, Any]) -> str:
    """Change visibility (``private``) and/or gating (``gated``)."""
    private, gated = arguments.get("private"), arguments.get("gated")
    if private is None and gated is None:
        raise HubToolError("update_repo needs private (true/false) and/or gated (auto, manual or false).")
    gate: Any = False if gated == "false" else gated
    api = access.api(require_token(access, "Changing repository settings"))
    await asyncio.to_thread(api.update_repo_settings, repo_id, private=private, gated=gate, repo_type=repo_type)
    changes = ([f"private={private}"] if private is not None else []) + ([f"gated={gated}"] if gated else [])
    return f"Updated {repo_id}: {', '.join(changes)}. {access.repo_url(repo_id, repo_type)}/settings"


Operation = Callable[[HubAccess, str, str, dict[str, Any]], Awaitable[str]]
_OPERATIONS: dict[str, Operation] = {
    "list_refs": list_refs,
    "create_branch": _branch,
    "delete_branch": _branch,
    "create_tag": _tag,
    "delete_tag": _tag,
    "create_pr": create_pr,
    "list_prs": list_prs,
    "get_pr": get_pr,
    "merge_pr": merge_pr,
    "close_pr": set_pr_status,
    "change_pr_status": set_pr_status,
    "comment_pr": comment_pr,
    "create_repo": create_repo,
    "update_repo": update_repo,
}


def needs_git_approval(arguments: dict[str, Any]) -> bool:
    """Every operation except the three reads asks first."""
    return arguments.get("operation") not in READ_OPERATIONS


def make_repo_git_tool(access: HubAccess, *, read_only: bool = False) -> ToolSpec:
    """``hf_repo_git``; with ``read_only`` only list_refs, list_prs and get_pr."""
    operations = READ_OPERATIONS if read_only else READ_OPERATIONS + WRITE_OPERATIONS

    async def handler(arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        operation = checked_operation(arguments.get("operation"), operations, repo_id=arguments)
        repo_type = arguments.get("repo_type") or "model"
        if repo_type not in REPO_TYPES:
            raise HubToolError(f"repo_type must be one of {', '.join(REPO_TYPES)} (got {repo_type!r}).")
        text = await _OPERATIONS[operation](access, arguments["repo_id"].strip(), repo_type, arguments)
        return ToolResult(clip_middle(text))

    return ToolSpec(
        name="hf_repo_git",
        description=DESCRIPTION + read_only_note(operations) if read_only else DESCRIPTION,
        parameters=_parameters(operations),
        handler=guarded(access, handler),
        needs_approval=False if read_only else needs_git_approval,
        approval_reason="changes a Hugging Face repository",
        read_only=read_only,
    )

"""``github_read_file``: one file of a GitHub repository, with line numbers; notebooks as text."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ..spec import ToolContext, ToolResult, ToolSpec
from ._guard import guarded
from ._text import clip_lines
from .client import GitHubClient, GitHubConfig, GitHubError
from .notebook import notebook_to_text

DEFAULT_LINES = 300
MAX_CHARS = 12_000
RAW = "application/vnd.github.raw+json"

DESCRIPTION = f"""\
Read a file from a GitHub repository (e.g. one found with github_find_examples), numbered by line. \
Returns the first {DEFAULT_LINES} lines unless `line_start` / `line_end` (1-based, inclusive) ask for \
others. Jupyter notebooks (.ipynb) are converted to text (cells, without outputs). A directory path \
lists its entries. `ref` is a branch, tag or commit (default: the default branch)."""

PARAMETERS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "repo": {"type": "string", "description": "Repository 'owner/repo'."},
        "path": {"type": "string", "description": "File path in the repository."},
        "ref": {"type": "string", "description": "Branch, tag or commit (default: the default branch)."},
        "line_start": {"type": "integer", "minimum": 1, "description": "First line (1-based)."},
        "line_end": {"type": "integer", "minimum": 1, "description": "Last line (inclusive)."},
    },
    "required": ["repo", "path"],
    "additionalProperties": False,
}


def _listing(repo: str, path: str, entries: list[dict[str, Any]]) -> str:
    lines = [f"{path or '/'} in {repo} is a directory:"]
    lines += [f"- {entry.get('path')}{'/' if entry.get('type') == 'dir' else ''}" for entry in entries[:200]]
    return "\n".join(lines)


def numbered(text: str, start: int | None, end: int | None) -> tuple[str, int, int, int]:
    """``(numbered lines, first, last, total)`` for the requested range."""
    lines = text.splitlines()
    total = len(lines)
    first = max(1, start or 1)
    last = min(total, end or (first + DEFAULT_LINES - 1))
    if first > max(total, 1) or last < first:
        raise GitHubError(f"Line range {start}-{end} is outside the file ({total} lines).")
    width = len(str(last))
    body = "\n".join(f"{n:>{width}}\t{lines[n - 1]}" for n in range(first, last + 1))
    return body, first, last, total


async def read_file(config: GitHubConfig, arguments: dict[str, Any]) -> str:
    """The text shown to the model for one ``github_read_file`` call."""
    repo = str(arguments.get("repo") or "").strip().strip("/")
    path = str(arguments.get("path") or "").strip().strip("/")
    if repo.count("/") != 1 or not all(repo.split("/")):
        raise GitHubError(f"repo must be 'owner/repo' (got {repo!r}).")
    if not path:
        raise GitHubError("path is empty; pass a file path such as 'examples/scripts/sft.py'.")
    params = {"ref": arguments["ref"]} if arguments.get("ref") else None
    what = f"{path} in {repo}" + (f" at {arguments['ref']}" if params else "")
    async with GitHubClient(config) as github:
        response = await github.get(f"/repos/{repo}/contents/{quote(path)}", what=what, params=params, accept=RAW)
    if "json" in response.headers.get("content-type", ""):
        entries = response.json()
        if isinstance(entries, list):
            return _listing(repo, path, entries)
        if isinstance(entries, dict) and entries.get("type") not in (None, "file"):
            raise GitHubError(f"{path} in {repo} is a {entries['type']}, not a file.")
    data = response.content
    if b"\x00" in data[:8192]:
        return f"{path} in {repo} is a binary file ({len(data):,} bytes); not shown."
    text = data.decode("utf-8", errors="replace")
    if path.lower().endswith(".ipynb"):
        text = notebook_to_text(text)
    body, first, last, total = numbered(text, arguments.get("line_start"), arguments.get("line_end"))
    header = f"{repo}/{path}" + (f"@{arguments['ref']}" if params else "") + f": lines {first}-{last} of {total}"
    more = f"\n[lines {last + 1}-{total} not shown: pass line_start={last + 1}]" if last < total else ""
    return header + "\n" + clip_lines(body, MAX_CHARS) + more


def make_read_file_tool(config: GitHubConfig) -> ToolSpec:
    """The ``github_read_file`` tool (read-only, no approval)."""

    async def handler(arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        return ToolResult(await read_file(config, arguments))

    return ToolSpec(
        name="github_read_file",
        description=DESCRIPTION,
        parameters=PARAMETERS,
        handler=guarded(handler),
        read_only=True,
    )

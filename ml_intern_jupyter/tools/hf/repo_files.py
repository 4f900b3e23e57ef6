"""``hf_repo_files``: list, read, upload and delete files in a Hub repository.

``upload`` and ``delete`` need approval and a token; ``list`` and ``read`` work on public repos
without one. A binary or large file is described (size, LFS hash, URL), never dumped.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

from ..spec import ToolContext, ToolResult, ToolSpec
from ._text import bounded_lines, clip_middle, human_size, read_only_note
from .access import HubAccess
from .errors import HubToolError, checked_operation, guarded, require, require_token

READ_OPERATIONS = ("list", "read")
WRITE_OPERATIONS = ("upload", "delete")
REPO_TYPES = ("model", "dataset", "space")
MAX_LIST_LINES = 200
MAX_READ_BYTES = 2 * 1024 * 1024
READ_CHARS = 8_000
_WEIGHTS = (".safetensors", ".bin", ".pt", ".pth", ".ckpt", ".onnx", ".gguf", ".h5", ".msgpack", ".model", ".tflite")
_DATA = (".parquet", ".arrow", ".npy", ".npz", ".pkl", ".pickle", ".db", ".sqlite", ".zip", ".gz", ".tar", ".zst")
_MEDIA = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tiff", ".mp3", ".wav", ".flac", ".mp4", ".pdf")
BINARY_SUFFIXES = frozenset(_WEIGHTS + _DATA + _MEDIA)

DESCRIPTION = """\
Read and write files in Hugging Face repos (models, datasets, Spaces).

Operations:
- list: files with sizes (`path` limits it to a folder).
- read: one text file's content (`path`); binary files (weights, parquet, images) are listed, not shown.
- upload: write `content` to `path` (creates or overwrites; `create_pr` opens a pull request instead). Needs approval.
- delete: delete the files matching `patterns` (paths or wildcards like '*.tmp', folders as 'logs/'). Needs approval.
Common: `repo_id` (required), `repo_type` (model, dataset or space; default model), `revision` (default main), \
`commit_message`. Writes need a token with write access.

Examples:
{"operation": "list", "repo_id": "openai-community/gpt2"}
{"operation": "read", "repo_id": "openai-community/gpt2", "path": "config.json"}
{"operation": "upload", "repo_id": "me/my-model", "path": "README.md", "content": "# My model"}
{"operation": "delete", "repo_id": "me/my-model", "patterns": ["*.tmp", "logs/"]}"""


def _parameters(operations: tuple[str, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "operation": {"type": "string", "enum": list(operations), "description": "Operation to execute."},
            "repo_id": {"type": "string", "description": "Repository id, e.g. 'username/repo-name'."},
            "repo_type": {"type": "string", "enum": list(REPO_TYPES), "description": "Default: model."},
            "revision": {"type": "string", "description": "Branch, tag or commit (default: main)."},
            "path": {"type": "string", "description": "File path (read, upload) or folder (list)."},
            "content": {"type": "string", "description": "File content (upload)."},
            "patterns": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Paths or wildcards to delete, e.g. ['*.tmp', 'logs/'].",
            },
            "create_pr": {"type": "boolean", "description": "Open a pull request instead of committing."},
            "commit_message": {"type": "string", "description": "Commit message (upload, delete)."},
        },
        "required": ["operation", "repo_id"],
        "additionalProperties": False,
    }


def _target(arguments: dict[str, Any]) -> tuple[str, str, str | None]:
    repo_id = (arguments.get("repo_id") or "").strip()
    repo_type = arguments.get("repo_type") or "model"
    if repo_type not in REPO_TYPES:
        raise HubToolError(f"repo_type must be one of {', '.join(REPO_TYPES)} (got {repo_type!r}).")
    return repo_id, repo_type, arguments.get("revision") or None


async def list_files(access: HubAccess, arguments: dict[str, Any]) -> ToolResult:
    """``list``: the files under ``path`` (recursive)."""
    repo_id, repo_type, revision = _target(arguments)
    api = access.api()
    folder = (arguments.get("path") or "").strip("/") or None
    entries = await asyncio.to_thread(
        lambda: list(
            api.list_repo_tree(repo_id, path_in_repo=folder, recursive=True, repo_type=repo_type, revision=revision)
        )
    )
    files = sorted((entry for entry in entries if hasattr(entry, "size")), key=lambda entry: entry.path)
    total = sum(entry.size or 0 for entry in files)
    lines = [
        f"{entry.path} ({human_size(entry.size)}{', LFS' if getattr(entry, 'lfs', None) else ''})" for entry in files
    ]
    url = f"{access.repo_url(repo_id, repo_type)}/tree/{revision or 'main'}" + (f"/{folder}" if folder else "")
    header = f"{repo_id}: {len(files)} file(s), {human_size(total)}\n{url}"
    body = "\n".join(bounded_lines(lines, MAX_LIST_LINES, "files")) if lines else "(no files)"
    return ToolResult(f"{header}\n\n{body}", structured={"files": [entry.path for entry in files][:MAX_LIST_LINES]})


def _binary_note(path: str, size: int | None, lfs: Any, url: str) -> str:
    sha = f", sha256 {lfs.sha256}" if lfs is not None and getattr(lfs, "sha256", None) else ""
    return f"{path} is a binary or large file ({human_size(size)}{sha}); not shown.\n{url}"


def _download(access: HubAccess, repo_id: str, path: str, repo_type: str, revision: str | None) -> bytes:
    api = access.api()
    with tempfile.TemporaryDirectory(prefix="ml-intern-hub-") as cache:
        local = api.hf_hub_download(repo_id, path, repo_type=repo_type, revision=revision, cache_dir=cache)
        return Path(local).read_bytes()


async def read_file(access: HubAccess, arguments: dict[str, Any]) -> ToolResult:
    """``read``: one text file, cut to a few thousand characters."""
    require(arguments, "path", operation="read")
    repo_id, repo_type, revision = _target(arguments)
    path = arguments["path"].strip("/")
    api = access.api()
    infos = await asyncio.to_thread(api.get_paths_info, repo_id, [path], repo_type=repo_type, revision=revision)
    info = next((item for item in infos if item.path == path), None)
    if info is None:
        raise HubToolError(f"File not found: {path} in {repo_id} ({repo_type}). List the files with operation list.")
    url = f"{access.repo_url(repo_id, repo_type)}/blob/{revision or 'main'}/{path}"
    if not hasattr(info, "size"):
        raise HubToolError(f"{path} is a folder; use operation list with path={path!r}.")
    lfs = getattr(info, "lfs", None)
    if lfs is not None or (info.size or 0) > MAX_READ_BYTES or Path(path).suffix.lower() in BINARY_SUFFIXES:
        return ToolResult(_binary_note(path, info.size, lfs, url))
    data = await asyncio.to_thread(_download, access, repo_id, path, repo_type, revision)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text[:8192]:
        return ToolResult(_binary_note(path, len(data), None, url))
    return ToolResult(f"{path} ({human_size(len(data))})\n{url}\n\n{clip_middle(text, READ_CHARS)}")


async def upload_file(access: HubAccess, arguments: dict[str, Any]) -> ToolResult:
    """``upload``: commit ``content`` to ``path`` (or open a PR)."""
    require(arguments, "path", operation="upload")
    if not isinstance(arguments.get("content"), str):
        raise HubToolError("Missing argument 'content' for operation 'upload'.")
    repo_id, repo_type, revision = _target(arguments)
    token = require_token(access, "Uploading to the Hub")
    path = arguments["path"].strip("/")
    data = arguments["content"].encode("utf-8")
    info = await asyncio.to_thread(
        access.api(token).upload_file,
        path_or_fileobj=data,
        path_in_repo=path,
        repo_id=repo_id,
        repo_type=repo_type,
        revision=revision,
        commit_message=arguments.get("commit_message") or f"Upload {path}",
        create_pr=bool(arguments.get("create_pr")),
    )
    if info.pr_url:
        return ToolResult(f"Opened pull request {info.pr_url} with {path} ({len(data):,} bytes).")
    url = f"{access.repo_url(repo_id, repo_type)}/blob/{revision or 'main'}/{path}"
    return ToolResult(f"Uploaded {path} ({len(data):,} bytes) to {repo_id}: {url}\nCommit: {info.commit_url}")


async def delete_files(access: HubAccess, arguments: dict[str, Any]) -> ToolResult:
    """``delete``: one commit deleting every file matching ``patterns`` (never ``.gitattributes``)."""
    from huggingface_hub import CommitOperationDelete
    from huggingface_hub.utils import filter_repo_objects

    require(arguments, "patterns", operation="delete")
    repo_id, repo_type, revision = _target(arguments)
    token = require_token(access, "Deleting files on the Hub")
    patterns = arguments["patterns"] if isinstance(arguments["patterns"], list) else [arguments["patterns"]]
    api = access.api(token)
    names = await asyncio.to_thread(api.list_repo_files, repo_id, repo_type=repo_type, revision=revision)
    matched = [name for name in filter_repo_objects(names, allow_patterns=patterns) if name != ".gitattributes"]
    if not matched:
        raise HubToolError(f"No files in {repo_id} match {patterns}; nothing deleted.")
    info = await asyncio.to_thread(
        api.create_commit,
        repo_id,
        [CommitOperationDelete(path_in_repo=name) for name in matched],
        commit_message=arguments.get("commit_message") or f"Delete {', '.join(patterns)}",
        repo_type=repo_type,
        revision=revision,
        create_pr=bool(arguments.get("create_pr")),
    )
    where = f"pull request {info.pr_url}" if info.pr_url else f"commit {info.commit_url}"
    listed = "\n".join(bounded_lines([f"- {name}" for name in matched], 50, "files"))
    return ToolResult(f"Deleted {len(matched)} file(s) from {repo_id} in {where}:\n{listed}")


_OPERATIONS = {"list": list_files, "read": read_file, "upload": upload_file, "delete": delete_files}


def needs_files_approval(arguments: dict[str, Any]) -> bool:
    """Writes (upload, delete) ask first; reads do not."""
    return arguments.get("operation") not in READ_OPERATIONS


def make_repo_files_tool(access: HubAccess, *, read_only: bool = False) -> ToolSpec:
    """``hf_repo_files``; with ``read_only`` only ``list`` and ``read`` (for the research agent)."""
    operations = READ_OPERATIONS if read_only else READ_OPERATIONS + WRITE_OPERATIONS

    async def handler(arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        operation = checked_operation(arguments.get("operation"), operations, repo_id=arguments)
        return await _OPERATIONS[operation](access, arguments)

    return ToolSpec(
        name="hf_repo_files",
        description=DESCRIPTION + read_only_note(operations) if read_only else DESCRIPTION,
        parameters=_parameters(operations),
        handler=guarded(access, handler),
        needs_approval=False if read_only else needs_files_approval,
        approval_reason="changes files in a Hugging Face repository",
        read_only=read_only,
    )

"""``github_find_examples``: real usage examples of a library, from its example folders or code search."""

from __future__ import annotations

from typing import Any

from ..spec import ToolContext, ToolResult, ToolSpec
from ._guard import guarded
from ._text import clip_lines, clip_text
from .client import TOKEN_HELP, GitHubClient, GitHubConfig, GitHubError
from .ranking import rank_examples

DEFAULT_RESULTS = 10
MAX_RESULTS = 30
TEXT_MATCH = "application/vnd.github.text-match+json"

DESCRIPTION = """\
Find working example code for a library on GitHub. Use it before writing training or inference \
code: examples show the current API, your memory of it may be outdated.

- Without `class_or_function`: the example files of the library's repository (examples/, scripts/, \
notebooks/, ...), ranked by `keyword` when given (e.g. library "trl", keyword "grpo").
- With `class_or_function` (e.g. "SFTTrainer", "GRPOConfig"): code search for where it is used, with \
matching lines; `scope` "library" (default) searches the library's repository, examples first; "github" \
searches other projects. Code search needs GITHUB_TOKEN.
`library` is a repository name ("trl", with `org` default "huggingface") or "owner/repo". Then read a \
file with github_read_file."""

PARAMETERS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "library": {"type": "string", "description": "Repository: 'trl' (in `org`) or 'owner/repo'."},
        "class_or_function": {"type": "string", "description": "A class or function to find usages of."},
        "keyword": {"type": "string", "description": "Words to rank example file paths by (e.g. 'sft', 'lora')."},
        "org": {"type": "string", "description": "Owner when `library` has no '/' (default: huggingface)."},
        "scope": {"type": "string", "enum": ["library", "github"], "description": "Where to code-search."},
        "max_results": {"type": "integer", "minimum": 1, "maximum": MAX_RESULTS, "description": "Default 10."},
    },
    "required": ["library"],
    "additionalProperties": False,
}


def repo_name(arguments: dict[str, Any]) -> str:
    """``owner/name`` from ``library`` and ``org``."""
    library = str(arguments.get("library") or "").strip().strip("/")
    if not library or library.count("/") > 1 or " " in library:
        raise GitHubError(f"library must be a repository like 'trl' or 'huggingface/trl' (got {library!r}).")
    return library if "/" in library else f"{arguments.get('org') or 'huggingface'}/{library}"


async def _similar(github: GitHubClient, repo: str) -> str:
    owner, name = repo.split("/")
    query = {"q": f"{name} in:name org:{owner}", "sort": "stars", "per_page": 5}
    try:
        found = await github.get_json("/search/repositories", what="similar repositories", params=query)
    except GitHubError:
        return ""
    names = [item["full_name"] for item in found.get("items", [])]
    return f" Similar repositories: {', '.join(names)}." if names else ""


async def list_examples(github: GitHubClient, repo: str, keyword: str, limit: int) -> str:
    """The example files of ``repo`` (its default branch), best first."""
    try:
        info = await github.get_json(f"/repos/{repo}", what=f"repository {repo}")
    except GitHubError as exc:
        if "Not found" in str(exc):
            raise GitHubError(f"{exc}{await _similar(github, repo)}") from None
        raise
    branch = info.get("default_branch") or "main"
    tree = await github.get_json(f"/repos/{repo}/git/trees/{branch}", what=f"files of {repo}", params={"recursive": 1})
    paths = [item["path"] for item in tree.get("tree", []) if item.get("type") == "blob"]
    ranked = rank_examples(paths, keyword)
    if not ranked:
        examples = rank_examples(paths)
        if keyword and examples:
            sample = ", ".join(examples[:10])
            return f"No example file of {repo} matches {keyword!r}. Its {len(examples)} example files include: {sample}"
        return f"No example folders (examples/, scripts/, notebooks/, ...) found in {repo}."
    lines = [f"{len(ranked)} example file(s) in {repo}@{branch}" + (f" matching {keyword!r}" if keyword else "") + ":"]
    for index, path in enumerate(ranked[:limit], 1):
        lines.append(f"{index}. {path}  (github_read_file repo={repo!r} path={path!r})")
    if len(ranked) > limit:
        lines.append(f"... {len(ranked) - limit} more; narrow with keyword or raise max_results.")
    if tree.get("truncated"):
        lines.append("(GitHub truncated the file list of this large repository.)")
    return "\n".join(lines)


def _fragments(item: dict[str, Any], symbol: str) -> list[str]:
    lines = []
    for match in item.get("text_matches") or []:
        for line in str(match.get("fragment", "")).splitlines():
            if symbol in line and line.strip() not in lines:
                lines.append(line.strip())
    return [clip_text(line, 160) for line in lines[:3]]


async def search_usages(github: GitHubClient, repo: str, symbol: str, scope: str, limit: int) -> str:
    """Code search for ``symbol``: inside ``repo`` (examples first) or across GitHub."""
    if not github.config.token:
        raise GitHubError(
            f"GitHub code search needs a token. {TOKEN_HELP} "
            "Without one, leave out class_or_function to list the library's example files."
        )
    name = repo.split("/")[1]
    query = f"{symbol} repo:{repo}" if scope == "library" else f"{symbol} {name} language:python"
    found = await github.get_json(
        "/search/code", what=f"code search {query!r}", params={"q": query, "per_page": 50}, accept=TEXT_MATCH
    )
    items = [item for item in found.get("items", []) if scope == "library" or item["repository"]["full_name"] != repo]
    if scope == "library":
        ranked = rank_examples([item["path"] for item in items])
        items.sort(key=lambda item: ranked.index(item["path"]) if item["path"] in ranked else len(ranked))
    if not items:
        return f"No code found for {query!r}."
    lines = [f"{len(items)} file(s) using {symbol} ({'in ' + repo if scope == 'library' else 'on GitHub'}):"]
    for index, item in enumerate(items[:limit], 1):
        owner = item["repository"]["full_name"]
        lines.append(f"{index}. {owner}: {item['path']}  (github_read_file repo={owner!r} path={item['path']!r})")
        lines.extend(f"   > {fragment}" for fragment in _fragments(item, symbol))
    return "\n".join(lines)


def make_find_examples_tool(config: GitHubConfig) -> ToolSpec:
    """The ``github_find_examples`` tool (read-only, no approval)."""

    async def handler(arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        repo = repo_name(arguments)
        limit = min(max(int(arguments.get("max_results") or DEFAULT_RESULTS), 1), MAX_RESULTS)
        symbol = str(arguments.get("class_or_function") or "").strip()
        scope = arguments.get("scope") or "library"
        if scope not in ("library", "github"):
            raise GitHubError(f"scope must be 'library' or 'github' (got {scope!r}).")
        async with GitHubClient(config) as github:
            if symbol:
                text = await search_usages(github, repo, symbol, scope, limit)
            else:
                text = await list_examples(github, repo, str(arguments.get("keyword") or "").strip(), limit)
        return ToolResult(clip_lines(text))

    return ToolSpec(
        name="github_find_examples",
        description=DESCRIPTION,
        parameters=PARAMETERS,
        handler=guarded(handler),
        read_only=True,
    )

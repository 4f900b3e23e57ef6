"""GitHub tools: ``github_find_examples``, ``github_list_repos``, ``github_read_file``.

Interface::

    router.register(spec) for spec in github_tools(os.environ)

``github_tools(env)`` reads ``GITHUB_TOKEN`` (optional; code search needs it) and
``GITHUB_API_URL`` (default https://api.github.com) from ``env`` once. The token is sent only
to that API's origin. A rate limit or a missing token comes back as ``ToolResult(ok=False)``
saying what to do and when the limit resets. All three tools are read-only.

- ``github_find_examples{library, class_or_function?, keyword?, org?, scope?, max_results?}``
- ``github_list_repos{owner, owner_type?, sort?, order?, limit?}``
- ``github_read_file{repo, path, ref?, line_start?, line_end?}`` (.ipynb converted to text)
"""

from __future__ import annotations

from collections.abc import Mapping

from ..spec import ToolSpec
from .client import DEFAULT_API_URL, GitHubConfig, GitHubError
from .examples import make_find_examples_tool
from .read_file import make_read_file_tool
from .repos import make_list_repos_tool

__all__ = ["DEFAULT_API_URL", "GitHubConfig", "GitHubError", "github_tools"]


def github_tools(env: Mapping[str, str]) -> list[ToolSpec]:
    """The three GitHub tools, configured from ``env``."""
    config = GitHubConfig.from_env(env)
    return [make_find_examples_tool(config), make_list_repos_tool(config), make_read_file_tool(config)]

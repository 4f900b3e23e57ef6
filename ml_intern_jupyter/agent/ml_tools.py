"""The ML intern's own tools (Hugging Face, GitHub, web search) and the research sub-agent's readers.

Every front end gets the same set from :func:`ml_tools`; the research assistant gets the
read-only variants (same names, narrower schemas) plus ``read``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..tools.github import github_tools
from ..tools.hf import HubAccess, JobPrices, hf_tools
from ..tools.spec import ToolSpec
from ..tools.web import web_tools
from .config import AgentConfig


@dataclass(frozen=True)
class MlTools:
    """``tools`` for the agent, ``readers`` for its research assistant, and the Hub access they share."""

    tools: list[ToolSpec]
    readers: list[ToolSpec]
    access: HubAccess


def ml_tools(config: AgentConfig) -> MlTools:
    """The tools, configured from ``config.env`` (HF_ENDPOINT, HF_TOKEN, GITHUB_TOKEN) and the config."""
    env = config.env
    access = HubAccess.from_env(env)
    prices = JobPrices(access)  # one cached hardware price list for the session
    github, web = github_tools(env), web_tools(config.web_search_url)
    return MlTools(
        tools=[*hf_tools(access, prices=prices), *github, *web],
        readers=[*hf_tools(access, read_only=True, prices=prices), *github, *web],
        access=access,
    )

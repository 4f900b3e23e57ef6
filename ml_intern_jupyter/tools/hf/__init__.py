"""Hugging Face tools: docs, papers, Hub search, datasets, repo files and git, and HF Jobs.

Interface::

    access = HubAccess.from_env(os.environ)        # HF_ENDPOINT, HF_TOKEN, then the saved login
    router.register(spec) for spec in hf_tools(access)
    research_specs = hf_tools(access, read_only=True)   # reads only, every spec read_only=True

``HubAccess(endpoint, datasets_server, token)`` is frozen; ``token`` is called at each use, so a
``%intern login`` during the session takes effect. The HF token goes only to Hugging Face hosts
(:meth:`HubAccess.is_hf_host`). Tools never read ``os.environ``.

Tools (names and arguments are the upstream agent's where it has them):

- ``explore_hf_docs{endpoint, query?, max_results?}``, ``fetch_hf_docs{url, offset?}``
- ``hf_papers{operation, query?, arxiv_id?, section?, date?, sort?, limit?}``
- ``hf_hub_search{repo_type, query?, author?, filter?, sort?, limit?}``
- ``hf_inspect_dataset{dataset, config?, split?, sample_rows?}``
- ``hf_repo_files{operation: list|read|upload|delete, repo_id, ...}``: upload/delete need approval
- ``hf_repo_git{operation, repo_id, ...}``: every write needs approval
- ``hf_jobs{operation, ...}``: run needs approval (preview with cost), scheduled writes always ask

The jobs cost estimate for the yolo spending cap is ``spec.preview(arguments)`` of ``hf_jobs``
(``CallPreview.cost_usd``), or :func:`estimate_job_cost` with the :class:`JobPrices` passed to
:func:`hf_tools`.
"""

from __future__ import annotations

from ..spec import ToolSpec
from .access import DEFAULT_DATASETS_SERVER, DEFAULT_ENDPOINT, HubAccess, missing_token_message, saved_hf_token
from .datasets import make_inspect_dataset_tool
from .docs import make_explore_docs_tool, make_fetch_docs_tool
from .errors import HubToolError
from .jobs import make_jobs_tool
from .jobs_cost import JobCostEstimate, JobPrices, estimate_job_cost, parse_timeout
from .papers import make_papers_tool
from .repo_files import make_repo_files_tool
from .repo_git import make_repo_git_tool
from .search import make_hub_search_tool

__all__ = [
    "DEFAULT_DATASETS_SERVER",
    "DEFAULT_ENDPOINT",
    "HubAccess",
    "HubToolError",
    "JobCostEstimate",
    "JobPrices",
    "estimate_job_cost",
    "hf_tools",
    "missing_token_message",
    "parse_timeout",
    "saved_hf_token",
]


def hf_tools(access: HubAccess, *, read_only: bool = False, prices: JobPrices | None = None) -> list[ToolSpec]:
    """Every Hugging Face tool, in a stable order.

    With ``read_only`` the repo-files, repo-git and jobs tools keep only their read operations
    (same names, narrower schemas), so every returned spec has ``read_only=True``.
    ``prices`` shares one cached hardware price list (default: a new one for these tools).
    """
    prices = prices or JobPrices(access)
    return [
        make_explore_docs_tool(access),
        make_fetch_docs_tool(access),
        make_papers_tool(access),
        make_hub_search_tool(access),
        make_inspect_dataset_tool(access),
        make_repo_files_tool(access, read_only=read_only),
        make_repo_git_tool(access, read_only=read_only),
        make_jobs_tool(access, prices, read_only=read_only),
    ]

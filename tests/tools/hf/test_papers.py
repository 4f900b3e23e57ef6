"""hf_papers against LocalHub: search, daily papers, one paper, its Markdown sections, linked repos."""

from __future__ import annotations

import pytest

from ml_intern_jupyter.tools.hf import HubAccess
from ml_intern_jupyter.tools.hf.papers import make_papers_tool, normalize_arxiv_id
from ml_intern_jupyter.tools.spec import ToolRouter

from ...hub_server import LocalHub

DPO = "2305.18290"
MARKDOWN = """# Direct Preference Optimization

## Abstract
We skip the reward model.

## 1 Introduction
Language models are trained with RLHF.

## 3 Method
The DPO loss is a classification loss.

### 3.1 Derivation
```python
# not a heading
```
Details here.

## 4 Experiments
We beat PPO.
"""


@pytest.fixture
def papers(hub: LocalHub) -> LocalHub:
    hub.add_paper(
        DPO,
        "Direct Preference Optimization",
        "A simple alternative to RLHF without a reward model.",
        upvotes=42,
        daily="2023-05-30",
        ai_summary="DPO trains on preferences directly.",
        ai_keywords=["preference optimization", "rlhf"],
        githubRepo="https://github.com/eric-mitchell/direct-preference-optimization",
        publishedAt="2023-05-29T00:00:00.000Z",
        markdown=MARKDOWN,
    )
    hub.add_paper(
        "2106.09685", "LoRA: Low-Rank Adaptation", "Freeze the weights, train low-rank matrices.", daily="2021-06-18"
    )
    hub.add_repo("alice/dpo-model", downloads=10, hub_tags=[f"arxiv:{DPO}"])
    hub.add_repo("bob/dpo-model-2", downloads=99, hub_tags=[f"arxiv:{DPO}"])
    hub.add_repo("carol/prefs", "dataset", hub_tags=[f"arxiv:{DPO}"])
    hub.add_repo("carol/lora-model", hub_tags=["arxiv:2106.09685"])
    return hub


async def call(access: HubAccess, calls, **arguments):
    return await make_papers_tool(access).handler(arguments, calls.ctx)


async def test_search_and_trending(papers: LocalHub, anonymous: HubAccess, calls) -> None:
    found = await call(anonymous, calls, operation="search", query="preference")
    assert found.ok and found.structured == {"arxiv_ids": [DPO]}
    assert "Direct Preference Optimization" in found.output and f"{papers.endpoint}/papers/{DPO}" in found.output
    daily = await call(anonymous, calls, operation="trending")
    assert daily.structured == {"arxiv_ids": [DPO, "2106.09685"]}
    filtered = await call(anonymous, calls, operation="trending", query="low-rank")
    assert filtered.structured == {"arxiv_ids": ["2106.09685"]}
    dated = await call(anonymous, calls, operation="trending", date="2021-06-18")
    assert dated.structured == {"arxiv_ids": ["2106.09685"]}
    assert "date=2021-06-18" in papers.requests_to("/api/daily_papers")[-1].query
    empty = await call(anonymous, calls, operation="search", query="quantum gravity")
    assert empty.ok and "No papers found" in empty.output


async def test_paper_details(papers: LocalHub, anonymous: HubAccess, calls) -> None:
    result = await call(anonymous, calls, operation="paper_details", arxiv_id=f"https://arxiv.org/abs/{DPO}v2")
    assert result.ok and result.structured == {"arxiv_id": DPO}
    for fact in ("Authors: Ada Lovelace", "Upvotes: 42", "GitHub: https://github.com/eric-mitchell", "rlhf"):
        assert fact in result.output
    assert "## Abstract\nA simple alternative" in result.output and "DPO trains on preferences" in result.output


async def test_read_paper_sections(papers: LocalHub, anonymous: HubAccess, calls) -> None:
    toc = await call(anonymous, calls, operation="read_paper", arxiv_id=DPO)
    assert "- 3 Method" in toc.output and "    - 3.1 Derivation" in toc.output
    assert "- not a heading" not in toc.output  # a comment inside a code fence is not a section
    method = await call(anonymous, calls, operation="read_paper", arxiv_id=DPO, section="3")
    assert "classification loss" in method.output and "3.1 Derivation" in method.output
    assert "We beat PPO" not in method.output and "RLHF." not in method.output
    by_name = await call(anonymous, calls, operation="read_paper", arxiv_id=DPO, section="experiments")
    assert "We beat PPO" in by_name.output
    missing = await call(anonymous, calls, operation="read_paper", arxiv_id=DPO, section="Appendix Z")
    assert "No section matches 'Appendix Z'" in missing.output and "- 4 Experiments" in missing.output


async def test_linked_models_datasets_and_spaces(papers: LocalHub, anonymous: HubAccess, calls) -> None:
    models = await call(anonymous, calls, operation="find_models", arxiv_id=DPO)
    assert models.output.index("bob/dpo-model-2") < models.output.index("alice/dpo-model")
    assert "lora" not in models.output
    every = await call(anonymous, calls, operation="find_all_resources", arxiv_id=f"arxiv:{DPO}")
    assert "carol/prefs" in every.output and "alice/dpo-model" in every.output and "No spaces linked" in every.output
    assert all(f"filter=arxiv%3A{DPO}" in r.query for r in papers.requests_to("/api/spaces"))


async def test_bad_arguments_and_unknown_paper(papers: LocalHub, anonymous: HubAccess, calls) -> None:
    router = ToolRouter([make_papers_tool(anonymous)])
    assert router.validate("hf_papers", {"operation": "citation_graph"}) is not None
    assert router.validate("hf_papers", {}) is not None
    no_query = await call(anonymous, calls, operation="search")
    assert not no_query.ok and "Missing argument 'query'" in no_query.output
    bad_id = await call(anonymous, calls, operation="paper_details", arxiv_id="attention is all you need")
    assert not bad_id.ok and "2305.18290" in bad_id.output
    unknown_op = await call(anonymous, calls, operation="recommend")
    assert not unknown_op.ok and "Unknown operation" in unknown_op.output
    assert not papers.requests
    missing = await call(anonymous, calls, operation="paper_details", arxiv_id="9999.99999")
    assert not missing.ok and "404" in missing.output and "9999.99999" in missing.output


def test_normalize_arxiv_id() -> None:
    assert normalize_arxiv_id("2305.18290") == DPO
    assert normalize_arxiv_id("https://huggingface.co/papers/2305.18290") == DPO
    assert normalize_arxiv_id("arXiv:2106.09685v3") == "2106.09685"

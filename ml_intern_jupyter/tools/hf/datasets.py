"""``hf_inspect_dataset``: a dataset's configs, splits, features, row counts and a few rows.

Uses the dataset viewer API (``/splits``, ``/info``, ``/first-rows`` on ``HubAccess.datasets_server``).
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from ..spec import ToolContext, ToolResult, ToolSpec
from ._text import clip_middle
from .access import HubAccess
from .dataset_text import features_section, group_splits, row_counts, samples_section, structure_section
from .errors import HubToolError, guarded, require
from .http import get_json, hub_client

DEFAULT_ROWS = 3
MAX_ROWS = 10

DESCRIPTION = """\
Inspect a Hugging Face dataset in one call: its configs and splits with row counts, the feature \
types of one config, and a few sample rows (long cells are cut). Private and gated datasets work \
when a token is set.
Use it before training to check that the columns match the method: SFT needs `messages`, `text` \
or `prompt`/`completion`; DPO needs `prompt`, `chosen`, `rejected`; GRPO needs `prompt`.
`config` and `split` default to the first ones; `sample_rows` defaults to 3 (max 10)."""

PARAMETERS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "dataset": {"type": "string", "description": "Dataset id, e.g. 'stanfordnlp/imdb'."},
        "config": {"type": "string", "description": "Config (subset) name; default the first."},
        "split": {"type": "string", "description": "Split for the sample rows; default the first."},
        "sample_rows": {"type": "integer", "minimum": 0, "maximum": MAX_ROWS, "description": "Rows to show."},
    },
    "required": ["dataset"],
    "additionalProperties": False,
}


async def _optional(coroutine: Any, warnings: list[str], label: str) -> dict[str, Any] | None:
    try:
        return await coroutine
    except (HubToolError, httpx.HTTPError) as exc:
        warnings.append(f"{label}: {exc}")
        return None


async def _nothing() -> None:
    return None


def _choose(configs: dict[str, list[str]], config: str | None, split: str | None) -> tuple[str, str]:
    config = config or next(iter(configs))
    if config not in configs:
        raise HubToolError(f"Config {config!r} not found; available: {', '.join(configs)}.")
    split = split or configs[config][0]
    if split not in configs[config]:
        raise HubToolError(f"Split {split!r} not found in config {config!r}; available: {', '.join(configs[config])}.")
    return config, split


async def inspect_dataset(access: HubAccess, dataset: str, config: str | None, split: str | None, rows: int) -> str:
    """The report for one dataset (see :data:`DESCRIPTION`)."""
    base, what = access.datasets_server, f"dataset {dataset}"
    warnings: list[str] = []
    async with hub_client() as client:
        answer = await get_json(client, access, f"{base}/splits", what, dataset=dataset)
        configs = group_splits(answer)
        if not configs:
            pending = "; the viewer is still processing it, retry in a few minutes" if answer.get("pending") else ""
            raise HubToolError(f"The dataset viewer lists no splits for {dataset}{pending}.")
        config, split = _choose(configs, config, split)
        info, first = await asyncio.gather(
            _optional(get_json(client, access, f"{base}/info", what, dataset=dataset, config=config), warnings, "info"),
            _optional(
                get_json(client, access, f"{base}/first-rows", what, dataset=dataset, config=config, split=split),
                warnings,
                "rows",
            )
            if rows
            else _nothing(),
        )
    sections = [f"# {dataset}\n{access.repo_url(dataset, 'dataset')}"]
    sections.append(structure_section(configs, row_counts(config, info) if info else {}))
    if info:
        sections.append(features_section(config, info))
    if first:
        sections.append(samples_section(config, split, first, rows))
    if warnings:
        sections.append("Warnings: " + "; ".join(warnings))
    return "\n\n".join(sections)


def make_inspect_dataset_tool(access: HubAccess) -> ToolSpec:
    """The ``hf_inspect_dataset`` tool (read-only, no approval)."""

    async def handler(arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        require(arguments, "dataset")
        dataset = arguments["dataset"].strip()
        if dataset.count("/") > 1 or dataset.startswith("/") or dataset.endswith("/"):
            raise HubToolError(f"dataset must be an id like 'stanfordnlp/imdb' (got {dataset!r}).")
        rows = min(max(int(arguments.get("sample_rows", DEFAULT_ROWS)), 0), MAX_ROWS)
        report = await inspect_dataset(access, dataset, arguments.get("config"), arguments.get("split"), rows)
        return ToolResult(clip_middle(report))

    return ToolSpec(
        name="hf_inspect_dataset",
        description=DESCRIPTION,
        parameters=PARAMETERS,
        handler=guarded(access, handler),
        read_only=True,
    )

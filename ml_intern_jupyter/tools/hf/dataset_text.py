"""Rendering dataset viewer answers: configs and splits, feature types, sample rows."""

from __future__ import annotations

import json
from typing import Any

from ._text import MAX_CELL_CHARS, bounded_lines, clip_inline

MAX_CONFIG_LINES = 20
MAX_FEATURES = 40


def group_splits(splits_answer: dict[str, Any]) -> dict[str, list[str]]:
    """``{config: [split, ...]}`` in the viewer's order."""
    configs: dict[str, list[str]] = {}
    for item in splits_answer.get("splits") or []:
        configs.setdefault(item.get("config") or "default", []).append(item.get("split") or "train")
    return configs


def feature_type(spec: Any) -> str:
    """A readable type for one feature of ``/info`` (Value, ClassLabel, Sequence/List, structs)."""
    if isinstance(spec, list):
        return f"list[{feature_type(spec[0]) if spec else '?'}]"
    if not isinstance(spec, dict):
        return str(spec)
    kind = spec.get("_type")
    if kind == "Value":
        return str(spec.get("dtype", "?"))
    if kind == "ClassLabel":
        names = spec.get("names") or []
        if len(names) <= 8:
            return "ClassLabel (" + ", ".join(f"{i}={name}" for i, name in enumerate(names)) + ")"
        return f"ClassLabel ({len(names)} classes: {', '.join(names[:5])}, ...)"
    if kind in ("Sequence", "List", "LargeList"):
        return f"list[{feature_type(spec.get('feature'))}]"
    if kind:
        return str(kind)
    return "{" + ", ".join(f"{key}: {feature_type(value)}" for key, value in spec.items()) + "}"


def structure_section(configs: dict[str, list[str]], row_counts: dict[tuple[str, str], int]) -> str:
    """One line per config: its splits and their row counts where known."""
    lines = []
    for config, splits in configs.items():
        parts = []
        for split in splits:
            rows = row_counts.get((config, split))
            parts.append(f"{split} ({rows:,} rows)" if rows is not None else split)
        lines.append(f"- {config}: {', '.join(parts)}")
    return "## Configs and splits\n" + "\n".join(bounded_lines(lines, MAX_CONFIG_LINES, "configs"))


def row_counts(config: str, info_answer: dict[str, Any]) -> dict[tuple[str, str], int]:
    """``{(config, split): rows}`` from ``/info`` of one config."""
    splits = (info_answer.get("dataset_info") or {}).get("splits") or {}
    return {
        (config, name): int(value["num_examples"])
        for name, value in splits.items()
        if isinstance(value, dict) and value.get("num_examples") is not None
    }


def features_section(config: str, info_answer: dict[str, Any]) -> str:
    """``## Features`` from ``/info``."""
    info = info_answer.get("dataset_info") or {}
    features = info.get("features") or {}
    lines = [f"- {name}: {feature_type(spec)}" for name, spec in features.items()]
    extra = []
    if info.get("dataset_size"):
        extra.append(f"{info['dataset_size']:,} bytes")
    if info.get("download_size"):
        extra.append(f"download {info['download_size']:,} bytes")
    head = f"## Features ({config})" + (f", {', '.join(extra)}" if extra else "")
    return head + "\n" + "\n".join(bounded_lines(lines, MAX_FEATURES, "features"))


def _cell(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return clip_inline(text, MAX_CELL_CHARS)


def samples_section(config: str, split: str, rows_answer: dict[str, Any], limit: int) -> str:
    """``## Sample rows`` from ``/first-rows``, every cell cut to a short line."""
    rows = (rows_answer.get("rows") or [])[:limit]
    lines = [f"## Sample rows ({config}/{split}, {len(rows)} shown)"]
    for index, wrapper in enumerate(rows, 1):
        lines.append(f"Row {index}:")
        lines.extend(f"- {key}: {_cell(value)}" for key, value in (wrapper.get("row") or {}).items())
    messages = _messages_summary(rows)
    return "\n".join(lines + ([messages] if messages else []))


def _messages_summary(rows: list[dict[str, Any]]) -> str:
    """Roles and keys of a chat-style ``messages`` column (what SFT trainers expect)."""
    roles: set[str] = set()
    keys: set[str] = set()
    for wrapper in rows:
        messages = (wrapper.get("row") or {}).get("messages")
        if isinstance(messages, str):
            try:
                messages = json.loads(messages)
            except ValueError:
                continue
        for message in messages if isinstance(messages, list) else []:
            if isinstance(message, dict):
                keys.update(message)
                roles.add(str(message.get("role", "")))
    if not keys:
        return ""
    return f"## messages column\nroles: {', '.join(sorted(r for r in roles if r))}; keys: {', '.join(sorted(keys))}"

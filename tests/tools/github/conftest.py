"""Fixtures for the GitHub tool tests: a seeded LocalGitHub and the tools configured for it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ml_intern_jupyter.tools.github import github_tools
from ml_intern_jupyter.tools.spec import ToolContext, ToolSpec

from .github_server import GH_TOKEN, LocalGitHub

SFT_SCRIPT = "from trl import SFTConfig, SFTTrainer\n\ntrainer = SFTTrainer(model='Qwen/Qwen2-0.5B')\ntrainer.train()\n"
NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "source": ["# Fine-tune with SFT\n", "Steps below."]},
        {"cell_type": "code", "source": "from trl import SFTTrainer\nSFTTrainer", "outputs": [{"text": "x"}]},
    ],
    "metadata": {},
    "nbformat": 4,
}


@pytest.fixture
def github() -> Iterator[LocalGitHub]:
    with LocalGitHub() as server:
        server.add_repo(
            "huggingface/trl",
            {
                "examples/scripts/sft.py": SFT_SCRIPT,
                "examples/scripts/dpo.py": "from trl import DPOTrainer\n",
                "examples/notebooks/sft_lora.ipynb": json.dumps(NOTEBOOK),
                "scripts/grpo.py": "from trl import GRPOTrainer\n",
                "trl/trainer/sft_trainer.py": "class SFTTrainer:\n    pass\n",
                "README.md": "# TRL\n",
                "assets/logo.png": b"\x89PNG\x00\x00binary",
                "long.py": "".join(f"x_{i} = {i}\n" for i in range(1, 501)),
            },
            stars=9_000,
            forks=1_200,
            updated_at="2024-06-01T00:00:00Z",
            created_at="2020-01-01T00:00:00Z",
            description="Train transformer language models with reinforcement learning.",
        )
        server.add_repo("huggingface/transformers", {"README.md": "# Transformers\n"}, stars=120_000, forks=25_000)
        server.add_repo(
            "huggingface/peft", {"README.md": "# PEFT\n"}, stars=15_000, forks=1_500, created_at="2022-11-01"
        )
        server.add_repo("someone/my-sft-project", {"train.py": SFT_SCRIPT}, owner_type="user", stars=3)
        server.add_repo("someone/secret", {"a.py": "from trl import SFTTrainer\n"}, owner_type="user", private=True)
        yield server


class Calls:
    def __init__(self, workdir: Path) -> None:
        self.log_lines: list[str] = []
        self.ctx = ToolContext("call-1", "tool", workdir, on_log=self.log_lines.append)


@pytest.fixture
def calls(tmp_path: Path) -> Calls:
    return Calls(tmp_path)


def tools_for(github: LocalGitHub, token: str | None = GH_TOKEN, **env: str) -> dict[str, ToolSpec]:
    settings = {"GITHUB_API_URL": github.endpoint, **env}
    if token:
        settings["GITHUB_TOKEN"] = token
    return {spec.name: spec for spec in github_tools(settings)}

"""A real ipykernel shared by the kernel integration tests of one module."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ..hub_server import LocalHub
from .kernel_driver import KernelDriver, started_kernel


@pytest.fixture(scope="module")
def kernel_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("kernel")


@pytest.fixture(scope="module")
def hub() -> Iterator[LocalHub]:
    """A local Hub-compatible server for the module's kernel (never huggingface.co)."""
    with LocalHub() as server:
        yield server


@pytest.fixture(scope="module")
def kernel(kernel_home: Path) -> Iterator[KernelDriver]:
    """A kernel with the extension loaded, isolated from real config and keys."""
    with started_kernel(kernel_home, HF_HUB_OFFLINE="1") as driver:
        yield driver


@pytest.fixture
def kernel_script(kernel_home: Path) -> Callable[[list[dict[str, Any]]], str]:
    """Write a scripted-model file the kernel can read; returns ``scripted/<path>``."""
    counter = iter(range(10_000))

    def write(turns: list[dict[str, Any]]) -> str:
        path = kernel_home / f"script_{os.getpid()}_{next(counter)}.json"
        path.write_text(json.dumps({"turns": turns}))
        return f"scripted/{path}"

    return write

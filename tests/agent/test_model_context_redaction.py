"""What reaches the model provider is redacted like the traces: no corpus secret in any request it receives."""

from __future__ import annotations

import json

from ml_intern_jupyter.agent.builder import FrontEnd, build_session
from ml_intern_jupyter.agent.config import load_config
from ml_intern_jupyter.agent.model import ProviderFactory
from ml_intern_jupyter.agent.model.scripted import ScriptedProvider
from ml_intern_jupyter.protocol import UserInput
from ml_intern_jupyter.tools.spec import ToolSpec

from ..traces.secret_corpus import SECRET_ENV_NAME, fake_secret_env, fake_secrets


class RecordingScripted(ScriptedProvider):
    """The scripted model, keeping the JSON of every request it receives."""

    def __init__(self, model_id: str, bodies: list[str]) -> None:
        super().__init__(model_id)
        self.bodies = bodies

    async def complete(self, request, on_text=None):
        self.bodies.append(json.dumps({"messages": list(request.messages), "tools": list(request.tools)}))
        return await super().complete(request, on_text)


class RecordingFactory(ProviderFactory):
    def __init__(self, env, bodies: list[str]) -> None:
        super().__init__(env)
        self.bodies = bodies

    def create(self, model_id: str):
        return RecordingScripted(model_id, self.bodies)


def leaky_tool(secrets: list[str]) -> ToolSpec:
    async def handler(arguments, ctx) -> str:
        return "found in the environment: " + " | ".join(secrets)

    return ToolSpec("leak", "Prints secrets.", {"type": "object", "properties": {}}, handler)


async def run_leaky_session(write_script, tmp_path, **overrides) -> tuple[list[str], list[str]]:
    env = fake_secret_env()
    secrets = [secret for _, secret in fake_secrets(include_env=True)]
    config = load_config(overrides={"yolo": True, **overrides}, env=env, load_env_files=False)
    bodies: list[str] = []
    front = FrontEnd(RecordingFactory(env, bodies))
    model = write_script([{"tool_calls": [{"name": "leak", "arguments": {}}]}, {"text": "noted"}])
    built = build_session(front, config=config, model=model, tools=[leaky_tool(secrets)], builtin=False)
    outcome = await built.session.submit(UserInput("what is in my environment?"))
    assert outcome.ok, outcome
    return bodies, secrets


async def test_no_corpus_secret_reaches_the_provider(write_script, tmp_path) -> None:
    bodies, secrets = await run_leaky_session(write_script, tmp_path)
    assert len(bodies) == 2  # the tool result went out with the second request
    second = bodies[1]
    assert "[REDACTED:" in second and f"[REDACTED:{SECRET_ENV_NAME}]" in second
    assert [s for s in secrets if any(s in body for body in bodies)] == []


async def test_the_switch_for_local_models_sends_them_unredacted(write_script, tmp_path) -> None:
    bodies, secrets = await run_leaky_session(write_script, tmp_path, redact_local_model_context=False)
    assert all(s in bodies[1] for s in secrets)  # the scripted model runs locally: the user chose this

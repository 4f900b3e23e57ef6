"""The agent loop's own overhead per iteration, against a bare loop over the same model calls.

Two comparisons, each interleaved in one run (medians of ms per iteration):

1. **litellm path** (what cloud models take): a bare ``litellm.acompletion(stream=True)`` loop
   against the Session loop on a ``LitellmProvider``, both calling one in-process litellm
   ``CustomLLM`` that replays the same scripted conversation (registered by this bench only).
2. **direct path**: a bare loop over ``ScriptedProvider.complete`` against the Session loop on
   the scripted model, which measures the loop's own cost with no litellm at all.

Both loops grow the same message history. The Session loop adds events, history
bookkeeping, parsing, validation, the approval policy, tool routing, the doom-loop guard and
token counting.

    python bench/loop_overhead.py [--iterations 100] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ml_intern_jupyter.agent.config import load_config
from ml_intern_jupyter.agent.model import ProviderFactory
from ml_intern_jupyter.agent.model.ids import ModelRoute
from ml_intern_jupyter.agent.model.litellm_provider import LitellmLoader, LitellmProvider
from ml_intern_jupyter.agent.model.provider import ModelRequest
from ml_intern_jupyter.agent.model.reply import ReplyBuilder
from ml_intern_jupyter.agent.model.scripted import ScriptedProvider
from ml_intern_jupyter.agent.session import Session
from ml_intern_jupyter.protocol import UserInput
from ml_intern_jupyter.tools.spec import ToolRouter, ToolSpec

PROVIDER = "benchscript"


def write_script(path: Path, iterations: int) -> None:
    turns = [
        {"text": f"Step {i}: checking the value.", "tool_calls": [{"name": "noop", "arguments": {"i": i}}]}
        for i in range(iterations - 1)
    ]
    turns.append({"text": "All steps done."})
    path.write_text(json.dumps({"turns": turns}))


def noop_tool() -> ToolSpec:
    async def handler(arguments: dict, ctx) -> str:
        return f"value {arguments['i']}"

    parameters = {"type": "object", "properties": {"i": {"type": "integer"}}, "required": ["i"]}
    return ToolSpec("noop", "Return a value.", parameters, handler)


def register_litellm_replayer(litellm: Any) -> dict[str, ScriptedProvider]:
    """A litellm CustomLLM that streams the turns of the script its model names (``benchscript/<path>``)."""
    from litellm.types.utils import GenericStreamingChunk

    cursors: dict[str, ScriptedProvider] = {}

    class Replayer(litellm.CustomLLM):
        def astreaming(self, model: str, messages: list, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
            provider = cursors.setdefault(model, ScriptedProvider(f"scripted/{model}"))

            async def chunks():
                reply = await provider.complete(ModelRequest(messages, stream=False))
                for piece in reply.content.split(" "):
                    yield GenericStreamingChunk(text=piece + " ", tool_use=None, is_finished=False, finish_reason="",
                                                usage=None, index=0)  # fmt: skip
                for j, call in enumerate(reply.tool_calls):
                    use = {"id": call.id, "type": "function", "index": j,
                           "function": {"name": call.name, "arguments": call.arguments}}  # fmt: skip
                    yield GenericStreamingChunk(text="", tool_use=use, is_finished=False, finish_reason="",
                                                usage=None, index=0)  # fmt: skip
                usage = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
                yield GenericStreamingChunk(text="", tool_use=None, is_finished=True, finish_reason=reply.finish_reason,
                                            usage=usage, index=0)  # fmt: skip

            return chunks()

    litellm.custom_provider_map = [{"provider": PROVIDER, "custom_handler": Replayer()}]
    litellm.utils.custom_llm_setup()
    return cursors


async def bare_litellm(litellm: Any, script: Path, iterations: int) -> list[float]:
    tools = [noop_tool().to_openai()]
    messages: list[dict] = [{"role": "system", "content": "bench"}, {"role": "user", "content": "go"}]
    durations = []
    for _ in range(iterations):
        start = time.perf_counter()
        stream = await litellm.acompletion(
            model=f"{PROVIDER}/{script}",
            messages=messages,
            tools=tools,
            stream=True,
            stream_options={"include_usage": True},
            drop_params=True,
        )
        builder = ReplyBuilder()
        async for chunk in stream:
            builder.add(chunk)
        reply = builder.build()
        calls = [c.to_message() for c in reply.tool_calls]
        messages.append({"role": "assistant", "content": reply.content, **({"tool_calls": calls} if calls else {})})
        for call in reply.tool_calls:
            messages.append({"role": "tool", "tool_call_id": call.id, "content": f"value {call.arguments}"})
        durations.append(time.perf_counter() - start)
    return durations


async def bare_direct(script: Path, iterations: int) -> list[float]:
    provider = ScriptedProvider(f"scripted/{script}")
    tools = [noop_tool().to_openai()]
    messages: list[dict] = [{"role": "system", "content": "bench"}, {"role": "user", "content": "go"}]
    durations = []
    for _ in range(iterations):
        start = time.perf_counter()
        reply = await provider.complete(ModelRequest(list(messages), tools), lambda text: None)
        calls = [c.to_message() for c in reply.tool_calls]
        messages.append({"role": "assistant", "content": reply.content, **({"tool_calls": calls} if calls else {})})
        for call in reply.tool_calls:
            messages.append({"role": "tool", "tool_call_id": call.id, "content": f"value {call.arguments}"})
        durations.append(time.perf_counter() - start)
    return durations


class LitellmFactory(ProviderFactory):
    """Routes ``bench/<path>`` to the bench's litellm replayer of that script."""

    def create(self, model_id: str):
        path = model_id.partition("/")[2]
        return LitellmProvider(ModelRoute(model_id, f"{PROVIDER}/{path}", "local_server"), self.loader, {})


async def session_loop(factory: ProviderFactory, model: str, iterations: int) -> list[float]:
    config = load_config(overrides={"yolo": True, "max_iterations": iterations + 1}, load_env_files=False)
    stamps: list[float] = []

    def sink(event) -> None:
        if event.type == "assistant_message":
            stamps.append(time.perf_counter())

    session = Session(config, factory=factory, model=model, tools=ToolRouter([noop_tool()]), sinks=[sink])
    start = time.perf_counter()
    outcome = await session.submit(UserInput("go"))
    assert outcome.iterations == iterations, outcome
    edges = [start, *stamps]  # iteration i spans from the previous assistant message to this one
    return [b - a for a, b in itertools.pairwise(edges)]


def ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 3)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=100, help="iterations per round")
    parser.add_argument("--rounds", type=int, default=5, help="alternating bare/session rounds")
    args = parser.parse_args()
    loader = LitellmLoader(quiet=True)
    litellm = loader.get()
    samples: dict[str, list[float]] = {
        "bare_litellm": [],
        "session_litellm": [],
        "bare_direct": [],
        "session_direct": [],
    }
    with tempfile.TemporaryDirectory() as tmp:

        def script(name: str) -> Path:
            path = Path(tmp) / f"{name}.json"
            write_script(path, args.iterations)
            return path

        register_litellm_replayer(litellm)
        asyncio.run(bare_litellm(litellm, script("warm-up"), 5))
        for r in range(args.rounds):  # interleaved, so drift hits both sides alike
            samples["bare_litellm"] += asyncio.run(bare_litellm(litellm, script(f"bare-{r}"), args.iterations))
            factory = LitellmFactory({}, loader=loader)
            model = f"bench/{script(f'session-{r}')}"
            samples["session_litellm"] += asyncio.run(session_loop(factory, model, args.iterations))
            samples["bare_direct"] += asyncio.run(bare_direct(script(f"direct-{r}"), args.iterations))
            model = f"scripted/{script(f'session-direct-{r}')}"
            samples["session_direct"] += asyncio.run(session_loop(ProviderFactory({}), model, args.iterations))
    result = {"iterations": args.iterations * args.rounds}
    for path in ("litellm", "direct"):
        bare, loop = ms(samples[f"bare_{path}"]), ms(samples[f"session_{path}"])
        result[path] = {
            "bare_ms_per_iteration": bare,
            "session_ms_per_iteration": loop,
            "loop_overhead_ms_per_iteration": round(loop - bare, 3),
            "ratio_session_to_bare": round(loop / bare, 3),
        }
    out = Path(__file__).parent / "results" / "loop_overhead.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

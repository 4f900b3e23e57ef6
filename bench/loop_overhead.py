"""The agent loop's own overhead per iteration, against a bare litellm loop.

Both loops replay the same scripted conversation (N tool-call turns, then a
final answer) through ``litellm.acompletion(stream=True)`` and grow the same
message history. The bare loop only streams and appends messages; the Session
loop adds events, parsing, validation, approval policy, tool routing, the
doom-loop guard and token counting. Reported in one run: median ms per
iteration for each, the difference, and their ratio.

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

from ml_intern_jupyter.agent.config import load_config
from ml_intern_jupyter.agent.llm import import_litellm
from ml_intern_jupyter.agent.providers.scripted import register_scripted_provider
from ml_intern_jupyter.agent.reply import ReplyBuilder
from ml_intern_jupyter.agent.session import Session
from ml_intern_jupyter.tools.spec import ToolRouter, ToolSpec


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

    return ToolSpec(
        "noop",
        "Return a value.",
        {"type": "object", "properties": {"i": {"type": "integer"}}, "required": ["i"]},
        handler,
    )


async def bare_loop(model: str, iterations: int, key: str = "bare") -> list[float]:
    litellm = import_litellm()
    tools = [noop_tool().to_openai()]
    messages = [{"role": "system", "content": "bench"}, {"role": "user", "content": "go"}]
    durations = []
    for _ in range(iterations):
        start = time.perf_counter()
        stream = await litellm.acompletion(
            model=model,
            messages=messages,
            tools=tools,
            stream=True,
            stream_options={"include_usage": True},
            extra_body={"scripted_session": key},
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


async def session_loop(model: str, iterations: int) -> list[float]:
    config = load_config(overrides={"yolo": True, "max_iterations": iterations + 1}, load_env_files=False)
    stamps: list[float] = []

    def sink(event) -> None:
        if event.type == "assistant_message":
            stamps.append(time.perf_counter())

    session = Session(config, model=model, tools=ToolRouter([noop_tool()]), sinks=[sink])
    start = time.perf_counter()
    outcome = await session.run_turn("go")
    assert outcome.iterations == iterations, outcome
    # iteration i spans from the previous assistant message to this one (tools run in between)
    edges = [start, *stamps]
    return [b - a for a, b in itertools.pairwise(edges)]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=100, help="iterations per round")
    parser.add_argument("--rounds", type=int, default=5, help="alternating bare/session rounds")
    args = parser.parse_args()
    register_scripted_provider()
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "bench.json"
        write_script(script, args.iterations)
        model = f"scripted/{script}"
        asyncio.run(bare_loop(model, 5, key="warm-up"))  # warm-up (imports, first-call setup)
        bare: list[float] = []
        loop: list[float] = []
        for round_ in range(args.rounds):  # interleaved, so drift hits both sides alike
            bare += asyncio.run(bare_loop(model, args.iterations, key=f"bare-{round_}"))
            loop += asyncio.run(session_loop(model, args.iterations))
    bare_ms = statistics.median(bare) * 1000
    loop_ms = statistics.median(loop) * 1000
    result = {
        "iterations": args.iterations * args.rounds,
        "bare_litellm_ms_per_iteration": round(bare_ms, 3),
        "session_loop_ms_per_iteration": round(loop_ms, 3),
        "loop_overhead_ms_per_iteration": round(loop_ms - bare_ms, 3),
        "ratio_session_to_bare": round(loop_ms / bare_ms, 3),
    }
    out = Path(__file__).parent / "results" / "loop_overhead.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    for key, value in result.items():
        print(f"{key:36s} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

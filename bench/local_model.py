"""The embedded model (``local/smollm2-135m``) through the whole agent, measured in one run.

(a) Decode speed through the full stack (Session loop + litellm + the CLI TerminalRenderer
    writing to a StringIO) against raw ``llama_cpp.Llama.generate`` of the same number of
    tokens on the same prompt and model, interleaved (target ratio >= 0.9).
(b) First-token latency: cold (first call in the process, model load included) and warm (a new
    question; the system prompt is still in llama.cpp's KV cache), for a plain chat and for a
    request with the CLI tools (the decision step runs first); raw: ``Llama.generate`` with the
    prompt evaluated from scratch.
(c) Tool-task success over 20 fixed simple agent tasks with the CLI tool set (yolo,
    max_iterations 4): a task passes when its check on tool outputs / files holds.

    python bench/local_model.py [--only speed|tasks] [--repeats 3] [--ablation]

Prints a report and writes bench/results/local_model.json.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ml_intern_jupyter.agent.config import load_config
from ml_intern_jupyter.agent.model import ProviderFactory
from ml_intern_jupyter.agent.prompts import build_system_prompt
from ml_intern_jupyter.agent.session import Session
from ml_intern_jupyter.cli.render import TerminalRenderer
from ml_intern_jupyter.embedded import EmbeddedRuntime
from ml_intern_jupyter.embedded.fewshot import DEFAULT_LIMIT
from ml_intern_jupyter.embedded.respond import Request, prepare
from ml_intern_jupyter.protocol import Event, UserInput
from ml_intern_jupyter.tools.builtin import builtin_tools
from ml_intern_jupyter.tools.spec import ToolRouter

MODEL = "local/smollm2-135m"
RESULTS = Path(__file__).parent / "results" / "local_model.json"
STORY = "Write a long, detailed story about a dragon who learns to program computers."
MALFORMED = ("Error: unknown tool", "Error: the arguments of your", "Error: invalid arguments")
"""How the agent loop answers a call it cannot parse or validate (see agent/tool_calls.py)."""
FILES = {"notes.txt": "The secret number is 42.\n", "data.csv": "name,score\nalice,3\nbob,5\ncarol,4\n"}


@dataclass(frozen=True)
class Task:
    prompt: str
    check: Callable[[list[Event], Path], bool]


def output_has(text: str, tool: str | None = None) -> Callable[[list[Event], Path], bool]:
    """Some successful tool output, of ``tool`` if given, contains ``text`` (case-sensitive; a
    number must stand alone: "4" does not match "42")."""

    def check(events: list[Event], workdir: Path) -> bool:
        needle = re.escape(text.replace("{workdir}", str(workdir)))
        pattern = re.compile(rf"(?<![\d.]){needle}(?!\d)" if text.isdigit() else needle)
        return any(
            e.type == "tool_output" and e.ok and (tool is None or e.name == tool) and pattern.search(e.output)
            for e in events
        )

    return check


def file_has(name: str, text: str) -> Callable[[list[Event], Path], bool]:
    def check(events: list[Event], workdir: Path) -> bool:
        path = workdir / name
        return path.is_file() and text.lower() in path.read_text(errors="replace").lower()

    return check


def planned(events: list[Event], workdir: Path) -> bool:
    return any(e.type == "plan_update" and len(e.todos) >= 3 for e in events)


TASKS = [
    Task("Compute 17*23 with python.", output_has("391", "python")),
    Task("Use python to add up the numbers from 1 to 100.", output_has("5050", "python")),
    Task("What is 2**16? Use python.", output_has("65536", "python")),
    Task("Use python to reverse the string 'drawer'.", output_has("reward", "python")),
    Task("Use python to find the largest number in [4, 19, 7].", output_has("19", "python")),
    Task("Use python to compute the square root of 169.", output_has("13", "python")),
    Task("Use python to sort the list [5, 3, 9, 1].", output_has("[1, 3, 5, 9]", "python")),
    Task("How many letters are in the word 'notebook'? Use python.", output_has("8", "python")),
    Task("Use python to compute the average of [2, 4, 6, 8].", output_has("5", "python")),
    Task("With python, convert 'hello world' to upper case.", output_has("HELLO WORLD", "python")),
    Task("Run `echo ready` in the shell.", output_has("ready", "bash")),
    Task("List the files in the current directory with bash.", output_has("notes.txt")),
    Task("Print the working directory using bash.", output_has("{workdir}")),
    Task("Read the file notes.txt", output_has("42")),
    Task("Show the first line of data.csv.", output_has("name,score")),
    Task("Write the word hello to the file hello.txt", file_has("hello.txt", "hello")),
    Task("Create a file greet.py containing print('hi')", file_has("greet.py", "print")),
    Task("In notes.txt, replace 42 with 43.", file_has("notes.txt", "43")),
    Task("Make a plan with three steps: load data, train model, evaluate.", planned),
    Task("Use python to count how many lines data.csv has.", output_has("4", "python")),
]


RUNTIME = EmbeddedRuntime()
"""The bench's one embedded runtime: the model is loaded once for every measurement."""


def new_session(router: ToolRouter | None, sinks: list, workdir: Path, max_iterations: int = 4) -> Session:
    config = load_config(overrides={"yolo": True, "max_iterations": max_iterations}, load_env_files=False)
    tools = router if router is not None else ToolRouter(builtin_tools(scratch=workdir / "scratch"))
    factory = ProviderFactory({}, runtime=RUNTIME)
    prompt = build_system_prompt("headless")
    return Session(
        config, factory=factory, model=MODEL, tools=tools, sinks=sinks, workdir=workdir, system_prompt=prompt
    )


async def run_task(task: Task, root: Path, index: int) -> dict:
    workdir = root / f"task{index:02d}"
    workdir.mkdir(parents=True)
    for name, text in FILES.items():
        (workdir / name).write_text(text)
    events: list[Event] = []
    session = new_session(None, [events.append], workdir)
    cwd = os.getcwd()
    os.chdir(workdir)  # the CLI python tool runs in the process's working directory
    start = time.perf_counter()
    try:
        outcome = await session.submit(UserInput(task.prompt))
    finally:
        os.chdir(cwd)
    ok = task.check(events, workdir)
    calls = [f"{e.name}({json.dumps(e.arguments)[:160]})" for e in events if e.type == "tool_call"]
    malformed = [e for e in events if e.type == "tool_output" and e.output.startswith(MALFORMED)]
    return {
        "task": task.prompt,
        "ok": ok,
        "stop_reason": outcome.stop_reason,
        "iterations": outcome.iterations,
        "seconds": round(time.perf_counter() - start, 2),
        "calls": calls,
        "malformed_calls": len(malformed),
    }


class Timing:
    """An event sink recording when assistant chunks arrive (wrapping the terminal renderer)."""

    def __init__(self) -> None:
        self.renderer = TerminalRenderer(out=io.StringIO(), err=io.StringIO())
        self.start = time.perf_counter()
        self.chunks: list[float] = []
        self.completion_tokens = 0

    def __call__(self, event: Event) -> None:
        self.renderer(event)
        if event.type == "assistant_chunk":
            self.chunks.append(time.perf_counter())
        elif event.type == "turn_complete":
            self.completion_tokens = event.completion_tokens


async def stack_run(prompt: str, tools: bool, root: Path) -> Timing:
    timing = Timing()
    router = None if tools else ToolRouter()
    session = new_session(router, [timing], root, max_iterations=1)
    timing.start = time.perf_counter()
    await session.submit(UserInput(prompt))
    return timing


def raw_run(backend, prompt: str, n_tokens: int) -> tuple[float, float]:
    """Raw ``Llama.generate`` of exactly ``n_tokens`` tokens: (first-token latency, decode tok/s)."""
    tokens = backend.tokenize(prompt)
    backend.keep_cached(0)
    start = time.perf_counter()
    first, n = 0.0, 0
    for token in backend.generate(tokens, temp=0.2, top_p=0.9, top_k=40, repeat_penalty=1.1):
        backend.detokenize([token])
        n += 1
        if n == 1:
            first = time.perf_counter()
        if n >= n_tokens:
            break
    end = time.perf_counter()
    return first - start, (n - 1) / (end - first)


async def speed(repeats: int, root: Path) -> dict:
    cold = await stack_run("Hello! Who are you?", False, root)
    cold_first = cold.chunks[0] - cold.start
    questions = ["What is the capital of France?", "Tell me a joke.", "What is a neural network?"]
    warm = [await stack_run(q, False, root) for q in questions]  # new text: only the prefix is cached
    warm_tools = [await stack_run(q, True, root) for q in questions]
    model = RUNTIME.load(MODEL.split("/", 1)[1])
    system = new_session(ToolRouter(), [], root).history.messages()
    prompt = model.chat_prompt(prepare(model, Request([*system, {"role": "user", "content": STORY}])).messages)
    runs = []
    for _ in range(repeats):
        timing = await stack_run(STORY, False, root)
        n = timing.completion_tokens
        stack_tps = (n - 1) / (timing.chunks[-1] - timing.chunks[0])
        with model.lock:
            raw_first, raw_tps = await asyncio.to_thread(raw_run, model.backend, prompt, n)
        runs.append({"tokens": n, "chunks": len(timing.chunks), "stack_tok_s": stack_tps, "raw_tok_s": raw_tps})
    ratios = [r["stack_tok_s"] / r["raw_tok_s"] for r in runs]
    return {
        "runs": runs,
        "ratio_median": statistics.median(ratios),
        "stack_tok_s_median": statistics.median(r["stack_tok_s"] for r in runs),
        "raw_tok_s_median": statistics.median(r["raw_tok_s"] for r in runs),
        "first_token_cold_s": cold_first,
        "first_token_warm_s": statistics.median(t.chunks[0] - t.start for t in warm),
        "first_token_warm_with_tools_s": statistics.median(t.chunks[0] - t.start for t in warm_tools),
        "raw_first_token_s": raw_first,
        "model_loads": RUNTIME.pool.loads,
        "threads": threading.active_count(),
    }


async def tasks(root: Path, examples: int | None = None) -> dict:
    RUNTIME.examples = examples
    try:
        results = [await run_task(task, root / f"shots{examples}", i) for i, task in enumerate(TASKS)]
    finally:
        RUNTIME.examples = None
    calls = sum(len(r["calls"]) for r in results)
    malformed = sum(r["malformed_calls"] for r in results)
    return {
        "passed": sum(r["ok"] for r in results),
        "total": len(results),
        "tool_calls": calls,
        "well_formed_calls": calls - malformed,
        "results": results,
    }


async def ablation(root: Path) -> dict:
    """Success rate with 0, 1 (python only) and all few-shot tool examples."""
    out = {}
    for examples in (0, 1, DEFAULT_LIMIT):
        result = await tasks(root, examples)
        out[str(examples)] = {
            "passed": result["passed"],
            "failed": [r["task"] for r in result["results"] if not r["ok"]],
        }
    return out


def report(data: dict) -> None:
    if "speed" in data:
        s = data["speed"]
        ms = {k: round(v * 1000) for k, v in s.items() if k.startswith(("first_token", "raw_first"))}
        print(f"decode tok/s: full stack {s['stack_tok_s_median']:.1f}, raw {s['raw_tok_s_median']:.1f}, "
              f"ratio {s['ratio_median']:.2f} (median of {len(s['runs'])}; target >= 0.9)")  # fmt: skip
        print(f"first token: cold {ms['first_token_cold_s']} ms (model load included), "
              f"warm {ms['first_token_warm_s']} ms, warm with tools {ms['first_token_warm_with_tools_s']} ms, "
              f"raw (prompt from scratch) {ms['raw_first_token_s']} ms")  # fmt: skip
    if "tasks" in data:
        t = data["tasks"]
        for r in t["results"]:
            mark = "ok  " if r["ok"] else "FAIL"
            print(f"  {mark} {r['task'][:60]:60s} {r['seconds']:5.1f}s {'; '.join(r['calls'])[:110]}")
        well_formed = f"{t['well_formed_calls']}/{t['tool_calls']} tool calls well-formed"
        print(f"tool tasks: {t['passed']}/{t['total']} passed; {well_formed}")
    for shots, result in data.get("few_shot_ablation", {}).items():
        print(f"  with {shots} few-shot tool examples: {result['passed']}/{len(TASKS)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("speed", "tasks"))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--ablation", action="store_true", help="also measure 0/1/all few-shot examples")
    args = parser.parse_args(argv)
    data: dict = {"model": MODEL, "cpu_count": os.cpu_count()}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if args.only != "tasks":
            data["speed"] = asyncio.run(speed(args.repeats, root))
        if args.only != "speed":
            data["tasks"] = asyncio.run(tasks(root))
        if args.ablation:
            data["few_shot_ablation"] = asyncio.run(ablation(root))
    data["seconds"] = round(time.perf_counter() - start, 1)
    report(data)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(data, indent=2))
    print(f"wrote {RESULTS} ({data['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

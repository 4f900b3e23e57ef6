"""The embedded model (``local/smollm2-135m``) through the whole agent, measured in one run.

(a) Decode speed through the full stack (Session loop + the CLI TerminalRenderer writing to a
    StringIO) against raw ``llama_cpp.Llama.generate`` of the same number of tokens on the same
    prompt and model, interleaved (target ratio >= 0.9).
(b) First-token latency with the real tool set of ``build_session`` (the CLI's 19 tools):
    cold (a new runtime: model load and the whole prompt), warm (a new question after others),
    with and without tools; with tools, the first call of a tool set that just changed (an MCP
    tool arrived) and calls that switch back and forth between two tool sets. Raw:
    ``Llama.generate`` with the prompt evaluated from scratch.
(c) Task success on ``bench/local_tasks.py``: the held-out part first (never tuned on), then the
    tuning part; each task in a fresh session with the real tool set (yolo, max_iterations 4),
    passed when its check on tool outputs / files / plan holds. Kernel tasks run ``%%intern``
    in a real ipykernel against a DataFrame the user defined. Failed tasks are sorted into
    failure kinds.

    python bench/local_model.py [--only speed|tasks|kernel] [--part held_out|tuning] [--repeats 3]

A full run writes bench/results/local_model.json; a partial one only with ``--out``.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import io
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/notebook/kernel_driver.py

from bench.local_tasks import FILES, HELD_OUT, KERNEL_HELD_OUT, KERNEL_SETUP, KERNEL_TUNING, TUNING, Output, Run, Task
from ml_intern_jupyter.agent.builder import BuiltSession, FrontEnd, build_session
from ml_intern_jupyter.agent.config import load_config
from ml_intern_jupyter.agent.model import ProviderFactory
from ml_intern_jupyter.cli.render import TerminalRenderer
from ml_intern_jupyter.embedded import EmbeddedRuntime
from ml_intern_jupyter.embedded.respond import Request, prepare
from ml_intern_jupyter.protocol import Event, UserInput
from ml_intern_jupyter.tools.spec import ToolSpec

MODEL = "local/smollm2-135m"
RESULTS = Path(__file__).parent / "results" / "local_model.json"
STORY = "Write a long, detailed story about a dragon who learns to program computers."
QUESTIONS = ("What is the capital of France?", "Tell me a joke.", "What is a neural network?", "Who wrote Hamlet?")
MALFORMED = ("Error: unknown tool", "Error: the arguments of your", "Error: invalid arguments")
"""How the agent loop answers a call it cannot parse or validate (see agent/tool_calls.py)."""
MAX_ITERATIONS = 4


def session_for(runtime: EmbeddedRuntime, sinks: list, workdir: Path, *, tools: bool = True, **kw: Any) -> BuiltSession:
    """A session as the CLI builds it (``tools=False``: none at all), on the bench's runtime."""
    overrides = {"yolo": True, "max_iterations": kw.pop("max_iterations", MAX_ITERATIONS)}
    config = load_config(overrides=overrides, load_env_files=False)
    front = FrontEnd(ProviderFactory({}, runtime=runtime))
    return build_session(
        front, config=config, variant="cli", model=MODEL, sinks=sinks, workdir=workdir, builtin=tools, **kw
    )


# -- (c) tasks -------------------------------------------------------------------------------
def run_of(events: list[Event], workdir: Path) -> Run:
    """The check's view of a CLI turn."""
    calls = [(e.name, dict(e.arguments)) for e in events if e.type == "tool_call"]
    outputs = [Output(e.name, e.ok, e.output) for e in events if e.type == "tool_output"]
    answer = next((e.final_text for e in events if e.type == "turn_complete"), "")
    plans = [[str(t.get("content", "")).lower() for t in e.todos] for e in events if e.type == "plan_update"]
    return Run(calls, outputs, answer, workdir, plans)


def failure_kind(task: Task, run: Run) -> str:
    """Why a task failed, in a few words."""
    if not run.calls:
        return "answered without a tool"
    if not any(name == task.tool for name, _ in run.calls):
        return f"wrong tool ({run.calls[0][0]} for {task.tool})"
    mine = [o for o in run.outputs if o.name == task.tool]
    if mine and all(o.text.startswith(MALFORMED) for o in mine):
        return "malformed call"
    if mine and not any(o.ok for o in mine):
        return "the call failed when run"
    return "ran, wrong result"


def result_of(task: Task, run: Run, outcome: Any, seconds: float) -> dict:
    ok = task.check(run)
    return {
        "task": task.prompt,
        "ok": ok,
        "failure": None if ok else failure_kind(task, run),
        "stop_reason": getattr(outcome, "stop_reason", outcome),
        "seconds": round(seconds, 2),
        "calls": [f"{n}({json.dumps(a)[:160]})" for n, a in run.calls],
        "malformed_calls": sum(o.text.startswith(MALFORMED) for o in run.outputs),
    }


async def run_task(runtime: EmbeddedRuntime, task: Task, workdir: Path, max_iterations: int) -> dict:
    workdir.mkdir(parents=True)
    for name, text in FILES.items():
        (workdir / name).write_text(text)
    events: list[Event] = []
    built = session_for(runtime, [events.append], workdir, max_iterations=max_iterations)
    cwd = os.getcwd()
    os.chdir(workdir)  # the CLI python tool runs in the process's working directory
    start = time.perf_counter()
    try:
        outcome = await built.session.submit(UserInput(task.prompt))
    finally:
        os.chdir(cwd)
        await built.aclose()
    return result_of(task, run_of(events, workdir), outcome, time.perf_counter() - start)


def summary(results: list[dict]) -> dict:
    kinds = collections.Counter(r["failure"] for r in results if not r["ok"])
    calls = sum(len(r["calls"]) for r in results)
    return {
        "passed": sum(r["ok"] for r in results),
        "total": len(results),
        "tool_calls": calls,
        "well_formed_calls": calls - sum(r["malformed_calls"] for r in results),
        "failure_kinds": dict(kinds.most_common()),
        "results": results,
    }


async def cli_tasks(runtime: EmbeddedRuntime, tasks: tuple[Task, ...], root: Path, max_iterations: int) -> dict:
    results = [await run_task(runtime, task, root / f"task{i:02d}", max_iterations) for i, task in enumerate(tasks)]
    return summary(results)


# -- (c) kernel tasks ------------------------------------------------------------------------
AGENT = "get_ipython().magics_manager.registry['InternMagics'].agent"
PROBE = f"""
import json as _json
_s = {AGENT}.session()
_calls, _outputs, _answer = [], [], ''
for _e in _s.history.entries():
    _m = _e.message
    if _m.get('role') == 'assistant':
        _answer = _m.get('content') or _answer
        for _c in _m.get('tool_calls') or []:
            _calls.append([_c['function']['name'], _c['function']['arguments']])
    elif _m.get('role') == 'tool':
        _outputs.append([_m.get('name') or '', bool(_e.ok), _m.get('content') or ''])
def _probe(_x):
    try:
        return eval(_x)
    except Exception as _exc:
        return repr(_exc)
print('@@PROBE@@' + _json.dumps({{'calls': _calls, 'outputs': _outputs, 'answer': _answer,
    'probes': {{_k: _probe(_v) for _k, _v in %s.items()}}}}, default=str))
"""


def kernel_tasks(parts: dict[str, tuple[Task, ...]], root: Path, max_iterations: int) -> dict[str, dict]:
    """Each task as a ``%%intern`` cell in one real kernel (the user's cell re-run before each)."""
    from tests.notebook.kernel_driver import KernelDriver, isolated_kernel_env

    if not any(parts.values()):
        return {}
    home = root / "kernel-home"
    home.mkdir()
    for name, text in FILES.items():
        (home / name).write_text(text)
    driver = KernelDriver(env=isolated_kernel_env(home, HF_HUB_OFFLINE="1"), cwd=str(home))
    out: dict[str, dict] = {}
    try:
        assert driver.run("%load_ext ml_intern_jupyter").reply["content"]["status"] == "ok"
        for part, tasks in parts.items():
            results = []
            for task in tasks:
                driver.run("%reset -f\n" + KERNEL_SETUP, timeout=120)
                start = time.perf_counter()
                cell = driver.run(
                    f"%%intern --new --yolo --model {MODEL} --max-iterations {max_iterations}\n{task.prompt}",
                    timeout=600,
                )
                seconds = time.perf_counter() - start
                probe = driver.run(PROBE % repr(task.probes), timeout=60).text()
                data = json.loads(probe[probe.index("@@PROBE@@") + 9 :].splitlines()[0])
                calls = [(n, _loads(a)) for n, a in data["calls"]]
                outputs = [Output(n, ok, text) for n, ok, text in data["outputs"]]
                run = Run(calls, outputs, data["answer"], home, probes=data["probes"])
                status = cell.reply["content"]["status"] if cell.reply else "no reply"
                results.append(result_of(task, run, status, seconds))
            out[part] = summary(results)
    finally:
        driver.close()
    return out


def _loads(text: str) -> dict:
    try:
        value = json.loads(text)
    except (TypeError, json.JSONDecodeError):
        return {"raw": text}
    return value if isinstance(value, dict) else {"raw": value}


# -- (a), (b) speed ----------------------------------------------------------------------------
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

    @property
    def first(self) -> float:
        return self.chunks[0] - self.start


async def stack_run(runtime: EmbeddedRuntime, prompt: str, tools: bool, root: Path, extra: tuple = ()) -> Timing:
    """One turn of one iteration; ``extra`` tools are registered on top (an MCP server's)."""
    timing = Timing()
    built = session_for(runtime, [timing], root, tools=tools, max_iterations=1)
    for spec in extra:
        built.session.tools.register(spec)
    timing.start = time.perf_counter()
    await built.session.submit(UserInput(prompt))
    await built.aclose()
    return timing


def mcp_tool() -> ToolSpec:
    """A stand-in for a tool that an MCP server offers once it has connected."""

    async def run(arguments: dict, ctx: Any) -> str:
        return "ok"

    return ToolSpec(
        name="mcp__demo__lookup",
        description="Look a term up in the demo glossary server.",
        parameters={"type": "object", "properties": {"term": {"type": "string"}}, "required": ["term"]},
        handler=run,
    )


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


async def first_tokens(runtime: EmbeddedRuntime, root: Path) -> dict:
    """First-token latencies (seconds): cold in fresh runtimes, then warm, with and without tools."""
    cold = {}
    for tools in (False, True):
        fresh = EmbeddedRuntime()
        try:
            cold[tools] = (await stack_run(fresh, "Hello! Who are you?", tools, root)).first
        finally:
            fresh.close()
    await stack_run(runtime, "Hello!", False, root)  # load the model; fill the prompt caches
    await stack_run(runtime, "Hello!", True, root)
    warm = [(await stack_run(runtime, q, False, root)).first for q in QUESTIONS]
    warm_tools = [(await stack_run(runtime, q, True, root)).first for q in QUESTIONS]
    extra = (mcp_tool(),)
    changed = (await stack_run(runtime, "Hello there!", True, root, extra)).first  # a tool set never seen
    switching = []
    for i, q in enumerate(QUESTIONS):  # A, B, A, B: each set's preamble comes back from its cache
        switching.append((await stack_run(runtime, q, True, root, extra if i % 2 else ())).first)
    return {
        "first_token_cold_s": cold[False],
        "first_token_cold_with_tools_s": cold[True],
        "first_token_warm_s": statistics.median(warm),
        "first_token_warm_with_tools_s": statistics.median(warm_tools),
        "first_token_tool_set_changed_s": changed,
        "first_token_switching_tool_sets_s": statistics.median(switching),
        "warm_with_tools_ratio": statistics.median(warm_tools) / statistics.median(warm),
    }


async def speed(runtime: EmbeddedRuntime, repeats: int, root: Path) -> dict:
    latencies = await first_tokens(runtime, root)
    model = runtime.load(MODEL.split("/", 1)[1])
    system = session_for(runtime, [], root, tools=False).session.history.messages()
    prompt = model.chat_prompt(prepare(model, Request([*system, {"role": "user", "content": STORY}])).messages)
    runs = []
    for _ in range(repeats):
        timing = await stack_run(runtime, STORY, False, root)
        n = timing.completion_tokens
        stack_tps = (n - 1) / (timing.chunks[-1] - timing.chunks[0])
        with model.lock:
            raw_first, raw_tps = await asyncio.to_thread(raw_run, model.backend, prompt, n)
        runs.append({"tokens": n, "chunks": len(timing.chunks), "stack_tok_s": stack_tps, "raw_tok_s": raw_tps})
    ratios = [r["stack_tok_s"] / r["raw_tok_s"] for r in runs]
    tools = session_for(runtime, [], root).session.tools.names()
    return {
        "runs": runs,
        "ratio_median": statistics.median(ratios),
        "stack_tok_s_median": statistics.median(r["stack_tok_s"] for r in runs),
        "raw_tok_s_median": statistics.median(r["raw_tok_s"] for r in runs),
        **latencies,
        "raw_first_token_s": raw_first,
        "tools": list(tools),
        "model_loads": runtime.pool.loads,
        "threads": threading.active_count(),
    }


# -- report ----------------------------------------------------------------------------------
def report(data: dict) -> None:
    if "speed" in data:
        s = data["speed"]
        ms = {k: round(v * 1000) for k, v in s.items() if k.startswith(("first_token", "raw_first"))}
        print(f"decode tok/s: full stack {s['stack_tok_s_median']:.1f}, raw {s['raw_tok_s_median']:.1f}, "
              f"ratio {s['ratio_median']:.2f} (median of {len(s['runs'])}; target >= 0.9)")  # fmt: skip
        print(f"first token, {len(s['tools'])} tools: cold {ms['first_token_cold_s']} ms / "
              f"{ms['first_token_cold_with_tools_s']} ms with tools (model load included); "
              f"warm {ms['first_token_warm_s']} ms / {ms['first_token_warm_with_tools_s']} ms with tools "
              f"(x{s['warm_with_tools_ratio']:.2f}; target <= 2); tool set changed "
              f"{ms['first_token_tool_set_changed_s']} ms, switching between two sets "
              f"{ms['first_token_switching_tool_sets_s']} ms; raw (prompt from scratch) "
              f"{ms['raw_first_token_s']} ms")  # fmt: skip
    for part in ("held_out", "tuning"):
        for kind in ("tasks", "kernel_tasks"):
            t = data.get(kind, {}).get(part)
            if not t:
                continue
            print(f"{part} {kind.replace('_', ' ')}:")
            for r in t["results"]:
                mark = "ok  " if r["ok"] else "FAIL"
                print(f"  {mark} {r['task'][:58]:58s} {r['seconds']:5.1f}s {'; '.join(r['calls'])[:100]}")
            kinds = ", ".join(f"{k}: {n}" for k, n in t["failure_kinds"].items())
            print(f"  {t['passed']}/{t['total']} passed; {t['well_formed_calls']}/{t['tool_calls']} calls well-formed;"
                  f" failures: {kinds or 'none'}")  # fmt: skip
    for part, totals in data.get("totals", {}).items():
        print(f"{part}: {totals['passed']}/{totals['total']} ({100 * totals['passed'] / totals['total']:.0f}%)")


def totals(data: dict) -> dict:
    """Passed/total per part over CLI and kernel tasks, held-out first."""
    out = {}
    for part in ("held_out", "tuning"):
        parts = [data[k][part] for k in ("tasks", "kernel_tasks") if part in data.get(k, {})]
        if parts:
            kinds = collections.Counter()
            for p in parts:
                kinds.update(p["failure_kinds"])
            out[part] = {
                "passed": sum(p["passed"] for p in parts),
                "total": sum(p["total"] for p in parts),
                "failure_kinds": dict(kinds.most_common()),
            }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("speed", "tasks", "kernel"))
    parser.add_argument("--part", choices=("held_out", "tuning"), help="run one part of the task set")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, help="where to write the JSON (default: results/ on a full run)")
    parser.add_argument("--max-iterations", type=int, default=MAX_ITERATIONS, help="per task (quick screens: 1)")
    parser.add_argument("--match", help="only tasks whose prompt contains this text")
    args = parser.parse_args(argv)
    parts = {"held_out": (HELD_OUT, KERNEL_HELD_OUT), "tuning": (TUNING, KERNEL_TUNING)}
    if args.part:
        parts = {args.part: parts[args.part]}
    if args.match:
        parts = {p: tuple(tuple(t for t in ts if args.match in t.prompt) for ts in both) for p, both in parts.items()}
    data: dict = {"model": MODEL, "cpu_count": os.cpu_count(), "load_average_start": os.getloadavg()}
    start = time.perf_counter()
    runtime = EmbeddedRuntime()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.environ["ML_INTERN_DATA_DIR"] = str(root / "data")  # sessions and scratch files stay in tmp
        if args.only in (None, "speed"):
            data["speed"] = asyncio.run(speed(runtime, args.repeats, root / "speed"))
        if args.only in (None, "tasks"):
            data["tasks"] = {
                p: asyncio.run(cli_tasks(runtime, cli, root / p, args.max_iterations)) for p, (cli, _) in parts.items()
            }
        if args.only in (None, "kernel"):
            kernel = {p: k for p, (_, k) in parts.items() if k}
            data["kernel_tasks"] = kernel_tasks(kernel, root, args.max_iterations)
    runtime.close()
    data["totals"] = totals(data)
    data["seconds"] = round(time.perf_counter() - start, 1)
    data["load_average_end"] = os.getloadavg()
    report(data)
    full = args.only is None and args.part is None and args.match is None and args.max_iterations == 4
    out = args.out or (RESULTS if full else None)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(data, indent=2))
        print(f"wrote {out} ({data['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

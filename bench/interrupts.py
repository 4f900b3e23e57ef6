"""How fast things stop and start: the numbers the tests only bound generously.

Measured in one run (median of ``--repeats``):

- core: ``Interrupt`` during a slow tool and while waiting for the model, until the turn ends;
- bash: cancelling a running command until its process group is gone;
- kernel (a real ipykernel through jupyter_client): the notebook's Stop (SIGINT) during a blocking
  ``python`` call, while an approval waits, and during a model stream, until the cell is idle;
- ``%load_ext ml_intern_jupyter`` in a fresh interpreter.

    python bench/interrupts.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ml_intern_jupyter.agent.config import load_config
from ml_intern_jupyter.agent.model import ProviderFactory
from ml_intern_jupyter.agent.session import Session
from ml_intern_jupyter.protocol import Interrupt, UserInput
from ml_intern_jupyter.tools.builtin.bash import run_bash
from ml_intern_jupyter.tools.spec import ToolContext, ToolRouter, ToolSpec
from tests.notebook.kernel_driver import KernelDriver, isolated_kernel_env

RESULTS = Path(__file__).parent / "results" / "interrupts.json"


def script(tmp: Path, name: str, turns: list) -> str:
    path = tmp / f"{name}.json"
    path.write_text(json.dumps({"turns": turns}))
    return f"scripted/{path}"


def slow_tool(started: asyncio.Event) -> ToolSpec:
    async def handler(arguments: dict, ctx) -> str:
        started.set()
        await asyncio.sleep(60)
        return "slept"

    return ToolSpec("slow", "Sleep.", {"type": "object", "properties": {}}, handler)


async def core_interrupt(tmp: Path, where: str, index: int) -> float:
    started = asyncio.Event()
    if where == "tool":
        turns = [{"tool_calls": [{"name": "slow", "arguments": {}}]}, {"text": "after"}]
    else:
        turns = [{"text": "late", "delay": 60}]
    config = load_config(overrides={"yolo": True}, load_env_files=False)
    model = script(tmp, f"core-{where}-{index}", turns)
    session = Session(config, factory=ProviderFactory({}), model=model, tools=ToolRouter([slow_tool(started)]))
    turn = asyncio.create_task(session.submit(UserInput("go")))
    if where == "tool":
        await started.wait()
    else:
        await asyncio.sleep(0.2)
    start = time.perf_counter()
    await session.submit(Interrupt())
    await turn
    return time.perf_counter() - start


async def bash_cancel(tmp: Path) -> float:
    ctx = ToolContext("b", "bash", tmp)
    task = asyncio.create_task(run_bash({"command": "sleep 60 & sleep 60"}, ctx))
    await asyncio.sleep(0.3)
    start = time.perf_counter()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return time.perf_counter() - start


def kernel_interrupts(tmp: Path, repeats: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"blocking_python": [], "approval_wait": [], "model_stream": []}
    kernel = KernelDriver(env=isolated_kernel_env(tmp, HF_HUB_OFFLINE="1"), cwd=str(tmp))
    try:
        kernel.run("%load_ext ml_intern_jupyter")
        for i in range(repeats):
            cases = {
                "blocking_python": (
                    [{"tool_calls": [{"name": "python", "arguments": {"code": "import time\ntime.sleep(60)"}}]}],
                    "--yolo",
                    "running",
                ),
                "approval_wait": (
                    [{"tool_calls": [{"name": "python", "arguments": {"code": "x = 1"}}]}],
                    "",
                    "Approve",
                ),
                "model_stream": ([{"text": "late", "delay": 60}], "", "working"),
            }
            for name, (turns, flags, marker) in cases.items():
                model = script(tmp, f"k-{name}-{i}", turns)
                run = kernel.start(f"%%intern --new {flags} --model {model}\ngo")
                kernel.pump(run, until=lambda r, m=marker: m in r.text(), timeout=60)
                time.sleep(0.3)
                start = time.perf_counter()
                kernel.interrupt()
                kernel.pump(run, timeout=30)
                out[name].append(time.perf_counter() - start)
    finally:
        kernel.close()
    return out


def load_ext_seconds() -> float:
    code = (
        "import time\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "ip = InteractiveShell.instance()\n"
        "t = time.perf_counter()\n"
        "ip.run_line_magic('load_ext', 'ml_intern_jupyter')\n"
        "print(time.perf_counter() - t)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(proc.stdout.split()[-1])


def summary(values: list[float]) -> dict[str, float]:
    return {"median_ms": round(statistics.median(values) * 1000, 1), "max_ms": round(max(values) * 1000, 1)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        core = {
            "interrupt_during_tool": [asyncio.run(core_interrupt(tmp, "tool", i)) for i in range(args.repeats)],
            "interrupt_waiting_for_model": [asyncio.run(core_interrupt(tmp, "model", i)) for i in range(args.repeats)],
            "bash_cancel_kills_group": [asyncio.run(bash_cancel(tmp)) for _ in range(args.repeats)],
        }
        kernel = kernel_interrupts(tmp, args.repeats)
    loads = [load_ext_seconds() for _ in range(args.repeats)]
    result = {
        "core": {k: summary(v) for k, v in core.items()},
        "kernel_stop_until_idle": {k: summary(v) for k, v in kernel.items()},
        "load_ext": summary(loads),
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

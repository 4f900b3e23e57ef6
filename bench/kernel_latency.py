"""Latencies a notebook user feels, in a real ipykernel (one run, medians over ``--repeats``):

- **print to iopub**: a ``python`` tool call prints the time every 0.1 s (blocking code with and
  without ``flush=True``, and async code); the client notes when each stream message arrives.
  Target: under 250 ms (ipykernel itself flushes unflushed output every 0.2 s).
- **first reply**: from sending a ``%%intern`` cell (scripted model) to the first display that holds
  the reply text, in a fresh kernel (cold, right after ``%load_ext``) and on the next cells (warm).
  Targets: cold under 1.5 s, warm under 100 ms.

    python bench/kernel_latency.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.notebook.kernel_driver import CellRun, KernelDriver, isolated_kernel_env

RESULTS = Path(__file__).parent / "results" / "kernel_latency.json"
PLAIN = "import time\nfor _ in range(30):\n    print(repr(time.time()))\n    time.sleep(0.1)"
BLOCKING = "import time\nfor _ in range(30):\n    print(repr(time.time()), flush=True)\n    time.sleep(0.1)"
ASYNC = (
    "import asyncio, time\nfor _ in range(30):\n    print(repr(time.time()), flush=True)\n    await asyncio.sleep(0.1)"
)


def script(tmp: Path, name: str, turns: list) -> str:
    path = tmp / f"{name}.json"
    path.write_text(json.dumps({"turns": turns}))
    return f"scripted/{path}"


def print_latencies(kernel: KernelDriver, tmp: Path, code: str, name: str) -> list[float]:
    model = script(tmp, name, [{"tool_calls": [{"name": "python", "arguments": {"code": code}}]}, {"text": "ok"}])
    run = kernel.start(f"%%intern --new --yolo --model {model}\nprint the time")
    arrivals: list[tuple[float, str]] = []
    seen = 0

    def note(r: CellRun) -> bool:
        nonlocal seen
        streams = r.outputs("stream")
        for message in streams[seen:]:
            arrivals.append((time.time(), message["content"]["text"]))
        seen = len(streams)
        return False

    deadline = time.monotonic() + 60
    while run.reply is None and time.monotonic() < deadline:
        _pump_once(kernel, run, note)
    kernel.pump(run, timeout=30)
    latencies = []
    for arrived, text in arrivals:
        for line in text.split():
            try:
                latencies.append(arrived - float(line))
            except ValueError:
                continue
    return latencies


def _pump_once(kernel: KernelDriver, run: CellRun, note) -> None:
    with contextlib.suppress(TimeoutError):
        kernel.pump(run, until=lambda r: note(r) or r.reply is not None, timeout=0.2)


def first_reply(kernel: KernelDriver, tmp: Path, name: str) -> float:
    reply = f"reply-{name}"
    model = script(tmp, name, [{"text": reply}])
    start = time.perf_counter()
    run = kernel.start(f"%%intern --new --model {model}\nhi")
    kernel.pump(run, until=lambda r: reply in r.text(), timeout=60)
    elapsed = time.perf_counter() - start
    kernel.pump(run, timeout=30)
    return elapsed


def new_kernel(tmp: Path, name: str) -> KernelDriver:
    home = tmp / name
    home.mkdir()
    kernel = KernelDriver(env=isolated_kernel_env(home, HF_HUB_OFFLINE="1"), cwd=str(home))
    kernel.run("%load_ext ml_intern_jupyter")
    return kernel


def stats(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[round(0.95 * (len(ordered) - 1))] * 1000, 1),
        "samples": len(ordered),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    cold, warm, blocking, plain, async_ = [], [], [], [], []
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        for r in range(args.repeats):
            kernel = new_kernel(tmp, f"k{r}")
            try:
                cold.append(first_reply(kernel, tmp, f"cold{r}"))
                warm += [first_reply(kernel, tmp, f"warm{r}-{i}") for i in range(3)]
                blocking += print_latencies(kernel, tmp, BLOCKING, f"blocking{r}")
                plain += print_latencies(kernel, tmp, PLAIN, f"plain{r}")
                async_ += print_latencies(kernel, tmp, ASYNC, f"async{r}")
            finally:
                kernel.close()
    result = {
        "print_to_iopub_blocking_code": stats(blocking),
        "print_to_iopub_blocking_code_without_flush": stats(plain),
        "print_to_iopub_async_code": stats(async_),
        "first_reply_cold": stats(cold),
        "first_reply_warm": stats(warm),
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

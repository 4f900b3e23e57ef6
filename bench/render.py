"""Cost of rendering a streamed reply in the notebook.

Two measurements, in one run:

1. In-process, paced: 1,000 tokens streamed into a ``CellView`` at 30, 100 and
   300 tokens/s; counts the display messages it sends (each is one iopub
   message in a kernel). Target: <= 50 per 1,000 tokens.
2. In a real ipykernel: a 2,000-token scripted reply through ``%%intern`` (with
   rendering) vs the same reply submitted to the session with no view;
   wall time measured inside the kernel, iopub messages counted by the client.

    python bench/render.py
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ml_intern_jupyter.notebook.view import CellView
from ml_intern_jupyter.protocol import AssistantChunk, AssistantMessage
from tests.notebook.kernel_driver import KernelDriver

DISPLAY_TYPES = ("display_data", "update_display_data", "stream")


class CountingHandle:
    def __init__(self, counter: list[int]) -> None:
        self.counter = counter

    def update(self, obj) -> None:
        self.counter[0] += 1


async def paced(rate: float, tokens: int = 1000) -> int:
    counter = [0]

    def display(obj, **kwargs):
        counter[0] += 1
        return CountingHandle(counter)

    view = CellView("bench", display=display)
    view.start()
    words = [f"w{i} " for i in range(tokens)]
    for word in words:
        view(AssistantChunk(content=word))
        await asyncio.sleep(1 / rate)
    view(AssistantMessage(content="".join(words)))
    view.close()
    return counter[0]


def kernel_ratio(tokens: int = 2000) -> dict:
    tmp = Path(tempfile.mkdtemp())
    text = " ".join(f"word{i}" for i in range(tokens))
    script = tmp / "long.json"
    script.write_text(json.dumps({"turns": [{"text": text}] * 8}))
    env = {**os.environ, "ML_INTERN_DATA_DIR": str(tmp / "data"), "HOME": str(tmp)}
    kernel = KernelDriver(env=env, cwd=str(tmp))
    try:
        kernel.run("%load_ext ml_intern_jupyter\nimport time")
        agent = "get_ipython().magics_manager.registry['InternMagics'].agent"
        kernel.run(
            "from ml_intern_jupyter.protocol import SetModel, UserInput\n"
            f"h = {agent}.handle('bench'); s = h.session\n"
            f"await s.submit(SetModel('scripted/{script}')); await s.submit(UserInput('warm up'))"
        )
        bare_times, rendered_times, counts, bare_counts = [], [], [], []
        for _ in range(3):  # interleaved, medians taken
            bare = kernel.run("t0 = time.perf_counter(); await s.submit(UserInput('go')); t = time.perf_counter() - t0")
            bare_times.append(float(kernel.run("print(t)").text().split()[0]))
            rendered = kernel.run(
                f"t0 = time.perf_counter(); await {agent}.run_message(h, 'go'); t = time.perf_counter() - t0"
            )
            rendered_times.append(float(kernel.run("print(t)").text().split()[0]))
            counts.append(len([m for m in rendered.messages if m["msg_type"] in DISPLAY_TYPES]))
            bare_counts.append(len([m for m in bare.messages if m["msg_type"] in DISPLAY_TYPES]))
        bare_s, rendered_s = statistics.median(bare_times), statistics.median(rendered_times)
        messages = statistics.median(counts)
        return {
            "tokens": tokens,
            "bare_seconds": round(bare_s, 4),
            "rendered_seconds": round(rendered_s, 4),
            "ratio_rendered_to_bare": round(rendered_s / bare_s, 3),
            "iopub_messages": messages,
            "iopub_messages_per_1000_tokens": round(messages * 1000 / tokens, 1),
            "unrendered_iopub_messages": max(bare_counts),
        }
    finally:
        kernel.close()


def main() -> int:
    result = {"paced_messages_per_1000_tokens": {}}
    for rate in (30, 100, 300):
        result["paced_messages_per_1000_tokens"][f"{rate}_tok_per_s"] = asyncio.run(paced(rate))
    result["kernel_2000_tokens"] = kernel_ratio()
    out = Path(__file__).parent / "results" / "render.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

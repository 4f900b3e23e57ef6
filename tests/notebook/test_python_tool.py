"""The python tool in a live kernel: output as it happens, scoped to the agent, bounded, and Stop that stops."""

from __future__ import annotations

import json
import time
from pathlib import Path

from ..conftest import GENEROUS_SECONDS
from .kernel_driver import CellRun, KernelDriver

AGENT = "get_ipython().magics_manager.registry['InternMagics'].agent"


def python_call(code: str) -> dict:
    return {"name": "python", "arguments": {"code": code}}


def stream_text(run: CellRun) -> str:
    return "".join(m["content"]["text"] for m in run.outputs("stream"))


def test_user_cells_during_a_background_async_call_are_answered_into_their_own_cells(
    kernel: KernelDriver, kernel_script
):
    code = "import asyncio\nfor i in range(6):\n    print('agent line', i, flush=True)\n    await asyncio.sleep(0.4)"
    model = kernel_script([{"tool_calls": [python_call(code)]}, {"text": "async work done"}])
    bg = kernel.run(f"%%intern --new --background --yolo --session async --model {model}\nwork", timeout=30)
    kernel.pump(bg, until=lambda r: "agent line 0" in stream_text(r), timeout=30)
    users = [kernel.run(f"print('user cell', {k})", timeout=GENEROUS_SECONDS) for k in range(3)]
    for k, run in enumerate(users):
        assert run.reply["content"]["status"] == "ok"
        assert stream_text(run) == f"user cell {k}\n"  # nothing of the agent's leaked in
    kernel.pump(bg, until=lambda r: "async work done" in r.text(), timeout=30)
    agent_text = stream_text(bg)
    assert [f"agent line {i}" in agent_text for i in range(6)] == [True] * 6 and "user cell" not in agent_text
    after = kernel.run("print('still answering')", timeout=GENEROUS_SECONDS)  # the old freeze hit the next message
    assert "still answering" in after.text()


def test_eight_background_sessions_finish_while_a_plain_cell_is_answered(kernel: KernelDriver, kernel_script):
    runs = []
    for i in range(8):
        code = f"import asyncio\nawait asyncio.sleep(1)\nprint('session {i} ran')"
        model = kernel_script([{"tool_calls": [python_call(code)]}, {"text": f"finished {i}"}])
        runs.append(kernel.run(f"%%intern --new --background --yolo --session b{i} --model {model}\ngo", timeout=30))
    start = time.monotonic()
    plain = kernel.run("print('plain cell')", timeout=GENEROUS_SECONDS)
    assert "plain cell" in plain.text() and time.monotonic() - start < GENEROUS_SECONDS
    kernel.run(f"await {AGENT}.wait()", timeout=60)
    for i, run in enumerate(runs):
        kernel.pump(run, until=lambda r, i=i: f"finished {i}" in r.text(), timeout=30)
        assert f"session {i} ran" in stream_text(run)


def test_a_training_loops_first_print_reaches_the_cell_while_it_still_runs(kernel: KernelDriver, kernel_script):
    code = (
        "import time\nfor step in range(12):\n"
        "    print(f'step {step} loss {1 / (step + 1):.3f}', flush=True)\n    time.sleep(0.5)"
    )
    model = kernel_script([{"tool_calls": [python_call(code)]}, {"text": "trained"}])
    run = kernel.start(f"%%intern --new --yolo --model {model}\ntrain")
    kernel.pump(run, until=lambda r: "step 0 loss" in stream_text(r), timeout=30)
    assert "step 11" not in stream_text(run) and run.reply is None  # the loop is still running
    running = [
        m
        for m in run.outputs("display_data", "update_display_data")
        if "running ·" in m["content"]["data"]["text/plain"]
    ]
    kernel.pump(run, until=lambda r: "step 3" in stream_text(r), timeout=30)
    ticks = {m["content"]["data"]["text/plain"] for m in run.outputs("update_display_data")} - {"", None}
    assert any("python running · 1s" in t or "python running · 2s" in t for t in ticks), ticks  # the clock moves
    kernel.pump(run, timeout=60)
    text = run.text()
    assert "trained" in text and running
    order = [m["msg_type"] for m in run.messages if m["msg_type"] in ("stream", "display_data")]
    assert order.count("stream") >= 2  # the lines came as they were printed, not in one burst at the end


def test_a_traceback_comes_after_the_output_that_ran(kernel: KernelDriver, kernel_script):
    model = kernel_script(
        [{"tool_calls": [python_call("print('before the error', flush=True)\n1 / 0")]}, {"text": "fixed"}]
    )
    run = kernel.run(f"%%intern --new --yolo --model {model}\nfail")
    kinds = [m["msg_type"] for m in run.messages if m["msg_type"] in ("stream", "error")]
    assert kinds.index("stream") < kinds.index("error")
    history = kernel.run(f"print({AGENT}.session().history.messages()[3]['content'])").text()
    assert "before the error" in history and "ZeroDivisionError" in history
    fix = kernel.run("import sys; print(getattr(sys, 'last_value', None))").text()
    assert "division by zero" not in fix  # %intern fix keeps seeing the user's own last error


def test_a_30_mb_print_sends_a_bounded_amount_and_keeps_the_full_output(
    kernel: KernelDriver, kernel_script, kernel_home: Path
):
    code = "for i in range(300_000):\n    print(f'row {i:07d} ' + 'x' * 88)"
    model = kernel_script([{"tool_calls": [python_call(code)]}, {"text": "printed it all"}])
    run = kernel.run(f"%%intern --new --yolo --model {model}\nflood", timeout=240)
    sent = sum(len(json.dumps(m["content"])) for m in run.messages)
    assert sent < 3_000_000, sent  # ~30 MB were printed
    tails = [m["content"]["data"]["text/plain"] for m in run.outputs("display_data", "update_display_data")]
    final = next(t for t in reversed(tails) if "more lines hidden" in t)
    assert "row 0299999" in final and "still running" not in final
    path = Path(final.split("full output: ", 1)[1].splitlines()[0])
    assert path.is_file() and path.stat().st_size > 29_000_000
    assert path.read_text().splitlines()[-1].startswith("row 0299999")
    tool_result = kernel.run(f"print(len({AGENT}.session().history.messages()[3]['content']))").text()
    assert int(tool_result.strip()) < 50_000  # the model's copy is bounded too
    assert "printed it all" in run.text()
    assert "next turn" in kernel.run(f"%%intern --model {kernel_script([{'text': 'next turn'}])}\nagain").text()


def test_stop_with_no_cell_running_stops_background_agents(kernel: KernelDriver, kernel_script):
    approval = kernel_script([{"tool_calls": [python_call("never_runs = 1")]}, {"text": "unused"}])
    waiting_model = kernel_script([{"text": "too late", "delay": 60}])
    before = set(kernel.approval_cards())
    first = kernel.run(f"%%intern --new --background --session wait-approval --model {approval}\ngo", timeout=30)
    kernel.pump(first, until=lambda r: set(kernel.approval_cards()) - before, timeout=30)
    second = kernel.run(f"%%intern --new --background --session wait-model --model {waiting_model}\ngo", timeout=30)
    time.sleep(1.0)  # both wait now; no cell runs
    start = time.monotonic()
    kernel.interrupt()
    for run in (first, second):
        kernel.pump(run, until=lambda r: "Interrupted" in r.text(), timeout=GENEROUS_SECONDS * 2)
    assert time.monotonic() - start < GENEROUS_SECONDS * 2
    states = kernel.run(f"print([{AGENT}.session(n).busy for n in ('wait-approval', 'wait-model')])").text()
    assert "[False, False]" in states
    assert "NameError" in kernel.run("never_runs").text()
    assert (
        "again" in kernel.run(f"%%intern --session wait-model --model {kernel_script([{'text': 'again'}])}\nok").text()
    )

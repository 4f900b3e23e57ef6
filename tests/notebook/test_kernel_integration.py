"""%%intern in a real ipykernel: namespace, approvals by comm click, interrupts, background runs."""

from __future__ import annotations

import time

from ..conftest import GENEROUS_SECONDS
from .kernel_driver import KernelDriver

AGENT = "get_ipython().magics_manager.registry['InternMagics'].agent"


def python_call(code: str) -> dict:
    return {"name": "python", "arguments": {"code": code}}


def last_messages(kernel: KernelDriver, session: str = "default", n: int = 3) -> str:
    return kernel.run(f"print({AGENT}.session({session!r}).history.messages()[-{n}:])").text()


def test_agent_defines_a_variable_that_a_later_cell_reads(kernel: KernelDriver, kernel_script):
    model = kernel_script(
        [
            {"text": "Computing.", "tool_calls": [python_call("answer = 17 * 23\nprint('answer is', answer)")]},
            {"text": "Stored **391** in `answer`."},
        ]
    )
    run = kernel.run(f"%%intern --new --yolo --model {model}\ncompute 17*23 into `answer`")
    assert run.reply["content"]["status"] == "ok"
    assert "answer is 391" in run.text()
    assert "Stored **391**" in run.text()
    later = kernel.run("print(answer * 2)")
    assert "782" in later.text()


def test_approval_click_runs_the_call(kernel: KernelDriver, kernel_script):
    model = kernel_script([{"tool_calls": [python_call("approved_value = 'yes'")]}, {"text": "ok"}])
    before = set(kernel.approval_cards())
    run = kernel.start(f"%%intern --new --model {model}\nset approved_value")
    kernel.pump(run, until=lambda r: set(kernel.approval_cards()) - before, timeout=60)
    assert "waiting for approval" in run.text()
    [card] = [c for c in kernel.approval_cards() if c not in before]
    kernel.decide(card, "approve", code="approved_value = 'yes'")
    kernel.pump(run, timeout=60)
    assert run.reply["content"]["status"] == "ok"
    assert "'yes'" in kernel.run("print(repr(approved_value))").text()


def test_rejection_with_feedback_reaches_the_model(kernel: KernelDriver, kernel_script):
    model = kernel_script([{"tool_calls": [python_call("import shutil; shutil.rmtree('/')")]}, {"text": "Sorry."}])
    before = set(kernel.approval_cards())
    run = kernel.start(f"%%intern --new --model {model}\nclean the disk")
    kernel.pump(run, until=lambda r: set(kernel.approval_cards()) - before, timeout=60)
    [card] = [c for c in kernel.approval_cards() if c not in before]
    kernel.decide(card, "reject", feedback="never delete files")
    kernel.pump(run, timeout=60)
    history = last_messages(kernel)
    assert "rejected" in history and "never delete files" in history


def test_interrupt_during_long_python_call_is_fast_and_session_stays_usable(kernel: KernelDriver, kernel_script):
    model = kernel_script(
        [
            {"tool_calls": [python_call("import time\nfor _ in range(600):\n    time.sleep(0.1)")]},
            {"text": "after the interrupt"},
        ]
    )
    run = kernel.start(f"%%intern --new --yolo --model {model}\nsleep a minute")
    kernel.pump(run, until=lambda r: "running" in r.text(), timeout=60)
    time.sleep(0.5)
    start = time.monotonic()
    kernel.interrupt()
    kernel.pump(run, timeout=10)
    elapsed = time.monotonic() - start
    assert elapsed < GENEROUS_SECONDS, elapsed
    assert run.reply["content"]["status"] == "ok"
    assert "Interrupted" in run.text()
    check = kernel.run(f"print({AGENT}.session().history.unanswered_tool_calls())")
    assert "[]" in check.text()
    again = kernel.run("%%intern\ncontinue")
    assert "after the interrupt" in again.text()


def test_interrupt_while_waiting_for_approval(kernel: KernelDriver, kernel_script):
    model = kernel_script([{"tool_calls": [python_call("never = 1")]}, {"text": "resumed"}])
    before = set(kernel.approval_cards())
    run = kernel.start(f"%%intern --new --model {model}\nwait")
    kernel.pump(run, until=lambda r: set(kernel.approval_cards()) - before, timeout=60)
    start = time.monotonic()
    kernel.interrupt()
    kernel.pump(run, timeout=10)
    assert time.monotonic() - start < GENEROUS_SECONDS
    assert "Interrupted" in run.text()
    assert "NameError" in kernel.run("never").text()
    assert "resumed" in kernel.run("%%intern\ngo on").text()


def test_background_run_lets_other_cells_run_and_outputs_land_in_its_cell(kernel: KernelDriver, kernel_script):
    model = kernel_script(
        [{"tool_calls": [python_call("bg_value = 42\nprint('bg ran')")]}, {"text": "Background work finished."}]
    )
    before = set(kernel.approval_cards())
    bg = kernel.run(f"%%intern --new --background --session bg --model {model}\nwork in the background", timeout=30)
    assert bg.reply["content"]["status"] == "ok"
    kernel.pump(bg, until=lambda r: set(kernel.approval_cards()) - before, timeout=30)
    plain = kernel.run("print('plain cell ran')", timeout=10)
    assert "plain cell ran" in plain.text()
    assert "bg_value" not in kernel.run("print(sorted(globals()))").text()
    status = kernel.run("%intern status").text()
    assert "| background runs | `bg` |" in status and "| state | working |" in status
    assert "`scripted/" in status  # the model the running turn uses
    [card] = [c for c in kernel.approval_cards() if c not in before]
    kernel.decide(card, "approve", code="bg_value = 42\nprint('bg ran')")
    kernel.pump(bg, until=lambda r: "Background work finished." in r.text(), timeout=30)
    assert "bg ran" in bg.text()  # the python tool's output landed in the background cell
    assert "42" in kernel.run("print(bg_value)").text()


def test_interrupt_during_a_model_stream(kernel: KernelDriver, kernel_script):
    model = kernel_script([{"text": "never arrives", "delay": 60}, {"text": "next turn works"}])
    run = kernel.start(f"%%intern --new --model {model}\nthink hard")
    kernel.pump(run, until=lambda r: "working" in r.text(), timeout=60)
    time.sleep(0.5)
    start = time.monotonic()
    kernel.interrupt()
    kernel.pump(run, timeout=10)
    assert time.monotonic() - start < GENEROUS_SECONDS
    assert "Interrupted" in run.text() and "never arrives" not in run.text()
    assert "next turn works" in kernel.run("%%intern\nagain").text()

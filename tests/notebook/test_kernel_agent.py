"""The kernel's session handles are busy-safe: nothing replaces or changes a session while it works."""

from __future__ import annotations

from .kernel_driver import KernelDriver

AGENT = "get_ipython().magics_manager.registry['InternMagics'].agent"


def slow_script(kernel_script, seconds: float = 30) -> str:
    return kernel_script([{"text": "thinking...", "delay": seconds}, {"text": "next"}])


def session_id(kernel: KernelDriver, name: str) -> str:
    return kernel.run(f"print({AGENT}.session({name!r}).id)").text().strip()


def test_new_or_model_on_a_busy_session_is_refused_and_stop_reaches_the_real_run(kernel: KernelDriver, kernel_script):
    model = slow_script(kernel_script)
    bg = kernel.run(f"%%intern --new --background --session busy --model {model}\nthink slowly", timeout=30)
    before = session_id(kernel, "busy")
    refused = kernel.run(f"%%intern --new --session busy --model {kernel_script([{'text': 'x'}])}\nreplace it")
    text = refused.text()
    assert "already working" in text and "--new and --model would change it mid-run" in text
    assert "%intern stop busy" in text
    assert session_id(kernel, "busy") == before  # the handle was not replaced
    assert "scripted/" in kernel.run("%intern status").text()
    stopped = kernel.run("%intern stop busy").text()
    assert "Interrupted: `busy`" in stopped
    kernel.pump(bg, until=lambda r: "Interrupted" in r.text(), timeout=15)
    assert kernel.run(f"print({AGENT}.session('busy').busy)").text().strip() == "False"
    again = kernel.run("%%intern --session busy\nnow answer")
    assert "next" in again.text()  # the same session goes on after the stop


def test_a_cells_yolo_never_changes_the_sessions_switch(kernel: KernelDriver, kernel_script):
    model = kernel_script([{"text": "a slow answer", "delay": 2}, {"text": "done"}])
    bg = kernel.run(f"%%intern --new --background --yolo --session y --model {model}\nslow", timeout=30)
    kernel.run("%intern yolo on")  # the active session is now "y": switched on while its --yolo turn runs
    kernel.pump(bg, until=lambda r: "a slow answer" in r.text() and "done ·" in r.text(), timeout=30)
    state = kernel.run(f"print({AGENT}.session('y').status().yolo)").text().strip()
    assert state == "True"  # the old restore after a --yolo cell switched it back off


def test_a_bad_model_id_is_refused_at_once_and_not_kept(kernel: KernelDriver, kernel_script):
    kernel.run(f"%%intern --new --session m --model {kernel_script([{'text': 'fine'}])}\nhello")
    before = kernel.run(f"print({AGENT}.session('m').model_id)").text().strip()
    out = kernel.run("%intern model nonexistent/xyz").text()
    assert "Unknown model 'nonexistent/xyz'" in out and "Model set" not in out
    cell = kernel.run("%%intern --session m --model nonexistent/xyz\nhello again").text()
    assert "Unknown model" in cell and "LLM Provider NOT provided" not in cell
    assert kernel.run(f"print({AGENT}.session('m').model_id)").text().strip() == before

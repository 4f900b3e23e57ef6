"""The Hub notebook in JupyterLab against a local Hub: approve the script, reject a job with typed
feedback, approve the next one and watch its logs arrive while it runs."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ..hub_server import TEST_TOKEN, LocalHub
from ..hub_server.demo import JOB_LOG, seed_demo
from .lab import Lab
from .notebook_page import NotebookPage

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


@pytest.fixture(scope="module")
def hub() -> Iterator[LocalHub]:
    with LocalHub() as server:
        yield seed_demo(server)


@pytest.fixture(scope="module")
def lab(tmp_path_factory, browser, hub: LocalHub) -> Iterator[Lab]:
    env = {"HF_HUB_OFFLINE": "0", "HF_ENDPOINT": hub.endpoint, "HF_DATASETS_SERVER": hub.datasets_server,
           "HF_TOKEN": TEST_TOKEN}  # fmt: skip
    server = Lab(tmp_path_factory.mktemp("hub-lab"), env=env)
    try:
        yield server
    finally:
        server.close()


def test_the_hub_notebook_with_a_rejected_and_an_approved_job(notebook: NotebookPage, lab: Lab, hub: LocalHub):
    shutil.copy(NOTEBOOKS / "hub_and_jobs.ipynb", lab.root / "hub_and_jobs.ipynb")
    shutil.copytree(NOTEBOOKS / "scripts", lab.root / "scripts", dirs_exist_ok=True)
    notebook.open("hub_and_jobs.ipynb")
    load, ask, status, check = notebook.code_cells()
    notebook.run_and_wait(load)
    notebook.run(ask)
    cell = notebook.cell(ask)

    def card(tool: str):
        found = cell.locator(".mi-approval", has=notebook.page.locator(".mi-approval-head", has_text=tool)).last
        expect(found.get_by_role("button", name="Approve", exact=True)).to_be_visible(timeout=60_000)
        return found

    card("write").get_by_role("button", name="Approve", exact=True).click()
    job = card("hf_jobs")
    expect(job).to_contain_text("a10g-small")
    expect(job).to_contain_text("estimated cost")
    notebook.screenshot("hub-job-approval", job)
    words = "Try it on cpu-upgrade first with 30m, to check the script runs."
    notebook.type_into(job.locator("input.mi-feedback"), words)
    job.get_by_role("button", name="Reject", exact=True).click()
    expect(cell).to_contain_text(f"rejected: ‘{words}’")

    second = card("hf_jobs")
    expect(second).to_contain_text("cpu-upgrade")
    second.get_by_role("button", name="Approve", exact=True).click()
    expect(cell).to_contain_text(JOB_LOG[1], timeout=30_000)
    assert notebook.prompt(ask) == "[*]:" or JOB_LOG[-1] not in notebook.output(ask)  # logs came while it ran
    out = notebook.wait_done(ask, timeout=60)
    assert "eval accuracy 0.914" in out
    logs = cell.locator("details.ml-intern-tool", has_text="hf_jobs").last
    logs.locator("summary").first.click()  # a finished card folds; its log is one click away
    assert all(line in logs.inner_text() for line in JOB_LOG)
    [run] = hub.jobs.values()
    assert run.spec["flavor"] == "cpu-upgrade"
    notebook.screenshot("hub-flow-done", cell)
    spend = notebook.run_and_wait(status)
    assert "$0.01 of the $5 yolo cap" in spend  # the rejected job cost nothing; no TeX ate the dollars
    assert "Fine-tune DistilBERT on IMDb" in notebook.run_and_wait(check)

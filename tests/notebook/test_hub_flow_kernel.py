"""The ML intern's Hub flow in a real kernel with the scripted model and a local Hub:
search, inspect, research, write a script, a job rejected with feedback, then a job approved
whose logs stream into the cell."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..hub_server import TEST_TOKEN, LocalHub
from ..hub_server.demo import JOB_LOG, seed_demo
from .kernel_driver import KernelDriver, started_kernel

SCRIPT = Path(__file__).resolve().parents[2] / "notebooks" / "scripts" / "hub_jobs.json"
FEEDBACK = "Try it on cpu-upgrade first with 30m, to check the script runs."


@pytest.fixture(scope="module")
def hub() -> Iterator[LocalHub]:
    with LocalHub() as server:
        yield seed_demo(server)


@pytest.fixture(scope="module")
def kernel(hub: LocalHub, tmp_path_factory) -> Iterator[KernelDriver]:
    env = {"HF_ENDPOINT": hub.endpoint, "HF_DATASETS_SERVER": hub.datasets_server, "HF_TOKEN": TEST_TOKEN}
    with started_kernel(tmp_path_factory.mktemp("hub-flow"), **env) as driver:
        yield driver


def card_of(kernel: KernelDriver, tool: str, seen: set[str]) -> str | None:
    for cid in kernel.approval_cards():
        if cid not in seen and kernel.comms[cid].get("tool") == tool:
            return cid
    return None


def test_search_research_write_then_a_rejected_and_an_approved_job(kernel: KernelDriver, hub: LocalHub):
    run = kernel.start(f"%%intern --model scripted/{SCRIPT}\nFine-tune a sentiment classifier on IMDb as a job")
    seen: set[str] = set()

    def next_card(tool: str) -> str:
        kernel.pump(run, until=lambda _: card_of(kernel, tool, seen) is not None, timeout=60)
        cid = card_of(kernel, tool, seen)
        seen.add(cid)
        return cid

    write = next_card("write")
    text = run.text()
    assert "stanfordnlp/imdb" in text and "plain_text" in text  # searched and inspected
    assert "research · explore_hf_docs" in text and "research · fetch_hf_docs" in text  # its steps on the card
    kernel.decide(write, "approve", code=None)
    first_job = next_card("hf_jobs")
    details = kernel.comms[first_job]["details"]
    assert details["hardware"] == "a10g-small" and details["timeout"] == "2h" and "$2.10" in details["estimated cost"]
    kernel.decide(first_job, "reject", feedback=FEEDBACK)
    second_job = next_card("hf_jobs")
    assert kernel.comms[second_job]["details"]["hardware"] == "cpu-upgrade"
    assert not hub.jobs  # the rejected job never reached the Hub
    kernel.decide(second_job, "approve")

    kernel.pump(run, until=lambda r: JOB_LOG[1] in r.text(), timeout=60)
    assert run.reply is None  # the job's log lines reach the cell while it still runs
    kernel.pump(run, timeout=60)
    out = run.text()
    assert all(line in out for line in JOB_LOG) and "eval accuracy **0.914**" in out
    [job] = hub.jobs.values()
    assert job.spec["flavor"] == "cpu-upgrade"
    assert "Fine-tune DistilBERT on IMDb" in (kernel.home / "demo_output" / "train.py").read_text()

    history = kernel.run(
        "import json; print(json.dumps(get_ipython().magics_manager.registry['InternMagics']"
        ".agent.session().history.messages()))"
    ).text()
    messages = json.loads(history.strip().splitlines()[-1])
    rejected = [m for m in messages if m["role"] == "tool" and "rejected" in m["content"]]
    assert len(rejected) == 1 and f"User feedback: {FEEDBACK}" in rejected[0]["content"]
    research = next(m for m in messages if m["role"] == "tool" and m.get("name") == "research")
    assert "Sources:" in research["content"] and "AutoModelForSequenceClassification" in research["content"]

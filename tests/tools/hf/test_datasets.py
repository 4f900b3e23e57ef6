"""hf_inspect_dataset against LocalHub's dataset viewer: structure, features, rows, private data, errors."""

from __future__ import annotations

import pytest

from ml_intern_jupyter.tools.hf import HubAccess
from ml_intern_jupyter.tools.hf.dataset_text import feature_type
from ml_intern_jupyter.tools.hf.datasets import make_inspect_dataset_tool
from ml_intern_jupyter.tools.spec import ToolRouter

from ...hub_server import TEST_TOKEN, LocalHub

LABELS = {"names": ["neg", "pos"], "_type": "ClassLabel"}
CHAT = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]


@pytest.fixture
def viewer(hub: LocalHub) -> LocalHub:
    train = [{"text": "a great movie " * 30, "label": 1}, {"text": "bad", "label": 0}, {"text": "fine", "label": 1}]
    hub.add_viewer_dataset(
        "stanfordnlp/imdb",
        {"plain_text": {"train": train, "test": train[:1]}, "unsupervised": {"unsup": train[:2]}},
        features={"text": {"dtype": "string", "_type": "Value"}, "label": LABELS},
    )
    hub.add_viewer_dataset("alice/private-chat", {"default": {"train": [{"messages": CHAT}]}}, private=True)
    return hub


async def inspect(access: HubAccess, calls, **arguments):
    return await make_inspect_dataset_tool(access).handler(arguments, calls.ctx)


async def test_structure_features_and_rows(viewer: LocalHub, anonymous: HubAccess, calls) -> None:
    result = await inspect(anonymous, calls, dataset="stanfordnlp/imdb", sample_rows=2)
    assert result.ok
    assert "- plain_text: train (3 rows), test (1 rows)" in result.output
    assert "- unsupervised: unsup" in result.output  # row counts come from the chosen config's /info
    assert "- label: ClassLabel (0=neg, 1=pos)" in result.output and "- text: string" in result.output
    assert "## Sample rows (plain_text/train, 2 shown)" in result.output and "Row 3" not in result.output
    assert "… (+" in result.output  # the long cell is cut
    assert f"{viewer.endpoint}/datasets/stanfordnlp/imdb" in result.output
    paths = sorted(r.path for r in viewer.requests)
    assert paths == ["/datasets-server/first-rows", "/datasets-server/info", "/datasets-server/splits"]


async def test_choose_config_and_split(viewer: LocalHub, anonymous: HubAccess, calls) -> None:
    result = await inspect(anonymous, calls, dataset="stanfordnlp/imdb", config="unsupervised")
    assert "## Sample rows (unsupervised/unsup" in result.output and "- unsupervised: unsup (2 rows)" in result.output
    no_rows = await inspect(anonymous, calls, dataset="stanfordnlp/imdb", split="test", sample_rows=0)
    assert "Sample rows" not in no_rows.output
    assert len(viewer.requests_to("/first-rows")) == 1  # the second call (sample_rows=0) asked for no rows


async def test_bad_config_or_split_lists_the_choices(viewer: LocalHub, anonymous: HubAccess, calls) -> None:
    bad_config = await inspect(anonymous, calls, dataset="stanfordnlp/imdb", config="nope")
    assert not bad_config.ok and "available: plain_text, unsupervised" in bad_config.output
    bad_split = await inspect(anonymous, calls, dataset="stanfordnlp/imdb", split="validation")
    assert not bad_split.ok and "available: train, test" in bad_split.output


async def test_private_dataset_needs_the_token(
    viewer: LocalHub, anonymous: HubAccess, access: HubAccess, calls
) -> None:
    refused = await inspect(anonymous, calls, dataset="alice/private-chat")
    assert not refused.ok and "401" in refused.output and "HF_TOKEN" in refused.output
    allowed = await inspect(access, calls, dataset="alice/private-chat")
    assert allowed.ok and "roles: assistant, user; keys: content, role" in allowed.output
    assert viewer.requests_to("/splits")[-1].headers["authorization"] == f"Bearer {TEST_TOKEN}"


async def test_unknown_dataset_and_bad_arguments(viewer: LocalHub, access: HubAccess, calls) -> None:
    missing = await inspect(access, calls, dataset="nobody/nothing")
    assert not missing.ok and "404" in missing.output and "nobody/nothing" in missing.output
    router = ToolRouter([make_inspect_dataset_tool(access)])
    assert router.validate("hf_inspect_dataset", {"dataset": "a/b", "sample_rows": 50}) is not None
    viewer.requests.clear()
    for bad in ("", "a/b/c", "/imdb"):
        result = await inspect(access, calls, dataset=bad)
        assert not result.ok
    assert not viewer.requests


def test_feature_types() -> None:
    assert feature_type({"feature": {"dtype": "int32", "_type": "Value"}, "_type": "Sequence"}) == "list[int32]"
    assert feature_type([{"dtype": "string", "_type": "Value"}]) == "list[string]"
    assert feature_type({"a": {"dtype": "bool", "_type": "Value"}}) == "{a: bool}"
    assert feature_type({"_type": "Image"}) == "Image"
    many = {"names": [f"c{i}" for i in range(20)], "_type": "ClassLabel"}
    assert feature_type(many).startswith("ClassLabel (20 classes: c0, c1")

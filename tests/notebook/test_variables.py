"""notebook_variables: bounded summaries that never show a secret's value."""

from __future__ import annotations

from ml_intern_jupyter.notebook.variables import REDACTED, describe_variables
from ml_intern_jupyter.traces.redact import Redactor

from ..traces.secret_corpus import fake_secrets


def test_secret_names_and_token_shaped_strings_show_only_their_type() -> None:
    hf_token = dict(fake_secrets())["hf_token"]
    namespace = {
        "api_key": "plain-looking-but-named-secret",
        "HF_TOKEN": "whatever-value-123",
        "greeting": f"my token is {hf_token}",
        "config": {"lr": 0.1, "token": hf_token},
        "epochs": 3,
        "pad_token": "<pad>",
    }
    text = describe_variables(namespace, redactor=Redactor(env={}))
    assert hf_token not in text and "plain-looking-but-named-secret" not in text and "whatever-value" not in text
    assert f"api_key: str = {REDACTED}" in text and f"HF_TOKEN: str = {REDACTED}" in text
    assert "greeting: str len=" in text and REDACTED in text.split("greeting")[1].splitlines()[0]
    assert "epochs: int" in text and "= 3" in text and "'<pad>'" in text  # ML words are not secrets


def test_the_budget_and_item_cap_bound_the_output() -> None:
    namespace = {f"v{i:03d}": "x" * 200 for i in range(200)}
    text = describe_variables(namespace, budget=2000, max_items=60, redactor=Redactor(env={}))
    assert len(text) < 4000 and "more (ask for specific names)" in text


def test_a_dataframe_shows_its_columns_and_head_once() -> None:
    pandas = __import__("pytest").importorskip("pandas")
    df = pandas.DataFrame({"text": ["good film", "bad plot", "fine"], "label": [1, 0, 1]})
    text = describe_variables({"df": df}, redactor=Redactor(env={}))
    assert text.startswith("df: DataFrame shape=(3, 2)\n")
    assert "columns: text: object, label: int64" in text or "columns: text: str, label: int64" in text
    assert text.count("good film") == 1 and text.count("bad plot") == 1

"""Unit tests of the embedded provider's pure helpers (no model needed)."""

from __future__ import annotations

import pytest

from ml_intern_jupyter.embedded import dialect, pycode, transcript
from ml_intern_jupyter.embedded.decide import mentions
from ml_intern_jupyter.embedded.engine import _find_stop, _held_back, _loop_start
from ml_intern_jupyter.embedded.fit import DROPPED_NOTE, cost, fit
from ml_intern_jupyter.embedded.models import LocalModelError, resolve_spec

PYTHON = {
    "type": "function",
    "function": {
        "name": "python",
        "description": "Run Python code.\nMore text.",
        "parameters": {"type": "object", "properties": {"code": {"type": "string"}}, "required": ["code"]},
    },
}
WRITE = {
    "type": "function",
    "function": {
        "name": "write",
        "description": "Write a file.",
        "parameters": {
            "type": "object",
            "properties": {"file_path": {"type": "string"}, "content": {"type": "string"}},
            "required": ["file_path", "content"],
        },
    },
}


def words(text: str) -> int:
    return len(text.split())


def test_dialect_renders_calls_and_results():
    assert dialect.render_call(PYTHON, "python", {"code": "print(1)"}) == "Tool: python\n```python\nprint(1)\n```"
    assert dialect.render_call(WRITE, "write", {"file_path": "a.txt", "content": "hi"}) == (
        "Tool: write\nfile_path: a.txt\ncontent:\n```text\nhi\n```"
    )
    assert dialect.render_result("python", "391\n") == "Result of python:\n391"
    assert dialect.tool_summary(PYTHON) == "- python(code): Run Python code."
    assert [f.kind for f in dialect.fields(WRITE)] == ["line", "block"]


def test_transcript_converts_tool_turns_and_merges_roles():
    messages = [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "compute"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "python", "arguments": '{"code": "1+1"}'}}
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "2"},
        {"role": "user", "content": "[guard] note"},
    ]
    plain = transcript.convert(messages, [PYTHON])
    assert [m["role"] for m in plain] == ["system", "user", "assistant", "user"]
    assert plain[2]["content"] == "Tool: python\n```python\n1+1\n```"
    assert plain[3]["content"].startswith("Result of python:\n2\n\n[guard] note")
    assert transcript.turn_state(messages[:4]) == "result"
    assert transcript.turn_state(messages[:4], frozenset({"c1"})) == "error"  # the history's ok, not wording
    assert transcript.turn_state(messages) == transcript.turn_state(messages[:2]) == "request"


def test_mentions_prefer_the_named_instrument():
    names = ["bash", "python", "read"]
    assert mentions("Compute 17*23 with python.", names) == {"python": 3.0}
    assert mentions("Which python version? Check with bash.", names) == {"python": 1.0, "bash": 3.0}
    assert mentions("Run `echo hi` in the shell.", names) == {"bash": 3.0}
    assert mentions("Hello!", names) == {}


def test_pycode_repairs_and_checks():
    fixed = pycode.repair("def compute_17*23():\n    return 17 * 23\n\nprint(compute_17*23())")
    assert pycode.syntax_error(fixed) is None and "compute_17_23()" in fixed
    assert pycode.repair("print(len(machine_learning))", ["machine learning"]) == "print(len('machine learning'))"
    assert pycode.repair("print(math.pi)") == "import math\nprint(math.pi)"
    assert pycode.syntax_error("def f(:\n") is not None
    assert pycode.syntax_error("%pip install x\nawait foo()") is None  # notebook cells are fine
    assert pycode.undefined_names("def f(n):\n    return n\nprint(f(2), n, df)", known={"df"}) == ["n"]
    assert pycode.undefined_names("x = [i for i in range(3)]\nprint(x)") == []
    assert pycode.does_nothing("import math\ndef f():\n    return 1") is True
    assert pycode.does_nothing("print(1)") is False
    assert pycode.quoted("count 'a b' and \"c\"") == ["a b", "c"]


def test_stop_strings_loops_and_held_back_text():
    assert _find_stop("abc```", ("```",), 0) == 3
    assert _held_back("print(1)\n``", ("```",)) == 2
    assert _held_back("print(1)", ("```",)) == 0
    assert _loop_start("def f_with_x_with_x_with_x") == 12
    assert _loop_start("print(1)\nprint(2)\n") is None


def test_fit_shortens_long_results_before_dropping_messages():
    messages = [
        {"role": "system", "content": "system " * 10},
        {"role": "user", "content": "first request"},
        {"role": "assistant", "content": "Tool: python"},
        {"role": "user", "content": "Result of python:\n" + "line of output " * 5000},
        {"role": "user", "content": "last request"},
    ]
    fitted = fit(messages, words, 800)
    assert cost(fitted, words) <= 800
    assert len(fitted) == len(messages)
    assert "characters cut to fit the context window" in fitted[3]["content"]
    assert fitted[0] == messages[0] and fitted[-1] == messages[-1]


def test_fit_drops_old_messages_and_keeps_system_and_last():
    messages = [{"role": "system", "content": "s"}]
    for i in range(50):
        messages += [{"role": "user", "content": f"question {i} " * 20}, {"role": "assistant", "content": "ok " * 20}]
    messages.append({"role": "user", "content": "the last one"})
    fitted = fit(messages, words, 300)
    assert cost(fitted, words) <= 300
    assert fitted[0]["role"] == "system" and fitted[-1]["content"].endswith("the last one")
    assert fitted[1]["role"] == "user" and fitted[1]["content"].startswith(DROPPED_NOTE)


def test_fit_cuts_a_huge_last_message():
    messages = [{"role": "system", "content": "s"}, {"role": "user", "content": "word " * 10_000}]
    assert cost(fit(messages, words, 500), words) <= 500


def test_resolve_spec_errors(tmp_path):
    with pytest.raises(LocalModelError, match="Unknown embedded model") as info:
        resolve_spec("gpt-9")
    assert info.value.kind == "unknown_name"
    with pytest.raises(LocalModelError, match="GGUF file not found"):
        resolve_spec("missing/model.gguf", cwd=tmp_path)
    (tmp_path / "m.gguf").write_bytes(b"x")
    assert resolve_spec("m.gguf", cwd=tmp_path).path == (tmp_path / "m.gguf").resolve()
    assert resolve_spec(str(tmp_path / "m.gguf")).path == (tmp_path / "m.gguf").resolve()

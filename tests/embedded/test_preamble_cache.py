"""The KV cache of each tool set's preamble is saved and restored (real model)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from ml_intern_jupyter.embedded.respond import Request, ToolUse, prepare, respond
from ml_intern_jupyter.tools.builtin import builtin_tools

from .test_grounding import HUB


@pytest.fixture
def model(runtime):
    loaded = runtime.load("smollm2-135m")
    loaded.prefixes.clear()
    return loaded


def answer(model, messages, tools) -> list:
    return list(respond(model, prepare(model, Request(messages, tools, max_tokens=12)), threading.Event()))


def test_restoring_saved_keys_and_values_gives_the_same_logits(model):
    backend = model.backend
    prefix = backend.tokenize("<|im_start|>system\n" + "You help with data. " * 40 + "<|im_end|>\n")
    question = backend.tokenize("<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n")
    with model.lock:
        backend.keep_cached(0)
        backend.eval(prefix)
        saved = backend.save_cache()
        backend.eval(question)
        fresh = np.array(backend.logits())
        backend.keep_cached(0)
        backend.eval(backend.tokenize("<|im_start|>system\nSomething else.<|im_end|>\n"))
        assert backend.restore_cache(saved, prefix)
        assert backend.cached_tokens() == prefix
        backend.eval(question)
        assert np.array_equal(np.array(backend.logits()), fresh)


def test_switching_tool_sets_restores_each_preamble_instead_of_evaluating_it(model, tmp_path):
    first = [spec.to_openai() for spec in builtin_tools(scratch=tmp_path)]
    second = [*first, *HUB]  # MCP and Hub tools arrived
    request = [{"role": "user", "content": "Read the file notes.txt"}]
    evaluated: list[int] = []
    original = model.backend.eval

    def counting(tokens):
        evaluated.append(len(tokens))
        original(tokens)

    model.backend.eval = counting
    try:
        reply = answer(model, request, first)
        answer(model, request, second)
        assert len(model.prefixes) == 2 and model.prefixes.hits == 0
        evaluated.clear()
        again = answer(model, request, first)
    finally:
        model.backend.eval = original
    assert model.prefixes.hits == 1
    preamble = min(model.prefixes.lengths())
    assert sum(evaluated) < preamble / 4, evaluated  # only the request and the call were evaluated
    assert [p for p in again if isinstance(p, ToolUse)] == [p for p in reply if isinstance(p, ToolUse)]

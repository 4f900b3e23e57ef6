"""The decision step: answer in words, or call which tool?

The model's own log-probabilities pick among the continuations ``Tool: answer`` and
``Tool: <name>`` of the prompt (no sampling). The options' tokens form a trie; the prompt is
evaluated once and each branching point deeper down costs one more token (``hf_hub_search`` and
``hf_jobs`` share ``hf_``), so twenty tools cost about what two do. Two stages, measured on the
bench's tuning tasks:

1. answer when its probability beats all tools together (plus a prior for answering right after
   a successful tool result, and a bonus for tools the request names: "with python");
2. otherwise pick the tool, branch by branch, with the tool prior of a content-free request
   (``N/A``) partly divided out (contextual calibration), which stops the model from always
   favouring one tool. That prior depends only on the preamble, so it is memoised with the
   preamble's saved cache (:mod:`.prefix`).
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Collection, Iterable
from typing import Any

from .dialect import ANSWER, CALL_PREFIX
from .engine import LocalModel
from .transcript import Message

RESULT_ANSWER_BIAS = 4.0
"""Log-odds added to ``answer`` right after a tool result without errors."""

MENTION_BIAS = (3.0, 1.0)
"""Log-odds added to a tool the request names as the instrument (``with python``), or just names."""

CALIBRATION = 0.75
"""How much of the content-free tool prior is divided out."""

NEUTRAL_REQUEST = "N/A"


class Cancelled(Exception):
    """The request was cancelled during the decision step."""


def decide(
    model: LocalModel,
    messages: list[Message],
    names: list[str],
    state: str,
    cancel: threading.Event,
    tool_choice: Any = None,
    *,
    registered: Collection[str] = (),
    neutral: list[Message] | None = None,
    checkpoint: int = 0,
) -> tuple[str | None, dict[str, float]]:
    """The tool to call among ``names`` (None: answer) and the scores of the branches taken.

    ``registered`` are every tool's names (a forced ``tool_choice`` may name any of them);
    ``neutral`` is the conversation whose last message is replaced by ``N/A`` for calibration
    (default: ``messages`` with the last one replaced); ``checkpoint`` is passed to
    :meth:`LocalModel.prefill` (the preamble's length in tokens). Raises :class:`Cancelled` when
    ``cancel`` is set while the prompt is evaluated.
    """
    forced = forced_name(tool_choice)
    if forced is not None and (forced in names or forced in registered):
        return forced, {}
    if tool_choice == "none" or not names:
        return None, {}
    prompt = model.tokenize(model.chat_prompt(messages, CALL_PREFIX))
    seqs = continuations(model, [ANSWER, *names])
    bonus = mentions(messages[-1]["content"], names) if state == "request" else {}
    prior = None
    if state == "request" and len(names) > 1:
        base = neutral or [*messages[:-1], {"role": "user", "content": NEUTRAL_REQUEST}]
        prior = Prior(model, base, prompt, cancel, checkpoint)
        prior.at([])  # before the real prompt: evaluating it after would evict the conversation
    logprobs = _logprobs(model, prompt, cancel, checkpoint)
    answer_token, tool_seqs = seqs[ANSWER][0], {n: seqs[n] for n in names}
    groups = _groups(tool_seqs, 0)
    tool_mass = logsumexp(logprobs[t] + max(bonus.get(n, 0.0) for n in group) for t, group in groups.items())
    answer = float(logprobs[answer_token]) + (RESULT_ANSWER_BIAS if state == "result" else 0.0)
    scores = {ANSWER: answer, "tools": tool_mass}
    if tool_choice != "required" and answer_token not in groups and answer > tool_mass:
        return None, scores
    candidates, path = list(names), []
    while len(candidates) > 1:
        groups = _groups({n: tool_seqs[n] for n in candidates}, len(path))
        if len(groups) > 1:
            if logprobs is None:
                logprobs = _logprobs(model, prompt + path, cancel)
            neutral_lp = prior.at(path) if prior is not None else None
            ranked = {}
            for token, group in groups.items():
                value = float(logprobs[token]) + max(bonus.get(n, 0.0) for n in group)
                if neutral_lp is not None:
                    value -= CALIBRATION * float(neutral_lp[token])
                ranked[token] = value
            token = max(ranked, key=lambda t: ranked[t])
            scores.update({"/".join(groups[t]): v for t, v in ranked.items()})
        else:
            token = next(iter(groups))
        candidates = groups[token]
        path.append(token)
        logprobs = None
    return candidates[0], scores


class Prior:
    """The content-free prompt's next-token log-probabilities along trie paths.

    Memoised with the saved preamble that ``prompt`` starts with (so computed once per tool set),
    by the neutral conversation's last messages and the path.
    """

    def __init__(
        self, model: LocalModel, messages: list[Message], prompt: list[int], cancel: threading.Event, checkpoint: int
    ) -> None:
        self.model, self.messages, self.prompt = model, messages, prompt
        self.cancel, self.checkpoint = cancel, checkpoint
        self._tokens: list[int] | None = None
        self._key = ("prior", tuple((m["role"], m["content"]) for m in messages[-2:]))

    def at(self, path: list[int]) -> Any:
        key = (*self._key, tuple(path))
        value = self.model.memo(self.prompt).get(key)
        if value is None:
            if self._tokens is None:
                self._tokens = self.model.tokenize(self.model.chat_prompt(self.messages, CALL_PREFIX))
            value = _logprobs(self.model, self._tokens + path, self.cancel, self.checkpoint)
            self.model.memo(self.prompt)[key] = value  # the preamble is saved by now (if long enough)
        return value


def _logprobs(model: LocalModel, tokens: list[int], cancel: threading.Event, checkpoint: int = 0) -> Any:
    logprobs = model.next_logprobs(tokens, cancel, checkpoint)
    if logprobs is None:
        raise Cancelled
    return logprobs


def _groups(seqs: dict[str, list[int]], depth: int) -> dict[int, list[str]]:
    """Options by their token at ``depth`` (in the order given)."""
    groups: dict[int, list[str]] = {}
    for name, seq in seqs.items():
        groups.setdefault(seq[depth] if depth < len(seq) else -1, []).append(name)
    return groups


def continuations(model: LocalModel, options: list[str]) -> dict[str, list[int]]:
    """The tokens each ``" <option>\\n"`` adds after a prompt that ends with a line ``Tool:``."""
    head = model.tokenize(f"\n{CALL_PREFIX}")
    seqs = {}
    for option in options:
        tokens = model.tokenize(f"\n{CALL_PREFIX} {option}\n")
        shared = next((i for i, (a, b) in enumerate(zip(head, tokens, strict=False)) if a != b), len(head))
        seqs[option] = tokens[shared:]  # all of them after the head, unless a tokenizer merges across
    return seqs


def mentions(text: str, names: list[str]) -> dict[str, float]:
    """Bonus per tool the text names: more when named as the instrument (``with``/``use``/``in``)."""
    lowered = re.sub(r"\b(the )?(shell|terminal|command line)\b", "bash", text.lower())
    bonus: dict[str, float] = {}
    for name in names:
        word = "(?:" + "|".join({re.escape(name.lower()), re.escape(name.lower().replace("_", " "))}) + ")"
        if re.search(rf"\b(with|using|use|via|in|run|by) (the )?{word}\b", lowered):
            bonus[name] = MENTION_BIAS[0]
        elif re.search(rf"\b{word}\b", lowered):
            bonus[name] = MENTION_BIAS[1]
    return bonus


def logsumexp(values: Iterable[float]) -> float:
    """``log(sum(exp(v)))`` computed stably."""
    values = [float(v) for v in values]
    top = max(values)
    return top + math.log(sum(math.exp(v - top) for v in values))


def forced_name(tool_choice: Any) -> str | None:
    """The function name of a ``{"type": "function", "function": {"name": ...}}`` tool choice."""
    if isinstance(tool_choice, dict):
        function = tool_choice.get("function") or {}
        return function.get("name") if isinstance(function, dict) else None
    return None

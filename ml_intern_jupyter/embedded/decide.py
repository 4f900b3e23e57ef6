"""The decision step: answer in words, or call which tool?

The model scores the continuations ``Tool: answer`` and ``Tool: <name>`` of the prompt (its own
log-probabilities; no sampling). Two stages, measured on the bench's dev tasks:

1. answer when its probability beats all tools together (plus a prior for answering right after
   a successful tool result, and a bonus for tools the request names: "with python");
2. otherwise pick the tool, with the tool prior of a content-free request (``N/A``) partly
   divided out (contextual calibration), which stops the model from always favouring one tool.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterable
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


def score(model: LocalModel, messages: list[Message], options: list[str], cancel: threading.Event) -> dict[str, float]:
    """Log-probability of ``Tool: <option>`` after ``messages`` for each option; raises if cancelled."""
    prompt = model.chat_prompt(messages, CALL_PREFIX)
    scores = model.score(prompt, [f" {o}\n" for o in options], cancel)
    if scores is None:
        raise Cancelled
    return dict(zip(options, scores, strict=True))


class Cancelled(Exception):
    """The request was cancelled during the decision step."""


def decide(
    model: LocalModel,
    messages: list[Message],
    names: list[str],
    state: str,
    cancel: threading.Event,
    tool_choice: Any = None,
) -> tuple[str | None, dict[str, float]]:
    """The tool to call (None: answer) and the final scores, for the conversation's ``state``.

    Raises :class:`Cancelled` when ``cancel`` is set while the prompt is evaluated.
    """
    forced = forced_name(tool_choice)
    if forced in names:
        return forced, {}
    if tool_choice == "none" or not names:
        return None, {}
    raw = score(model, messages, [ANSWER, *names], cancel)
    tools = {name: raw[name] for name in names}
    if state == "request":
        for name, bonus in mentions(messages[-1]["content"], names).items():
            tools[name] += bonus
    answer = raw[ANSWER] + (RESULT_ANSWER_BIAS if state == "result" else 0.0)
    if tool_choice != "required" and answer > logsumexp(tools.values()):
        return None, {ANSWER: answer, **tools}
    if state == "request" and len(names) > 1:
        neutral = score(model, [*messages[:-1], {"role": "user", "content": NEUTRAL_REQUEST}], names, cancel)
        tools = {name: tools[name] - CALIBRATION * neutral[name] for name in names}
    return max(tools, key=lambda name: tools[name]), {ANSWER: answer, **tools}


def mentions(text: str, names: list[str]) -> dict[str, float]:
    """Bonus per tool the text names: more when named as the instrument (``with``/``use``/``in``)."""
    lowered = re.sub(r"\b(the )?(shell|terminal|command line)\b", "bash", text.lower())
    bonus: dict[str, float] = {}
    for name in names:
        word = re.escape(name.lower())
        if re.search(rf"\b(with|using|use|via|in|run|by) (the )?{word}\b", lowered):
            bonus[name] = MENTION_BIAS[0]
        elif re.search(rf"\b{word}\b", lowered):
            bonus[name] = MENTION_BIAS[1]
    return bonus


def logsumexp(values: Iterable[float]) -> float:
    """``log(sum(exp(v)))`` computed stably."""
    values = list(values)
    top = max(values)
    return top + math.log(sum(math.exp(v - top) for v in values))


def forced_name(tool_choice: Any) -> str | None:
    """The function name of a ``{"type": "function", "function": {"name": ...}}`` tool choice."""
    if isinstance(tool_choice, dict):
        function = tool_choice.get("function") or {}
        return function.get("name") if isinstance(function, dict) else None
    return None

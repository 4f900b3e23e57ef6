"""One chat request end to end, as a blocking stream of pieces (run it in a worker thread).

``Text`` pieces arrive token by token; a tool call arrives whole as ``ToolUse``; ``Finish``
comes last with the finish reason and token usage.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from . import fewshot, toolrank, transcript
from .arguments import ArgumentWriter, Call
from .decide import NEUTRAL_REQUEST, Cancelled, decide
from .dialect import ANSWER, CALL_PREFIX, FENCE, tool_name
from .engine import GenOptions, LocalModel
from .fit import cost, fit
from .prefix import common_prefix

log = logging.getLogger(__name__)

DEFAULT_MAX_TOKENS = 512
"""Text budget when the request gives no ``max_tokens``."""

TOOL_RESERVE = 640
"""Tokens kept free for the decision and argument steps."""

MIN_CHECKPOINT = 64
"""Preambles shorter than this many tokens are not worth saving."""

MIN_EXAMPLE_ROOM = 1024
"""Below this many prompt tokens of room, the few-shot turns are left out."""


@dataclass(frozen=True)
class Request:
    """One chat request: OpenAI messages and tools, sampling settings, and failed tool-call ids."""

    messages: list[Any]
    tools: list[dict[str, Any]] = field(default_factory=list)
    tool_choice: Any = None
    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    stop: tuple[str, ...] = ()
    failed_tool_calls: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Text:
    """A piece of answer text (usually one token)."""

    text: str


@dataclass(frozen=True)
class ToolUse:
    """A complete tool call."""

    call: Call


@dataclass(frozen=True)
class Finish:
    """The end of the reply, with usage."""

    reason: str  # "stop" | "length" | "tool_calls" | "cancelled"
    prompt_tokens: int
    completion_tokens: int


Piece = Text | ToolUse | Finish


class PromptTooLong(Exception):
    """Even after truncation the prompt does not fit the context window."""


def acquire(lock: threading.Lock, cancel: threading.Event) -> bool:
    """Wait for ``lock`` unless cancelled first."""
    while not lock.acquire(timeout=0.05):
        if cancel.is_set():
            return False
    return True


@dataclass(frozen=True)
class Prepared:
    """A request turned into prompt messages that fit the context window."""

    request: Request
    messages: list[transcript.Message]
    tools: list[dict[str, Any]]
    max_tokens: int
    preamble: int = 1
    """How many of ``messages`` are the preamble (system prompt with the tool guide, few-shot turns)."""


def prepare(
    model: LocalModel, request: Request, max_prompt_tokens: int | None = None, examples: int | None = None
) -> Prepared:
    """Convert and truncate the messages (no lock needed); raises :class:`PromptTooLong`.

    The prompt gets at most the window minus the output budget, and at most ``max_prompt_tokens``
    (default: the model's own cap, which keeps prompt evaluation time bounded). ``examples`` is how
    many few-shot tool examples to show (default :data:`fewshot.DEFAULT_LIMIT`).
    """
    tools = request.tools if request.tool_choice != "none" else []
    max_tokens = min(request.max_tokens or DEFAULT_MAX_TOKENS, model.n_ctx // 2)
    budget = model.n_ctx - max(max_tokens, TOOL_RESERVE if tools else 0) - 32
    cap = max_prompt_tokens or model.spec.max_prompt_tokens
    budget = min(budget, cap) if cap else budget
    shots = fewshot.DEFAULT_LIMIT if examples is None else examples
    messages, preamble = _prompt_messages(model, request, tools, budget, shots)
    return Prepared(request, messages, tools, max_tokens, preamble)


def respond(model: LocalModel, prepared: Prepared, cancel: threading.Event) -> Iterator[Piece]:
    """Answer with ``model`` (holds the model's lock throughout)."""
    if not acquire(model.lock, cancel):
        yield Finish("cancelled", 0, 0)
        return
    try:
        yield from _respond(model, prepared, cancel)
    finally:
        model.lock.release()


def _respond(model: LocalModel, prepared: Prepared, cancel: threading.Event) -> Iterator[Piece]:
    request, messages, tools, max_tokens = prepared.request, prepared.messages, prepared.tools, prepared.max_tokens
    preamble = messages[: prepared.preamble]
    tokens = model.tokenize(model.chat_prompt(messages))
    prompt_tokens = len(tokens)
    checkpoint = common_prefix(model.tokenize(model.chat_prompt(preamble)), tokens)
    checkpoint = checkpoint if checkpoint >= MIN_CHECKPOINT else 0  # the preamble's cache is saved or restored
    if not tools and not model.prefill(tokens, cancel, checkpoint):
        yield Finish("cancelled", prompt_tokens, 0)
        return
    by_name = {tool_name(t): t for t in tools}
    asked = transcript.last_request(request.messages)
    writer = ArgumentWriter(model, by_name, cancel, asked)
    state = transcript.turn_state(request.messages, request.failed_tool_calls)
    names = toolrank.offered(tools, asked)
    neutral = [*preamble, {"role": "user", "content": NEUTRAL_REQUEST}]
    try:
        name, _ = (
            decide(
                model,
                messages,
                names,
                state,
                cancel,
                request.tool_choice,
                registered=by_name,
                neutral=neutral,
                checkpoint=checkpoint,
            )
            if tools
            else (None, {})
        )
    except Cancelled:
        yield Finish("cancelled", prompt_tokens, 0)
        return
    if name is not None:
        call = writer.call(messages, name, request.max_tokens, state)
        if call.problem:
            log.info("local model: %s call still has a problem after retries: %s", name, call.problem)
        if cancel.is_set():
            yield Finish("cancelled", prompt_tokens, writer.completion_tokens)
            return
        yield ToolUse(call)
        yield Finish("tool_calls", prompt_tokens, writer.completion_tokens)
        return
    prefill = f"{CALL_PREFIX} {ANSWER}\n" if tools else ""
    opts = GenOptions(
        max_tokens,
        temperature=0.2 if request.temperature is None else request.temperature,
        top_p=0.9 if request.top_p is None else request.top_p,
        repeat_penalty=1.1,
        stop=(*request.stop, f"\n{CALL_PREFIX}") if tools else request.stop,
    )
    generation = model.generate(model.chat_prompt(messages, prefill), opts, cancel)
    for piece in generation:
        yield Text(piece)
    if generation.text.count(FENCE) % 2 and generation.finish_reason != "cancelled":
        yield Text(f"\n{FENCE}")  # close a code block left open (Markdown would swallow the rest)
    completion = writer.completion_tokens + generation.completion_tokens
    yield Finish(generation.finish_reason, generation.prompt_tokens, completion)


def _prompt_messages(
    model: LocalModel, request: Request, tools: list[dict[str, Any]], budget: int, shots: int
) -> tuple[list[transcript.Message], int]:
    """Plain messages with the tool guide and examples, truncated to ``budget`` tokens; and how
    many of them are the preamble (the system message and the examples)."""
    plain = transcript.convert(request.messages, request.tools, mark_answers=bool(tools))
    if not plain:
        plain = [{"role": "user", "content": ""}]
    examples = fewshot.example_turns(tools, shots) if tools and shots > 0 else []
    guide = transcript.tool_guide(tools) if tools else ""
    room = budget - cost(examples, model.count) - model.count(guide)
    if room < MIN_EXAMPLE_ROOM:
        examples, room = [], budget - model.count(guide)
    fitted = fit(plain, model.count, room)
    messages = transcript.with_guide(fitted, tools, examples)
    if cost(messages, model.count) > model.n_ctx - 16:
        raise PromptTooLong(f"the conversation needs more than the {model.n_ctx}-token context window")
    has_system = bool(tools) or (bool(messages) and messages[0]["role"] == "system")
    return messages, min(len(messages) - 1, int(has_system) + (len(examples) if tools else 0))

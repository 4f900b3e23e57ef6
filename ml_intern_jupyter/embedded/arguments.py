"""Argument generation for a chosen tool: constrained, validated, retried.

Each required argument is written in the dialect (``dialect.py``): code and other long text as a
fenced block (stopped at the closing fence or when it starts looping), short strings on one line,
other values as JSON constrained by the argument's schema (a llama.cpp grammar). The result is
validated against the tool's JSON schema, plus static checks for Python code (syntax, names that
are never defined, code that never runs). On failure, up to three more attempts: the model sees the
error and writes the call again (greedy); then the original prompt with a repetition penalty (out of
loops); then a sample. The first clean call wins, else the least bad one. Measured on the dev tasks:
showing the error alone rarely helps a 135M model (it repeats itself); the penalty and sampling do.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

from . import grounding, pycode, shcode
from .dialect import (
    CALL_PREFIX,
    FENCE,
    Field,
    field_opener,
    fields,
    render_call,
    render_field,
    tool_name,
    tool_parameters,
)
from .engine import GenOptions, LocalModel
from .grounding import Grounding
from .literals import Literals, literals
from .transcript import Message

ARG_TOKENS = {"block": 384, "line": 96, "json": 256}
"""Token budget per argument, by how it is written."""

RETRIES: tuple[tuple[bool, float, float], ...] = ((True, 0.0, 1.0), (False, 0.0, 1.3), (False, 0.7, 1.0))
"""Attempts after a failed check: (show the error?, temperature, repetition penalty)."""


@dataclass(frozen=True)
class Problem:
    """What is wrong with a call; higher ``severity`` is worse (0: only a warning)."""

    text: str
    severity: int


@dataclass(frozen=True)
class Call:
    """A generated tool call; ``problem`` is set if no attempt passed every check."""

    name: str
    arguments: dict[str, Any]
    problem: str | None = None

    def arguments_json(self) -> str:
        """The arguments as the OpenAI ``tool_calls`` JSON string."""
        return json.dumps(self.arguments, ensure_ascii=False)


class ArgumentWriter:
    """Writes calls for one request; counts the tokens it generates."""

    def __init__(
        self, model: LocalModel, tools: dict[str, dict[str, Any]], cancel: threading.Event, request: str = ""
    ) -> None:
        self.model = model
        self.tools = tools
        self.cancel = cancel
        self.request = request
        """The user's request the calls work on (its literal values ground the arguments)."""
        self.completion_tokens = 0
        self.attempts = 0
        self._strings: list[str] = []

    def call(self, messages: list[Message], name: str, max_tokens: int | None = None, state: str = "request") -> Call:
        """A call to ``name`` with checked arguments (or the least bad attempt)."""
        tool = self.tools[name]
        known = _known_names(messages)
        self._strings = [q for m in messages if m["role"] == "user" for q in pycode.quoted(m["content"])]
        failed = _failed_call(messages) if state == "error" else None
        lit = literals(self.request)
        grounded = grounding.ground(name, fields(tool), lit, state)

        def problem_of(arguments: dict[str, Any], cut: Problem | None) -> Problem | None:
            if render_call(tool, name, arguments) == failed:
                return Problem("this is the same call that just failed; change it", 2)
            return cut or check(tool, arguments, known, lit)

        arguments, cut = self._write(messages, tool, name, max_tokens, (0.0, 1.0, 0), grounded)
        problem = problem_of(arguments, cut)
        if problem is None:
            return Call(name, arguments)
        best = (arguments, problem)
        retry = [
            *messages,
            {"role": "assistant", "content": render_call(tool, name, arguments)},
            {"role": "user", "content": f"Error: {problem.text}\nWrite the {name} call again, corrected."},
        ]
        for seed, (show_error, temperature, penalty) in enumerate(RETRIES, start=1):
            if self.cancel.is_set():
                break
            prompt_messages = retry if show_error else messages
            sampling = (temperature, penalty, seed)
            arguments, cut = self._write(prompt_messages, tool, name, max_tokens, sampling, grounded)
            problem = problem_of(arguments, cut)
            if problem is None:
                return Call(name, arguments)
            if problem.severity < best[1].severity:
                best = (arguments, problem)
            repaired = _repaired(tool, name, best[0], lit)
            if repaired != best[0] and problem_of(repaired, None) is None:
                return Call(name, repaired)  # the request says what the value must be
        return Call(name, best[0], best[1].text)

    def _write(
        self,
        messages: list[Message],
        tool: dict,
        name: str,
        max_tokens: int | None,
        sampling: tuple[float, float, int],
        grounded: Grounding,
    ) -> tuple[dict[str, Any], Problem | None]:
        """One attempt: every required argument in turn, each continuing the previous ones.

        An argument the request fixes is written as is; one it offers choices for is generated
        under a grammar that allows only those.
        """
        self.attempts += 1
        prefill = f"{CALL_PREFIX} {name}\n"
        arguments: dict[str, Any] = {}
        cut = None
        for field in fields(tool):
            if self.cancel.is_set():
                break
            if field.name in grounded.fixed:
                arguments[field.name] = grounded.fixed[field.name]
                prefill += render_field(field, arguments[field.name]) + "\n"
                continue
            prefill += field_opener(field)
            budget = min(max_tokens or ARG_TOKENS[field.kind], ARG_TOKENS[field.kind])
            opts = _options(self.model, field, budget, sampling, grounded.choices.get(field.name))
            generation = self.model.generate(self.model.chat_prompt(messages, prefill), opts, self.cancel)
            text = generation.run()
            self.completion_tokens += generation.completion_tokens
            value, written = _value(field, text, self._strings)
            if generation.finish_reason in ("length", "loop") and field.kind != "line":
                cut = Problem(f"{field.name} was cut off because it kept going; keep it short", 2)
            arguments[field.name] = value
            prefill += written
        return arguments, cut


def _options(
    model: LocalModel, field: Field, budget: int, sampling: tuple[float, float, int], choices: tuple[str, ...] | None
) -> GenOptions:
    """Generation settings for one argument; ``sampling`` is (temperature, repeat penalty, seed);
    ``choices`` are the only values allowed (a grammar), if given."""
    temperature, penalty, seed = sampling
    sampling = {"temperature": temperature, "repeat_penalty": penalty, "seed": seed}
    if choices:
        alternatives = " | ".join(json.dumps(c) for c in choices)
        end = json.dumps(f"\n{FENCE}") if field.kind == "block" else '"\\n"'
        lead = "" if field.kind == "block" else '" " '
        return GenOptions(budget, grammar=f"root ::= {lead}({alternatives}) {end}\n", stop=(FENCE, "\n"), **sampling)
    if field.kind == "block":
        return GenOptions(budget, stop=(FENCE,), stop_on_loop=True, **sampling)
    if field.kind == "line":
        return GenOptions(budget, stop=("\n",), stop_on_loop=True, **sampling)
    try:
        gbnf = model.json_schema_gbnf(json.dumps(_generation_schema(field.schema)))
    except Exception:  # a schema feature the converter does not support: any JSON value
        gbnf = model.json_schema_gbnf("{}")
    gbnf = gbnf.replace("root ::=", "value ::=", 1) + '\nroot ::= " " value\n'  # prefill ends with ":"
    return GenOptions(budget, grammar=gbnf, stop_on_loop=True, **sampling)


def _generation_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema to generate with: arrays get at least one item (small models pick ``[]``)."""
    if schema.get("type") == "array" and "minItems" not in schema:
        return {**schema, "minItems": 1}
    return schema or {}


def _value(field: Field, text: str, strings: list[str]) -> tuple[Any, str]:
    """The argument value from generated text, and the text to append to the prefill."""
    if field.kind == "block":
        text = text.rstrip()
        if field.language == "python":
            text = pycode.repair(text, strings)
        return text, f"{text}\n{FENCE}\n"
    text = text.strip()
    if field.kind == "line":
        return text, f" {text}\n"
    try:
        return json.loads(text, strict=False), f" {text}\n"  # the grammar lets raw newlines into strings
    except json.JSONDecodeError:
        return text, f" {text}\n"


def check(
    tool: dict[str, Any], arguments: dict[str, Any], known: set[str] = frozenset(), lit: Literals | None = None
) -> Problem | None:
    """The worst problem with these arguments, or None (``lit``: also check them against the request)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(tool_parameters(tool))
    errors = sorted(validator.iter_errors(arguments), key=lambda e: list(e.path))
    if errors:
        where = "/".join(str(p) for p in errors[0].path) or "arguments"
        return Problem(f"{where}: {errors[0].message}", 3)
    for field in fields(tool):
        value = arguments.get(field.name)
        if field.kind == "json" or not isinstance(value, str):
            continue
        if not value.strip():
            return Problem(f"{field.name} is empty", 3)
        if field.language == "bash":
            unknown = shcode.unknown_commands(value)
            if unknown:
                return Problem(f"command not found: {', '.join(unknown[:3])}", 2)
        if field.language == "python":
            syntax = pycode.syntax_error(value)
            if syntax:
                return Problem(syntax, 3)
            if pycode.does_nothing(value):
                return Problem("the code only defines functions and never calls them; print the result", 1)
            missing = pycode.undefined_names(value, known)
            if missing:
                names = ", ".join(missing[:3])
                return Problem(f"NameError: {names} not defined (put text in quotes, define variables first)", 1)
    for field in fields(tool) if lit is not None else ():
        found = grounding.problem(tool_name(tool), field, arguments.get(field.name), lit)
        if found:
            return Problem(*found)
    return None


def _repaired(tool: dict[str, Any], name: str, arguments: dict[str, Any], lit: Literals) -> dict[str, Any]:
    """``arguments`` with the values the request dictates put back (where one does)."""
    return {f.name: grounding.repair(name, f, arguments.get(f.name), lit) for f in fields(tool) if f.name in arguments}


def _failed_call(messages: list[Message]) -> str | None:
    """The text of the call whose result (the last message) reported an error."""
    if len(messages) < 2 or messages[-2]["role"] != "assistant":
        return None
    text = messages[-2]["content"]
    return text[text.find(CALL_PREFIX) :] if CALL_PREFIX in text else None


def _known_names(messages: list[Message]) -> set[str]:
    """Names that may exist when code runs: earlier code and results, and the user's unquoted words."""
    assistant = [m["content"] for m in messages if m["role"] == "assistant"]
    user = [m["content"] for m in messages if m["role"] == "user"]
    return pycode.identifiers(assistant) | pycode.identifiers(user, skip_quoted=True)

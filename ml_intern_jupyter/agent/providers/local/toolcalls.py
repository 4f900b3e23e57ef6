"""Tool calls from small models: a scored decision step, then constrained argument generation.

1. Decide: score ``Tool: answer`` against ``Tool: <name>`` for every tool (the model's own
   log-probabilities, plus a prior that favours answering right after a successful tool result).
2. Arguments: write each required argument in the dialect (fenced block, one line, or JSON
   constrained by the argument's schema via a llama.cpp grammar).
3. Validate against the tool's JSON schema (and Python syntax for code); on failure show the
   model the error once and let it write the call again.
"""

from __future__ import annotations

import ast
import json
import threading
from dataclasses import dataclass
from typing import Any

from .dialect import ANSWER, CALL_PREFIX, FENCE, Field, field_opener, fields, render_call, tool_name
from .dialect import tool_parameters as parameters
from .engine import GenOptions, LocalModel
from .transcript import Message

RESULT_ANSWER_BIAS = 4.0
"""Log-odds added to ``answer`` right after a tool result without errors (measured: see bench)."""

ARG_TOKENS = {"block": 384, "line": 96, "json": 256}
"""Token budget per argument, by how it is written."""


@dataclass(frozen=True)
class Call:
    """A generated tool call; ``problem`` is set if it still fails validation after the retry."""

    name: str
    arguments: dict[str, Any]
    problem: str | None = None

    def arguments_json(self) -> str:
        """The arguments as the OpenAI ``tool_calls`` JSON string."""
        return json.dumps(self.arguments, ensure_ascii=False)


class ToolCaller:
    """Runs the decision and argument steps for one request; counts the tokens it generates."""

    def __init__(self, model: LocalModel, tools: list[dict[str, Any]], cancel: threading.Event) -> None:
        self.model = model
        self.tools = {tool_name(t): t for t in tools}
        self.cancel = cancel
        self.completion_tokens = 0
        self.scores: dict[str, float] = {}

    def decide(self, messages: list[Message], state: str, tool_choice: Any = None) -> str | None:
        """The tool to call, or None to answer in words."""
        forced = _forced_name(tool_choice)
        if forced in self.tools:
            return forced
        if tool_choice == "none" or not self.tools:
            return None
        options = list(self.tools) if tool_choice == "required" else [ANSWER, *self.tools]
        if len(options) == 1:
            return options[0]
        prompt = self.model.chat_prompt(messages, CALL_PREFIX)
        logprobs = self.model.score(prompt, [f" {name}\n" for name in options])
        self.scores = dict(zip(options, logprobs, strict=True))
        if state == "result" and ANSWER in self.scores:
            self.scores[ANSWER] += RESULT_ANSWER_BIAS
        best = max(self.scores, key=lambda name: self.scores[name])
        return None if best == ANSWER else best

    def call(self, messages: list[Message], name: str, max_tokens: int | None = None) -> Call:
        """Write the arguments of a call to ``name``; validate; retry once with the error shown."""
        tool = self.tools[name]
        arguments = self._write(messages, tool, name, max_tokens)
        problem = self.check(tool, arguments)
        if problem is None or self.cancel.is_set():
            return Call(name, arguments, problem)
        retry = [
            *messages,
            {"role": "assistant", "content": render_call(tool, name, arguments)},
            {"role": "user", "content": f"Error: {problem}\nWrite the {name} call again, corrected."},
        ]
        second = self._write(retry, tool, name, max_tokens)
        second_problem = self.check(tool, second)
        if second_problem is None:
            return Call(name, second, None)
        return Call(name, arguments, problem)

    def _write(self, messages: list[Message], tool: dict[str, Any], name: str, max_tokens: int | None) -> dict:
        prefill = f"{CALL_PREFIX} {name}\n"
        arguments: dict[str, Any] = {}
        for field in fields(tool):
            if self.cancel.is_set():
                break
            prefill += field_opener(field)
            prompt = self.model.chat_prompt(messages, prefill)
            budget = ARG_TOKENS[field.kind] if max_tokens is None else min(max_tokens, ARG_TOKENS[field.kind])
            value, written = self._value(prompt, field, budget)
            arguments[field.name] = value
            prefill += written
        return arguments

    def _value(self, prompt: str, field: Field, budget: int) -> tuple[Any, str]:
        """Generate one argument; returns the value and the text to append to the prefill."""
        if field.kind == "block":
            opts = GenOptions(budget, stop=(FENCE,), repeat_penalty=1.05)
            text = self._run(prompt, opts).rstrip()
            return text, f"{text}\n{FENCE}\n"
        if field.kind == "line":
            opts = GenOptions(budget, stop=("\n",), grammar='root ::= [^\\n]+ "\\n"', repeat_penalty=1.1)
            text = self._run(prompt, opts).strip()
            return text, f"{text}\n"
        gbnf = self.model.json_schema_gbnf(json.dumps(field.schema or {}))
        text = self._run(prompt, GenOptions(budget, grammar=gbnf, repeat_penalty=1.1)).strip()
        try:
            value: Any = json.loads(text, strict=False)  # the grammar allows raw newlines in strings
        except json.JSONDecodeError:
            value = text
        return value, f"{text}\n"

    def _run(self, prompt: str, opts: GenOptions) -> str:
        generation = self.model.generate(prompt, opts, self.cancel)
        text = generation.run()
        self.completion_tokens += generation.completion_tokens
        return text

    @staticmethod
    def check(tool: dict[str, Any], arguments: dict[str, Any]) -> str | None:
        """A description of what is wrong with the arguments, or None."""
        import jsonschema

        validator = jsonschema.Draft202012Validator(parameters(tool))
        errors = sorted(validator.iter_errors(arguments), key=lambda e: list(e.path))
        if errors:
            where = "/".join(str(p) for p in errors[0].path) or "arguments"
            return f"{where}: {errors[0].message}"
        for field in fields(tool):
            value = arguments.get(field.name)
            if field.kind == "block" and isinstance(value, str) and not value.strip():
                return f"{field.name} is empty"
            if field.kind == "block" and field.language == "python" and isinstance(value, str):
                problem = python_syntax_error(value)
                if problem:
                    return problem
        return None


def python_syntax_error(code: str) -> str | None:
    """A one-line syntax error of ``code`` (IPython ``%magic``/``!shell`` lines and top-level await allowed)."""
    lines = [
        line[: len(line) - len(line.lstrip())] + "pass" if line.lstrip().startswith(("%", "!")) else line
        for line in code.splitlines()
    ]
    try:
        compile("\n".join(lines), "<code>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    except SyntaxError as exc:
        return f"SyntaxError in the code, line {exc.lineno}: {exc.msg}"
    except ValueError as exc:
        return f"invalid code: {exc}"
    return None


def _forced_name(tool_choice: Any) -> str | None:
    if isinstance(tool_choice, dict):
        function = tool_choice.get("function") or {}
        return function.get("name") if isinstance(function, dict) else None
    return None

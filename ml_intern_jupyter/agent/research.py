"""The ``research`` tool: a sub-agent with read-only tools that returns a summary with sources.

It runs its own small loop on the turn's model, with its own message list and context budget,
so the main history only gets the summary. Its steps reach the user as log lines of the
``research`` card, its tokens count in the session's usage, and an interrupt of the turn
cancels it where it is (the await of a model call or a tool).
"""

from __future__ import annotations

import asyncio
import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from ..common import head_tail
from ..tools.spec import ToolContext, ToolResult, ToolRouter, ToolSpec
from .config import RetryConfig
from .host import Usage
from .model.errors import ModelFailure
from .model.provider import CompletionProvider, ModelRequest
from .model.retry import call_model
from .tool_calls import prepare_call

SOURCE_KEYS = ("url", "repo_id", "dataset", "arxiv_id", "repo", "endpoint", "file_path", "query", "library")
BUDGET_NOTE = (
    "[research budget] You have used your research budget. Do not call more tools: write your final "
    "answer now from what you found, ending with `Sources:`."
)


@dataclass(frozen=True)
class ResearchLimits:
    """How far one ``research`` call may go: model calls, context size, one tool result's size."""

    max_iterations: int = 10
    max_context_tokens: int = 30_000
    max_tool_output_chars: int = 8_000


def research_prompt(today: datetime.date | None = None) -> str:
    """The sub-agent's system prompt."""
    text = resources.files(__package__).joinpath("prompts", "research.md").read_text(encoding="utf-8")
    return text.format(today=(today or datetime.date.today()).isoformat())


def _step(name: str, arguments: dict[str, Any]) -> str:
    """``hf_hub_search query='lora'`` for the card's log."""
    shown = [f"{key}={json.dumps(value, ensure_ascii=False)[:80]}" for key, value in arguments.items()]
    return f"{name} {' '.join(shown)}".strip()


def _source(name: str, arguments: dict[str, Any]) -> str | None:
    parts = [str(arguments[key]) for key in SOURCE_KEYS if arguments.get(key)]
    if name == "github_read_file" and arguments.get("path"):
        parts.append(str(arguments["path"]))
    return f"{name}: {' '.join(parts)[:200]}" if parts else None


class Research:
    """One session's ``research`` tool.

    ``provider`` gives the model of the running turn; ``usage`` is the session's (tokens count
    there); ``redact`` is applied to tool output before it goes to the model (None to skip).
    """

    def __init__(
        self,
        tools: ToolRouter,
        provider: Callable[[], CompletionProvider],
        usage: Usage,
        *,
        retry: RetryConfig,
        redact: Callable[[str], str] | None = None,
        limits: ResearchLimits | None = None,
    ) -> None:
        not_read_only = [spec.name for spec in tools.specs() if not spec.read_only]
        if not_read_only:
            raise ValueError(f"research tools must be read-only: {', '.join(not_read_only)}")
        self.tools, self._provider, self._usage = tools, provider, usage
        self._retry, self._redact = retry, redact
        self.limits = limits or ResearchLimits()

    def spec(self) -> ToolSpec:
        """The ``research{task, context?}`` tool."""
        return ToolSpec(
            name="research",
            description=(
                "Delegate a focused investigation to a research assistant with read-only tools "
                f"({', '.join(self.tools.names())}). It reads docs, papers, the Hub, datasets and code "
                "examples in its own context and returns a concise answer with sources. Use it before "
                "writing training or Hub code whose current API you are unsure of."
            ),
            parameters={
                "type": "object",
                "properties": {
                    "task": {"type": "string", "description": "The question to answer, specific and self-contained."},
                    "context": {"type": "string", "description": "What you already know that narrows the search."},
                },
                "required": ["task"],
                "additionalProperties": False,
            },
            handler=self.run,
            read_only=True,
        )

    async def run(self, arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        """Investigate ``task``; the summary (and the sources it consulted) is the result."""
        task = str(arguments.get("task", "")).strip()
        if not task:
            return ToolResult("Error: research needs a non-empty `task`.", ok=False)
        if arguments.get("context"):
            task += f"\n\nWhat is known already:\n{arguments['context']}"
        provider = self._provider()
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": research_prompt()},
            {"role": "user", "content": task},
        ]
        sources: list[str] = []
        try:
            for iteration in range(1, self.limits.max_iterations + 1):
                last = iteration == self.limits.max_iterations or self._tokens(provider, messages) > (
                    self.limits.max_context_tokens
                )
                if last:
                    messages.append({"role": "user", "content": BUDGET_NOTE})
                    ctx.log("research · budget reached, summarising")
                reply = await self._call(provider, messages, tools=not last)
                messages.append(
                    {
                        "role": "assistant",
                        "content": reply.content or None,
                        **({"tool_calls": [c.to_message() for c in reply.tool_calls]} if reply.tool_calls else {}),
                    }
                )
                if not reply.tool_calls or last:
                    return self._summary(reply.content, sources, iteration)
                if reply.content.strip():
                    ctx.log("research · " + " ".join(reply.content.split())[:160])
                for raw in reply.tool_calls:
                    messages.append(await self._run_call(raw, ctx, sources))
        except ModelFailure as failure:
            return ToolResult(f"research failed: {failure.info.message}", ok=False)
        return self._summary("", sources, self.limits.max_iterations)

    def _tokens(self, provider: CompletionProvider, messages: list[dict[str, Any]]) -> int:
        return sum(provider.count_tokens(message) for message in messages)

    async def _call(self, provider: CompletionProvider, messages: list[dict[str, Any]], *, tools: bool) -> Any:
        request = ModelRequest(
            messages=list(messages),
            tools=self.tools.schemas() if tools else (),
            stream=False,
            id_prefix=f"research_{self._usage.next_call()}",
        )
        reply = await call_model(provider, request, retry=self._retry)
        self._usage.add(reply.prompt_tokens, reply.completion_tokens)
        return reply

    async def _run_call(self, raw: Any, ctx: ToolContext, sources: list[str]) -> dict[str, Any]:
        call = prepare_call(raw, self.tools)
        ctx.log("research · " + _step(raw.name, call.arguments or {}))
        if call.error:
            output = call.error
        else:
            inner = ToolContext(raw.id, raw.name, ctx.workdir)  # its own logs stay out of the card
            result = await self.tools.execute(raw.name, call.arguments, inner)
            output = result.output if result.ok else f"Error: {result.output}"
            source = _source(raw.name, call.arguments)
            if result.ok and source and source not in sources:
                sources.append(source)
        if self._redact is not None and output:
            output = await asyncio.to_thread(self._redact, output)
        output = head_tail(output, self.limits.max_tool_output_chars)
        return {"role": "tool", "tool_call_id": raw.id, "name": raw.name, "content": output}

    @staticmethod
    def _summary(text: str, sources: list[str], steps: int) -> ToolResult:
        text = text.strip() or "The research assistant gave no answer."
        consulted = "\n".join(f"- {source}" for source in sources)
        footer = f"\n\n[research: {steps} step(s)" + (f"; consulted:\n{consulted}]" if sources else "]")
        return ToolResult(text + footer, structured={"steps": steps, "sources": sources})

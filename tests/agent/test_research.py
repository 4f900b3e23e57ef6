"""The research sub-agent: its own loop on read-only tools, steps on the parent card, usage, interrupts."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from ml_intern_jupyter.agent.research import BUDGET_NOTE, Research, ResearchLimits
from ml_intern_jupyter.protocol import Interrupt, ToolState, UserInput
from ml_intern_jupyter.tools.spec import ToolRouter, ToolSpec

from ..conftest import GENEROUS_SECONDS, SlowTool, echo_tool, say


def call(name: str, **arguments):
    return {"name": name, "arguments": arguments}


def lookup_tool(pages: dict[str, str]) -> ToolSpec:
    async def handler(arguments: dict, ctx) -> str:
        ctx.log("inner log line")  # a reader's own progress stays out of the parent card
        return pages.get(arguments["url"], f"404: {arguments['url']}")

    return ToolSpec(
        name="fetch_page",
        description="Read a page.",
        parameters={"type": "object", "properties": {"url": {"type": "string"}}, "required": ["url"]},
        handler=handler,
        read_only=True,
    )


PAGES = {"https://hf.co/docs/peft/lora": "LoraConfig(r=8, lora_alpha=16, target_modules=...)"}


def with_research(session, readers: list[ToolSpec], **limits) -> Research:
    research = Research(
        ToolRouter(readers),
        session.turn_provider,
        session.usage,
        retry=session.retry,
        limits=ResearchLimits(**limits) if limits else None,
    )
    session.tools.register(research.spec())
    return research


async def test_research_reads_with_its_own_tools_and_returns_a_summary_with_sources(make_session) -> None:
    session, rec = make_session(
        [
            {"text": "Let me research that.", "tool_calls": [call("research", task="How do I configure LoRA?")]},
            {"text": "Checking the docs.", "tool_calls": [call("fetch_page", url="https://hf.co/docs/peft/lora")]},
            {"text": "Use `LoraConfig(r=8, lora_alpha=16)`.\n\nSources:\n- https://hf.co/docs/peft/lora"},
            {"text": "The research says r=8."},
        ]
    )
    with_research(session, [lookup_tool(PAGES)])
    outcome = await say(session, "how to lora")

    assert outcome.final_text == "The research says r=8."
    result = next(e for e in rec.of("tool_output") if e.name == "research")
    assert result.ok and result.output.startswith("Use `LoraConfig(r=8, lora_alpha=16)`.")
    assert "consulted:\n- fetch_page: https://hf.co/docs/peft/lora" in result.output
    assert result.structured == {"steps": 2, "sources": ["fetch_page: https://hf.co/docs/peft/lora"]}
    lines = [e.line for e in rec.of("tool_log") if e.tool_call_id == result.tool_call_id]
    assert lines == ["research · Checking the docs.", 'research · fetch_page url="https://hf.co/docs/peft/lora"']
    # only the summary enters the main history, not the sub-agent's messages
    roles = [m["role"] for m in session.history.messages()]
    assert roles == ["system", "user", "assistant", "tool", "assistant"]
    assert "LoraConfig(r=8, lora_alpha=16, target_modules" not in str(session.history.messages())
    assert session.usage.model_calls == 4  # two of the parent, two of the research assistant
    turn = rec.of("turn_complete")[0]
    assert session.usage.prompt_tokens > turn.prompt_tokens  # its tokens count in the session's usage


async def test_the_budget_forces_a_summary_without_tools(make_session) -> None:
    session, rec = make_session(
        [
            {"tool_calls": [call("research", task="find everything")]},
            {"tool_calls": [call("fetch_page", url="https://hf.co/a")]},
            {"text": "Partial answer: nothing at /a.\n\nSources:\n- https://hf.co/a"},
            {"text": "ok"},
        ]
    )
    research = with_research(session, [lookup_tool({})], max_iterations=2)
    seen: list[list[dict]] = []
    provider = session.provider()
    original = provider.complete

    async def spy(request, on_text=None):
        seen.append([dict(m) for m in request.messages] + [{"tools": len(request.tools)}])
        return await original(request, on_text)

    provider.complete = spy  # type: ignore[method-assign]
    await say(session, "research")
    last_research_call = seen[2]
    assert last_research_call[-2]["content"] == BUDGET_NOTE and last_research_call[-1] == {"tools": 0}
    result = next(e for e in rec.of("tool_output") if e.name == "research")
    assert result.output.startswith("Partial answer") and research.limits.max_iterations == 2


async def test_a_malformed_or_unknown_sub_call_goes_back_to_the_research_model(make_session) -> None:
    session, rec = make_session(
        [
            {"tool_calls": [call("research", task="x")]},
            {"tool_calls": [{"name": "fetch_page", "arguments": "{not json"}, call("python", code="1/0")]},
            {"text": "Could not read anything."},
            {"text": "done"},
        ]
    )
    with_research(session, [lookup_tool({})])
    await say(session, "go")
    result = next(e for e in rec.of("tool_output") if e.name == "research")
    assert result.ok and result.output.startswith("Could not read anything.")
    assert "consulted" not in result.output  # nothing was read successfully


async def test_a_model_failure_inside_research_is_a_failed_result_and_the_turn_goes_on(make_session) -> None:
    session, rec = make_session(
        [{"tool_calls": [call("research", task="x")]}, {"error": "auth"}, {"text": "I could not research it."}]
    )
    with_research(session, [lookup_tool({})])
    outcome = await say(session, "go")
    result = next(e for e in rec.of("tool_output") if e.name == "research")
    assert not result.ok and result.output.startswith("research failed:")
    assert outcome.stop_reason == "done" and outcome.final_text == "I could not research it."


async def test_an_interrupt_cancels_the_research_where_it_is(make_session) -> None:
    slow = SlowTool()
    reader = dataclasses.replace(slow.spec(), read_only=True)
    session, rec = make_session(
        [{"tool_calls": [call("research", task="x")]}, {"tool_calls": [call("slow", seconds=60)]}, {"text": "never"}]
    )
    with_research(session, [reader])
    turn = asyncio.create_task(session.submit(UserInput("go")))
    await asyncio.wait_for(slow.started.wait(), GENEROUS_SECONDS)
    await session.submit(Interrupt())
    outcome = await asyncio.wait_for(turn, GENEROUS_SECONDS)
    assert outcome.stop_reason == "interrupted" and slow.cancelled
    states = [e.state for e in rec.of("tool_state_change") if e.name == "research"]
    assert states[-1] is ToolState.CANCELLED
    assert not session.busy


def test_only_read_only_tools_may_be_given_to_research(make_session) -> None:
    session, _ = make_session([])
    with pytest.raises(ValueError, match="must be read-only: echo"):
        Research(ToolRouter([echo_tool()]), session.turn_provider, session.usage, retry=session.retry)


async def test_an_empty_task_is_refused(make_session) -> None:
    session, _ = make_session([])
    research = with_research(session, [lookup_tool({})])
    result = await research.run({"task": "  "}, None)  # type: ignore[arg-type]
    assert not result.ok and "non-empty `task`" in result.output

"""The CLI asks once, hidden, for an HF token when an approved Hub write needs one and none is set."""

from __future__ import annotations

import asyncio
import os

from ml_intern_jupyter.agent.builder import FrontEnd, build_session
from ml_intern_jupyter.agent.config import load_config
from ml_intern_jupyter.agent.model import ProviderFactory
from ml_intern_jupyter.cli.chat import run_chat
from ml_intern_jupyter.cli.hub_token import PROMPT, HubTokenPrompt

from ..hub_server import TEST_TOKEN, LocalHub
from ..tools.hf.conftest import hub  # noqa: F401  (the LocalHub fixture)
from .test_cli import FakeTerminal


def create(repo_id: str) -> dict:
    return {"tool_calls": [{"name": "hf_repo_git", "arguments": {"operation": "create_repo", "repo_id": repo_id}}]}


async def test_an_approved_hub_write_asks_for_a_token_once_and_uses_it(hub: LocalHub, write_script, capsys) -> None:  # noqa: F811
    env = {"HF_ENDPOINT": hub.endpoint}
    config = load_config(load_env_files=False).replace(env=env)
    front = FrontEnd(ProviderFactory(env))
    model = write_script([create("alice/first"), {"text": "Created."}, create("alice/second"), {"text": "Again."}])
    built = build_session(front, config=config, model=model)
    typed: list[str] = []

    def read_secret(prompt: str) -> str:
        typed.append(prompt)
        return f"  {TEST_TOKEN}\n"

    prompt = HubTokenPrompt(front.secrets, built.session.config.env, read_secret=read_secret)
    terminal = FakeTerminal(["make a repo", "y", "another", "y", "/quit"])
    code = await asyncio.wait_for(run_chat(built.session, ask=terminal, hub_token=prompt), 30)

    assert code == 0 and typed == [PROMPT]  # asked once, for the first write only
    assert hub.repo("alice/first", "model").private and hub.repo("alice/second", "model").private
    assert front.secrets == {"HF_TOKEN": TEST_TOKEN} and "HF_TOKEN" not in os.environ
    out = capsys.readouterr().out
    assert TEST_TOKEN not in out and "for this run only" in out


async def test_no_token_typed_means_the_call_says_which_token_it_needs(hub: LocalHub, write_script) -> None:  # noqa: F811
    env = {"HF_ENDPOINT": hub.endpoint}
    front = FrontEnd(ProviderFactory(env))
    built = build_session(front, config=load_config(load_env_files=False).replace(env=env),
                          model=write_script([create("alice/x"), {"text": "No token."}]))  # fmt: skip
    prompt = HubTokenPrompt(front.secrets, built.session.config.env, read_secret=lambda _: "")
    await asyncio.wait_for(run_chat(built.session, ask=FakeTerminal(["go", "y", "/quit"]), hub_token=prompt), 30)
    result = next(m for m in built.session.history.messages() if m["role"] == "tool")
    assert "needs a Hugging Face token" in result["content"] and "%intern login" in result["content"]
    assert "model/alice/x" not in hub.repos


async def test_a_saved_login_or_a_read_never_asks(write_script) -> None:
    asked: list[str] = []
    prompt = HubTokenPrompt({}, {"HF_TOKEN": "hf_alreadyThere123"}, read_secret=asked.append)
    await prompt.before_hub_write("hf_jobs")
    await HubTokenPrompt({}, {}, read_secret=asked.append).before_hub_write("python")
    assert asked == []

"""Real-looking FAKE secrets for redaction tests (generated from a fixed seed, never real).

``fake_secrets()`` returns (kind, secret) pairs that ``Redactor`` recognises from their
shape alone, whatever its env. ``fake_secrets(include_env=True)`` adds the value of the
secret-looking variable ``SECRET_ENV_NAME``, which is redacted only when the Redactor's
env holds it: build that one with ``Redactor(env=fake_secret_env())`` (or monkeypatch the
variable into ``os.environ`` before building it). ``secret_conversation()`` is an
OpenAI-format history with every secret in user text, assistant text, tool arguments and
tool outputs.
"""

from __future__ import annotations

import json
import random
import string
from collections.abc import Sequence
from typing import Any

SECRET_ENV_NAME = "MY_SERVICE_TOKEN"
_SEED = 20250611
_ALNUM = string.ascii_letters + string.digits
_URLSAFE = _ALNUM + "-_"
_UPPER_DIGITS = string.ascii_uppercase + string.digits
_HEX = "0123456789abcdef"


def _chars(rng: random.Random, alphabet: str, length: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


def _aws_secret(rng: random.Random) -> str:
    # 40 chars of base64 alphabet with upper, lower and digit, not starting/ending with "/".
    middle = _chars(rng, _ALNUM + "/+", 35)
    return _chars(rng, string.ascii_uppercase, 1) + "a7" + middle + _chars(rng, string.ascii_lowercase, 1) + "Q"


def fake_secrets(include_env: bool = False) -> list[tuple[str, str]]:
    """(kind, secret) pairs, the same on every call; see the module docstring."""
    rng = random.Random(_SEED)
    digits = string.digits
    jwt_header = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    pairs = [
        ("hf_token", "hf_" + _chars(rng, _ALNUM, 34)),
        ("openai_key", "sk-" + _chars(rng, _ALNUM, 20) + "T3BlbkFJ" + _chars(rng, _ALNUM, 20)),
        ("openai_project_key", "sk-proj-" + _chars(rng, _URLSAFE, 74) + "T3BlbkFJ" + _chars(rng, _URLSAFE, 74)),
        ("anthropic_key", "sk-ant-api03-" + _chars(rng, _URLSAFE, 93) + "AA"),
        ("github_classic_pat", "ghp_" + _chars(rng, _ALNUM, 36)),
        ("github_fine_grained_pat", "github_pat_11" + _chars(rng, _UPPER_DIGITS, 20) + "_" + _chars(rng, _ALNUM, 59)),
        ("slack_bot_token", f"xoxb-{_chars(rng, digits, 13)}-{_chars(rng, digits, 13)}-{_chars(rng, _ALNUM, 24)}"),
        (
            "slack_user_token",
            f"xoxp-{_chars(rng, digits, 12)}-{_chars(rng, digits, 12)}-{_chars(rng, digits, 13)}-"
            + _chars(rng, _HEX, 32),
        ),
        (
            "slack_app_token",
            f"xapp-1-A{_chars(rng, _UPPER_DIGITS, 10)}-{_chars(rng, digits, 13)}-{_chars(rng, _HEX, 64)}",
        ),
        ("bearer_token", f"{jwt_header}.eyJ{_chars(rng, _URLSAFE, 60)}.{_chars(rng, _URLSAFE, 43)}"),
        ("aws_access_key_id", "AKIA" + _chars(rng, _UPPER_DIGITS, 16)),
        ("aws_secret_access_key", _aws_secret(rng)),
    ]
    env_secret = (SECRET_ENV_NAME, "svc_" + _chars(rng, _ALNUM, 28))
    return [*pairs, env_secret] if include_env else pairs


def fake_secret_env() -> dict[str, str]:
    """An environment holding the env-only fake secret (plus harmless variables)."""
    value = dict(fake_secrets(include_env=True))[SECRET_ENV_NAME]
    return {SECRET_ENV_NAME: value, "HOME": "/home/alice", "PATH": "/usr/bin:/bin", "ML_INTERN_YOLO": "1"}


def _call(call_id: str, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}


def secret_conversation(secrets: Sequence[tuple[str, str]] | None = None) -> list[dict[str, Any]]:
    """A system prompt, then for each secret: user text, an assistant reply with two
    parallel tool calls (python, bash) and their outputs, all containing the secret."""
    pairs = fake_secrets() if secrets is None else list(secrets)
    messages: list[dict[str, Any]] = [{"role": "system", "content": "You are ML Intern, working in a notebook."}]
    for index, (kind, secret) in enumerate(pairs):
        code_id, shell_id = f"call_{index}_python", f"call_{index}_bash"
        code = f'client = Client("{secret}")\nprint(client.whoami())'
        command = f"curl -s -H 'Authorization: Bearer {secret}' https://api.example.com/v1/me"
        messages += [
            {
                "role": "user",
                "content": f"Use this one for the {kind.replace('_', ' ')}: {secret}\nthen check it works.",
            },
            {
                "role": "assistant",
                "content": f"I'll connect with `{secret}` and check who it belongs to.",
                "tool_calls": [_call(code_id, "python", {"code": code}), _call(shell_id, "bash", {"command": command})],
            },
            {"role": "tool", "tool_call_id": code_id, "name": "python", "content": f"connected as alice ({secret})"},
            {
                "role": "tool",
                "tool_call_id": shell_id,
                "name": "bash",
                "content": f"> GET /v1/me\n< 200 OK\n{secret}\n",
            },
        ]
    messages.append({"role": "assistant", "content": "All the credentials work; I did not store them anywhere."})
    return messages

"""Redactor: every corpus secret is replaced wherever it sits; ordinary ML text is left alone."""

from __future__ import annotations

import copy
import json

import pytest

from ml_intern_jupyter.traces.claude_code import dumps_jsonl, to_trace_lines, validate_trace
from ml_intern_jupyter.traces.redact import PLACEHOLDER_FORMAT, Redactor

from .secret_corpus import SECRET_ENV_NAME, fake_secret_env, fake_secrets, secret_conversation

SECRETS = fake_secrets(include_env=True)
EXPECTED_KIND = {
    "hf_token": "hf_token",
    "openai_key": "openai_key",
    "openai_project_key": "openai_key",
    "anthropic_key": "anthropic_key",
    "github_classic_pat": "github_token",
    "github_fine_grained_pat": "github_token",
    "slack_bot_token": "slack_token",
    "slack_user_token": "slack_token",
    "slack_app_token": "slack_token",
    "bearer_token": "jwt",
    "aws_access_key_id": "aws_access_key_id",
    "aws_secret_access_key": "aws_secret_access_key",
    SECRET_ENV_NAME: SECRET_ENV_NAME,
}


@pytest.fixture
def redactor() -> Redactor:
    return Redactor(env=fake_secret_env())


def leaked(text: str) -> list[str]:
    return [kind for kind, secret in SECRETS if secret in text]


def test_the_corpus_is_complete_and_stable() -> None:
    assert [kind for kind, _ in SECRETS] == list(EXPECTED_KIND)
    assert fake_secrets(include_env=True) == SECRETS
    assert SECRET_ENV_NAME not in dict(fake_secrets())


@pytest.mark.parametrize(("kind", "secret"), SECRETS, ids=[kind for kind, _ in SECRETS])
def test_each_secret_alone_and_in_context_gets_its_placeholder(redactor: Redactor, kind: str, secret: str) -> None:
    expected = PLACEHOLDER_FORMAT.format(kind=EXPECTED_KIND[kind])
    assert redactor.text(secret) == expected
    for template in ("see {}.", '"{}"', "x={}\n", "({})", "key: {} ok", "\t{}\t"):
        out = redactor.text(template.format(secret))
        assert secret not in out and expected in out, (template, out)


def test_shape_secrets_are_redacted_without_any_env() -> None:
    redactor = Redactor(env={})
    for kind, secret in fake_secrets():
        assert secret not in redactor.text(f"value: {secret} end"), kind


def test_a_realistic_conversation_is_fully_redacted(redactor: Redactor) -> None:
    messages = secret_conversation(SECRETS)
    original = copy.deepcopy(messages)
    redacted = redactor.value(messages)
    assert messages == original, "value() must not mutate its input"
    dumped = json.dumps(redacted, ensure_ascii=False)
    assert leaked(dumped) == []
    assert dumped.count("[REDACTED:") >= 5 * len(SECRETS)  # user, assistant, 2 arguments, 2 outputs each
    for message in redacted:
        for call in message.get("tool_calls", []):
            json.loads(call["function"]["arguments"])  # still valid JSON


def test_no_secret_survives_trace_export(redactor: Redactor) -> None:
    redacted = redactor.value(secret_conversation(SECRETS))
    lines = to_trace_lines(redacted, session_id="s-redact", model="scripted/x", cwd="/home/alice/work")
    assert validate_trace(lines) == []
    text = dumps_jsonl(lines)
    assert leaked(text) == []
    for kind in set(EXPECTED_KIND.values()):
        assert PLACEHOLDER_FORMAT.format(kind=kind) in text
    blocks = [b for line in lines if line["type"] == "assistant" for b in line["message"]["content"]]
    inputs = [b["input"] for b in blocks if b["type"] == "tool_use"]
    assert len(inputs) == 2 * len(SECRETS) and all("_raw_arguments" not in i for i in inputs)


@pytest.mark.parametrize(
    "text",
    [
        "from sklearn.linear_model import LogisticRegression  # pip install scikit-learn (sk-learn)",
        "The skeleton of the task-specific-fine-tuning-recipe-version-two is ready.",
        "commit 3f786850e387550fdab836ed7e6dc881de23001b (HEAD -> main)",
        "run id 123e4567-e89b-12d3-a456-426614174000 finished",
        "from huggingface_hub import hf_hub_download, snapshot_download",
        "path = hf_hub_download(repo_id='gpt2', filename='config.json')",
        "tokenizer.pad_token = tokenizer.eos_token\nmodel.config.pad_token_id = tokenizer.eos_token_id",
        'generate(max_new_tokens=512, pad_token_id=50256)  {"pad_token": "<|endoftext|>", "eos_token": "</s>"}',
        "sha256 digest: 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        "export HF_HOME=/data/hf_cache; export HF_HUB_ENABLE_HF_TRANSFER=1; TOKENIZERS_PARALLELISM=false",
        "api_key = os.environ['OPENAI_API_KEY']; token = args.hub_token",
        "Sales in ASIA and EUROPE grew; the key insight is attention(query, key, value).",
        "sort_key = lambda row: row['id']; keyboard_layout = 'us-international'",
        "He was the bearer of bad news; authorization pending.",
        "/root/.cache/huggingface/hub/models--Qwen--Qwen2.5-0.5B/snapshots/0123abcd",
        "ghp_short and hf_tiny and xoxb-1 are too short to be tokens",
    ],
)
def test_ordinary_ml_text_is_not_redacted(text: str) -> None:
    assert Redactor(env={"HOME": "/home/alice"}).text(text) == text


def test_bearer_keeps_the_word_and_replaces_the_credential() -> None:
    out = Redactor(env={}).text("curl -H 'Authorization: Bearer abcDEF0123456789ghijKLMN.xyz' https://x")
    assert out == "curl -H 'Authorization: Bearer [REDACTED:bearer]' https://x"


def test_aws_secret_after_its_variable_name_even_in_lowercase_hex() -> None:
    secret = "a" * 20 + "0123456789abcdef0123"  # no upper case: only the context finds it
    for text in (f"aws_secret_access_key = {secret}", f'AWS_SECRET_ACCESS_KEY: "{secret}"'):
        assert secret not in Redactor(env={}).text(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("OPENAI_API_KEY=notashapeButSecret42", "OPENAI_API_KEY=[REDACTED:OPENAI_API_KEY]"),
        ("export DB_PASSWORD='correct horse battery'", "export DB_PASSWORD='[REDACTED:DB_PASSWORD]'"),
        ('{"api_key": "abc123def456", "model": "gpt2"}', '{"api_key": "[REDACTED:api_key]", "model": "gpt2"}'),
        ("password: hunter2hunter2\nuser: alice", "password: [REDACTED:password]\nuser: alice"),
        (
            "https://x.io/cb?access_token=abcdefgh12345&state=1",
            "https://x.io/cb?access_token=[REDACTED:access_token]&state=1",
        ),
        ("client_secret = 'zzzzzzzzzz9'", "client_secret = '[REDACTED:client_secret]'"),
    ],
)
def test_secret_looking_assignments(text: str, expected: str) -> None:
    assert Redactor(env={}).text(text) == expected


def test_env_values_are_redacted_by_name_with_the_variable_as_kind() -> None:
    env = {
        "SERVICE_AUTH": "opaque-value-1234",
        "SERVICE_AUTH_EXTENDED": "opaque-value-1234-extended",  # longer one wins where both match
        "SHORT_TOKEN": "abc",  # too short
        "FEATURE_KEY": "true",  # boring
        "SSH_AUTH_SOCK": "/tmp/ssh-XXXX/agent.42",  # a path
        "MODEL_NAME": "gpt2-medium-finetuned",  # the name does not look secret
    }
    redactor = Redactor(env=env, extra_secrets=["slack-channel-secret-9", "tiny"])
    text = "a opaque-value-1234-extended b opaque-value-1234 c abc true /tmp/ssh-XXXX/agent.42 gpt2-medium-finetuned"
    assert redactor.text(text + " slack-channel-secret-9 tiny") == (
        "a [REDACTED:SERVICE_AUTH_EXTENDED] b [REDACTED:SERVICE_AUTH] c abc true /tmp/ssh-XXXX/agent.42 "
        "gpt2-medium-finetuned [REDACTED:secret] tiny"
    )
    assert redactor.known_secret_count == 3


def test_env_defaults_to_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    value = dict(SECRETS)[SECRET_ENV_NAME]
    monkeypatch.setenv(SECRET_ENV_NAME, value)
    assert Redactor().text(f"token is {value}") == f"token is [REDACTED:{SECRET_ENV_NAME}]"


def test_value_walks_containers_and_redacts_secret_keys_whole() -> None:
    redactor = Redactor(env={})
    hf = dict(SECRETS)["hf_token"]
    obj = {
        "headers": {"Authorization": "Basic dXNlcjpwYXNz", "X-Api-Key": "k1", "Accept": "application/json"},
        "config": {"api_key": "anything", "password": "pw", "token": None, "secret": "", "max_tokens": 100},
        "args": ("hf", [f"--token={hf}", 3, 2.5, True]),
        "pad_token": "<|pad|>",
        "HF_TOKEN": "whatever-it-is",
    }
    out = redactor.value(obj)
    assert out["headers"] == {
        "Authorization": "[REDACTED:Authorization]",
        "X-Api-Key": "[REDACTED:X-Api-Key]",
        "Accept": "application/json",
    }
    assert out["config"] == {
        "api_key": "[REDACTED:api_key]",
        "password": "[REDACTED:password]",
        "token": None,
        "secret": "",
        "max_tokens": 100,
    }
    assert out["args"] == ("hf", ["--token=[REDACTED:hf_token]", 3, 2.5, True])
    assert out["pad_token"] == "<|pad|>" and out["HF_TOKEN"] == "[REDACTED:HF_TOKEN]"
    assert redactor.value(7) == 7 and redactor.value(None) is None and redactor.text("") == ""


def test_redaction_is_idempotent(redactor: Redactor) -> None:
    once = redactor.value(secret_conversation(SECRETS))
    assert redactor.value(once) == once


def test_json_text_stays_valid_json_even_when_nested() -> None:
    env = {"WEIRD_SECRET": 'quote"and\\backslash-1234'}
    redactor = Redactor(env=env)
    code = 'cfg = {"api_key": "abcdefgh12345", "password": "pa\\"ss"}\nPASSWORD=hunter2hunter2\nok'
    payload = {"code": code, "note": env["WEIRD_SECRET"], "aws": "aws_secret_access_key=" + "Ab1/" * 10}
    text = json.dumps({"arguments": json.dumps(payload)})  # JSON inside JSON: escaped quotes twice
    for layer in (json.dumps(payload), text):
        out = redactor.text(layer)
        json.loads(out)
        for secret in ("abcdefgh12345", "hunter2hunter2", "Ab1/" * 10, "backslash-1234"):
            assert secret not in out, (secret, out)
    assert json.loads(redactor.text(json.dumps(payload)))["note"] == "[REDACTED:WEIRD_SECRET]"


def test_author_is_not_auth() -> None:
    redactor = Redactor(env={"GIT_AUTHOR_NAME": "Alice Liddell", "BASIC_AUTH": "alice:wonderland"})
    assert redactor.text("Alice Liddell alice:wonderland") == "Alice Liddell [REDACTED:BASIC_AUTH]"


@pytest.mark.parametrize("separator", ["\n", "\t", "\r\n", " "])
def test_secrets_after_json_escapes_are_found(redactor: Redactor, separator: str) -> None:
    log = separator.join(["start", *(secret for _, secret in SECRETS), "Bearer opaqueCredential0123456789", "end"])
    once = json.dumps({"output": log})
    twice = json.dumps({"arguments": once})
    for text in (log, once, twice):
        out = redactor.text(text)
        assert leaked(out) == [] and "opaqueCredential0123456789" not in out, out
        if text is not log:
            json.loads(out)

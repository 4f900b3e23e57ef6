"""Hub export against LocalHub: private repo, exact file, idempotence, visibility, errors, auto-share."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from datetime import date
from pathlib import Path

import pytest

from ml_intern_jupyter.traces.auto_share import AutoSharer
from ml_intern_jupyter.traces.hub_export import (
    DATASET_CARD,
    ExportResult,
    HubExporter,
    HubExportError,
    trace_path,
    trace_repo_id,
)
from ml_intern_jupyter.traces.redact import Redactor

from ..hub_server import TEST_TOKEN, LocalHub

DAY = date(2024, 5, 17)
SESSION = "20240517-abc123"
REPO = "alice/ml-intern-sessions"
PATH = f"sessions/2024-05-17/{SESSION}.jsonl"
FALLBACK_SECRETS = ["hf_FakeFakeFakeFakeFakeFakeFakeFake1234", "sk-ant-api03-FAKEfakeFAKEfakeFAKEfake0123456789"]


def trace(text: str = "Train a classifier.") -> str:
    user = {"type": "user", "message": {"role": "user", "content": text}, "uuid": "u1", "parentUuid": None}
    tool = {"type": "tool_use", "id": "t1", "name": "bash", "input": {"command": "ls"}}
    reply = {"role": "assistant", "content": [{"type": "text", "text": "Sure."}, tool]}
    assistant = {"type": "assistant", "message": reply, "uuid": "a1", "parentUuid": "u1"}
    return "".join(json.dumps({**line, "sessionId": SESSION, "timestamp": "t"}) + "\n" for line in (user, assistant))


def exporter(hub: LocalHub, **kwargs) -> HubExporter:
    return HubExporter(token=kwargs.pop("token", TEST_TOKEN), endpoint=hub.endpoint, **kwargs)


def hf_api(hub: LocalHub):
    from huggingface_hub import HfApi  # imported late: the suite's HF_HUB_OFFLINE=1 applies elsewhere

    return HfApi(endpoint=hub.endpoint, token=TEST_TOKEN)


def download(hub: LocalHub, tmp_path: Path, path: str, repo_id: str = REPO, token: str | bool = TEST_TOKEN) -> bytes:
    from huggingface_hub import hf_hub_download

    cache = tmp_path / "hf-cache"
    kwargs = {"repo_type": "dataset", "endpoint": hub.endpoint, "token": token, "cache_dir": cache}
    return Path(hf_hub_download(repo_id, path, **kwargs)).read_bytes()


def commits_to(hub: LocalHub, path: str) -> list[dict]:
    return [commit for commit in hub.repo(REPO).commits if path in commit["paths"]]


def corpus_secrets() -> list[str]:
    """The shared fake-secret corpus (``secret_corpus.py``) when present, else two embedded fakes."""
    try:
        from .secret_corpus import fake_secrets
    except ImportError:
        return FALLBACK_SECRETS
    return [secret for _kind, secret in fake_secrets()]


def test_repo_id_and_path() -> None:
    assert trace_repo_id("{hf_user}/ml-intern-sessions", "alice") == REPO
    assert trace_repo_id("my-org/traces", "alice") == "my-org/traces"
    for bad in ("{user}/x", "{hf_user}", "{hf_user}/a/b", "{hf_user}/-x", "{hf_user}/a--b", "{0}/x"):
        with pytest.raises(ValueError):
            trace_repo_id(bad, "alice")
    assert trace_path(SESSION, DAY) == PATH
    for bad in ("../x", "a/b", "", ".hidden"):
        with pytest.raises(ValueError):
            trace_path(bad, DAY)


async def test_export_creates_private_dataset_with_card_and_exact_file(local_hub: LocalHub, tmp_path: Path) -> None:
    content, seen = trace("héllo ✓") * 500, []
    result = await exporter(local_hub).export(content, SESSION, DAY, progress=lambda *args: seen.append(args))

    url = f"{local_hub.endpoint}/datasets/{REPO}"
    assert result == ExportResult(repo_id=REPO, path_in_repo=PATH, url=url, private=True, changed=True)
    assert local_hub.repo(REPO).private is True
    assert download(local_hub, tmp_path, PATH) == content.encode("utf-8")
    assert seen == [(0, len(content.encode())), (len(content.encode()), len(content.encode()))]
    card = download(local_hub, tmp_path, "README.md").decode()
    assert card == DATASET_CARD
    assert card.startswith("---\n") and "path: sessions/**/*.jsonl" in card and "agent-traces" in card
    files = hf_api(local_hub).list_repo_files(REPO, repo_type="dataset")
    assert sorted(files) == [".gitattributes", "README.md", PATH]


async def test_reexport_of_same_content_changes_nothing(local_hub: LocalHub, tmp_path: Path) -> None:
    hub_exporter = exporter(local_hub)
    await hub_exporter.export(trace(), SESSION, DAY)
    commits = len(local_hub.repo(REPO).commits)

    again = await hub_exporter.export(trace(), SESSION, DAY)

    assert again.changed is False and again.path_in_repo == PATH
    assert len(local_hub.repo(REPO).commits) == commits
    assert len(commits_to(local_hub, PATH)) == 1 and len(commits_to(local_hub, "README.md")) == 1
    assert [p for p in local_hub.repo(REPO).files if p.startswith("sessions/")] == [PATH]


async def test_changed_content_updates_the_file(local_hub: LocalHub, tmp_path: Path) -> None:
    hub_exporter = exporter(local_hub)
    await hub_exporter.export(trace("first"), SESSION, DAY)
    result = await hub_exporter.export(trace("second"), SESSION, DAY)

    assert result.changed is True
    assert download(local_hub, tmp_path, PATH) == trace("second").encode()
    assert len(commits_to(local_hub, PATH)) == 2
    assert [p for p in local_hub.repo(REPO).files if p.startswith("sessions/")] == [PATH]


async def test_visibility_is_reported_and_flipped(local_hub: LocalHub, tmp_path: Path) -> None:
    hub_exporter = exporter(local_hub)
    assert await hub_exporter.visibility() is None
    await hub_exporter.export(trace(), SESSION, DAY)
    assert await hub_exporter.visibility() is True

    status = await hub_exporter.set_visibility(False)

    assert (status.repo_id, status.private, status.changed) == (REPO, False, True)
    assert local_hub.repo(REPO).private is False
    assert await hub_exporter.visibility() is False
    assert download(local_hub, tmp_path, PATH, token=False) == trace().encode()  # public: anyone can read
    assert (await hub_exporter.set_visibility(False)).changed is False
    assert (await hub_exporter.set_visibility(True)).private is True
    assert local_hub.repo(REPO).private is True


async def test_existing_public_repo_is_never_made_private_by_export(local_hub: LocalHub) -> None:
    hf_api(local_hub).create_repo(REPO, repo_type="dataset", private=False)

    result = await exporter(local_hub).export(trace(), SESSION, DAY)

    assert result.private is False and local_hub.repo(REPO).private is False
    assert not any(r.path.endswith("/settings") for r in local_hub.requests)


async def test_template_changes_the_repo(local_hub: LocalHub) -> None:
    result = await exporter(local_hub, template="{hf_user}/my-traces").export(trace(), SESSION, DAY)
    assert result.repo_id == "alice/my-traces" and local_hub.repo("alice/my-traces").private is True

    local_hub.requests.clear()
    fixed = await exporter(local_hub, template="alice/fixed-traces").export(trace(), SESSION, DAY)
    assert fixed.repo_id == "alice/fixed-traces"
    assert not any(r.path == "/api/whoami-v2" for r in local_hub.requests)


async def test_missing_token_or_offline_mode_says_how_to_fix(local_hub: LocalHub, monkeypatch) -> None:
    with pytest.raises(HubExportError, match=r"HF_TOKEN.*huggingface-cli login"):
        await HubExporter(token=None, endpoint=local_hub.endpoint).export(trace(), SESSION, DAY)
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(HubExportError, match="HF_HUB_OFFLINE"):
        await exporter(local_hub).export(trace(), SESSION, DAY)
    assert local_hub.requests == []


async def test_token_from_environment(local_hub: LocalHub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_TOKEN", TEST_TOKEN)
    result = await HubExporter(token=None).export(trace(), SESSION, DAY)  # endpoint from HF_ENDPOINT
    assert result.url.startswith(local_hub.endpoint)


async def test_rejected_token_is_a_401_export_error(local_hub: LocalHub) -> None:
    with pytest.raises(HubExportError, match="HF_TOKEN") as info:
        await exporter(local_hub, token="hf_wrongwrongwrongwrongwrongwrong00").export(trace(), SESSION, DAY)
    assert info.value.status == 401 and info.value.retryable is False


async def test_server_error_is_retryable_export_error(local_hub: LocalHub) -> None:
    local_hub.fail_next(1, 500, "/commit/")
    with pytest.raises(HubExportError, match="500") as info:
        await exporter(local_hub).export(trace(), SESSION, DAY)
    assert info.value.status == 500 and info.value.retryable is True


async def test_unreachable_hub_is_retryable_export_error(local_hub: LocalHub) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        endpoint = f"http://127.0.0.1:{sock.getsockname()[1]}"  # bound, not listening: refused
        with pytest.raises(HubExportError, match="Could not reach") as info:
            await HubExporter(token=TEST_TOKEN, endpoint=endpoint).export(trace(), SESSION, DAY)
    assert info.value.retryable is True


async def test_hub_calls_run_in_worker_threads(local_hub: LocalHub, monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingface_hub import HfApi

    threads: list[tuple[str, bool]] = []
    for name in ("whoami", "repo_info", "create_repo", "get_paths_info", "upload_file", "update_repo_settings"):
        real = getattr(HfApi, name)

        def spy(self, *args, _real=real, _name=name, **kwargs):
            threads.append((_name, threading.current_thread() is threading.main_thread()))
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(HfApi, name, spy)
    await exporter(local_hub).export(trace(), SESSION, DAY)
    await exporter(local_hub).set_visibility(False)
    assert {name for name, _ in threads} >= {"whoami", "repo_info", "create_repo", "upload_file"}
    assert not any(on_main for _, on_main in threads)


async def test_token_only_goes_to_the_hub_and_no_secret_is_sent(
    local_hub: LocalHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = corpus_secrets()
    monkeypatch.setenv("OPENAI_API_KEY", "sk-proj-FAKEenvSecretValue0123456789abcd")
    raw = trace("keys: " + " ".join(secrets) + " and sk-proj-FAKEenvSecretValue0123456789abcd")
    redacted = Redactor().text(raw)
    connected: list[object] = []
    real_connect = socket.socket.connect

    def spy(self: socket.socket, address: object) -> None:
        connected.append(address)
        real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", spy)
    await exporter(local_hub).export(redacted, SESSION, DAY)
    await exporter(local_hub).set_visibility(False)

    port = int(local_hub.endpoint.rsplit(":", 1)[1])
    assert connected and {tuple(address)[:2] for address in connected} == {("127.0.0.1", port)}
    assert local_hub.requests
    for request in local_hub.requests:
        assert request.headers.get("authorization") == f"Bearer {TEST_TOKEN}"
        sent = request.path + request.query + request.body.decode("utf-8", "replace")
        sent += json.dumps({k: v for k, v in request.headers.items() if k != "authorization"})
        for secret in [*secrets, "sk-proj-FAKEenvSecretValue0123456789abcd"]:
            assert secret not in sent


async def test_auto_sharer_uploads_after_schedule(local_hub: LocalHub, tmp_path: Path) -> None:
    sharer = AutoSharer(exporter(local_hub), base_delay=0.01)
    sharer.schedule(lambda: trace("turn 1"), SESSION, DAY)
    await sharer.drain()
    assert sharer.last_error is None and sharer.last_result is not None
    assert download(local_hub, tmp_path, PATH) == trace("turn 1").encode()


async def test_auto_sharer_retries_after_transient_failures(local_hub: LocalHub, tmp_path: Path) -> None:
    local_hub.fail_next(2, 500, "/commit/")
    sharer = AutoSharer(exporter(local_hub), base_delay=0.01)
    sharer.schedule(trace, SESSION, DAY)
    await sharer.drain()
    assert sharer.last_error is None
    assert sum(r.path.endswith("/commit/main") for r in local_hub.requests) == 4  # card, 2 failures, session
    assert download(local_hub, tmp_path, PATH) == trace().encode()


async def test_auto_sharer_coalesces_to_the_newest_snapshot(local_hub: LocalHub, tmp_path: Path) -> None:
    sharer = AutoSharer(exporter(local_hub), base_delay=0.01)
    for turn in range(5):
        sharer.schedule(lambda turn=turn: trace(f"turn {turn}"), SESSION, DAY)
    await sharer.drain()
    assert download(local_hub, tmp_path, PATH) == trace("turn 4").encode()
    assert len(commits_to(local_hub, PATH)) <= 2


async def test_auto_sharer_never_raises_and_gives_up(local_hub: LocalHub) -> None:
    rejected = AutoSharer(exporter(local_hub, token="hf_wrongwrongwrongwrongwrongwrong00"), base_delay=0.01)
    rejected.schedule(trace, SESSION, DAY)
    await rejected.drain()
    assert isinstance(rejected.last_error, HubExportError) and rejected.last_error.status == 401
    assert sum(r.path == "/api/whoami-v2" for r in local_hub.requests) == 1  # 401 is not retried

    local_hub.fail_next(10, 503, "/commit/")
    failing = AutoSharer(exporter(local_hub), attempts=3, base_delay=0.01)
    failing.schedule(trace, SESSION, DAY)
    await failing.drain()
    assert isinstance(failing.last_error, HubExportError) and failing.last_error.status == 503
    assert sum(r.path.endswith("/commit/main") for r in local_hub.requests) == 3


async def test_auto_sharer_can_be_cancelled_while_waiting_to_retry(local_hub: LocalHub) -> None:
    local_hub.fail_next(10, 500, "/commit/")
    sharer = AutoSharer(exporter(local_hub), base_delay=30)
    sharer.schedule(trace, SESSION, DAY)
    for _ in range(200):
        if sharer.last_error is not None:
            break
        await asyncio.sleep(0.02)
    await asyncio.wait_for(sharer.aclose(), 2)
    assert not sharer.busy

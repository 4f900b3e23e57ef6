"""Kill the kernel mid-turn, start a new one, `%intern resume`: every completed message is back."""

from __future__ import annotations

import json
import signal
from pathlib import Path

from .kernel_driver import KernelDriver, isolated_kernel_env

AGENT = "get_ipython().magics_manager.registry['InternMagics'].agent"


def kernel_env(home: Path) -> dict[str, str]:
    return isolated_kernel_env(home)


def test_killed_kernel_loses_no_completed_message(tmp_path: Path):
    script = tmp_path / "crash.json"
    script.write_text(
        json.dumps(
            {
                "turns": [
                    {
                        "text": "step one",
                        "tool_calls": [{"name": "python", "arguments": {"code": "print('one done')"}}],
                    },
                    {
                        "text": "step two",
                        "tool_calls": [{"name": "python", "arguments": {"code": "import time\ntime.sleep(120)"}}],
                    },
                    {"text": "never reached"},
                ]
            }
        )
    )
    first = KernelDriver(env=kernel_env(tmp_path), cwd=str(tmp_path))
    try:
        first.run("%load_ext ml_intern_jupyter")
        run = first.start(f"%%intern --yolo --model scripted/{script}\ndo two steps")
        first.pump(run, until=lambda r: "time.sleep(120)" in r.text() and "one done" in r.text(), timeout=60)
    finally:
        first.km.signal_kernel(signal.SIGKILL)  # no clean shutdown
        first.km.cleanup_resources()
        first.kc.stop_channels()

    [record] = list((tmp_path / "data" / "sessions").glob("*.jsonl"))
    session_id = record.stem
    second = KernelDriver(env=kernel_env(tmp_path), cwd=str(tmp_path))
    try:
        second.run("%load_ext ml_intern_jupyter")
        history = second.run("%intern history").text()
        assert session_id in history and "do two steps" in history
        resumed = second.run(f"%intern resume {session_id[:-2]}").text()
        assert f"Resumed `{session_id}`" in resumed
        out = second.run(f"import json; print(json.dumps({AGENT}.session().history.messages()[1:]))").text()
        messages = json.loads(out.strip().splitlines()[-1])
        assert [m["role"] for m in messages] == ["user", "assistant", "tool", "assistant", "tool"]
        assert messages[0]["content"] == "do two steps"
        assert messages[1]["content"] == "step one" and "one done" in messages[2]["content"]
        assert messages[3]["content"] == "step two"
        assert "interrupted" in messages[4]["content"]  # the call that was running when the kernel died
    finally:
        second.close()

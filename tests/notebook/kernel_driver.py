"""Drive a real ipykernel with jupyter_client: run cells, watch iopub, click widget buttons."""

from __future__ import annotations

import os
import queue
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_client.manager import KernelManager


@dataclass
class CellRun:
    """Everything iopub said about one execute request."""

    msg_id: str
    messages: list[dict[str, Any]] = field(default_factory=list)
    reply: dict[str, Any] | None = None

    def outputs(self, *types: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if not types or m["msg_type"] in types]

    def text(self) -> str:
        """All text/plain and stream text of the cell, in order."""
        parts = []
        for m in self.messages:
            content = m["content"]
            if m["msg_type"] == "stream":
                parts.append(content["text"])
            elif m["msg_type"] in ("display_data", "update_display_data", "execute_result"):
                parts.append(content["data"].get("text/plain", ""))
            elif m["msg_type"] == "error":
                parts.append("\n".join(content["traceback"]))
        return "\n".join(parts)

    def html(self) -> str:
        """All text/html of the cell's displays, in order."""
        return "\n".join(
            m["content"]["data"].get("text/html", "")
            for m in self.messages
            if m["msg_type"] in ("display_data", "update_display_data", "execute_result")
        )


class KernelDriver:
    """A started kernel plus a blocking client."""

    def __init__(self, env: dict[str, str] | None = None, cwd: str | None = None) -> None:
        self.km = KernelManager(kernel_name="python3")
        self.km.start_kernel(env=env, cwd=cwd)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)
        self.comms: dict[str, dict[str, Any]] = {}  # comm_id -> widget state at open
        self._runs: dict[str, CellRun] = {}  # every started run gets its messages, whoever pumps
        self.panels: dict[str, list[dict[str, Any]]] = {}  # chat panel comm_id -> what the kernel sent it
        self.home: Path | None = None

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)

    def _drain(self, timeout: float) -> dict[str, Any] | None:
        try:
            msg = self.kc.get_iopub_msg(timeout=timeout)
        except queue.Empty:
            return None
        if msg["msg_type"] == "comm_open":
            self.comms[msg["content"]["comm_id"]] = msg["content"].get("data", {}).get("state", {})
        if msg["msg_type"] == "comm_msg" and msg["content"]["comm_id"] in self.panels:
            self.panels[msg["content"]["comm_id"]].append(msg["content"]["data"])
        elif msg["msg_type"] == "comm_msg" and msg["content"]["data"].get("method") == "update":
            self.comms.setdefault(msg["content"]["comm_id"], {}).update(msg["content"]["data"].get("state", {}))
        return msg

    def start(self, code: str) -> CellRun:
        """Send an execute request without waiting."""
        run = CellRun(self.kc.execute(code, allow_stdin=False))
        self._runs[run.msg_id] = run
        return run

    def pump(self, run: CellRun, until=None, timeout: float = 60) -> CellRun:
        """Collect iopub for ``run`` until ``until(run)`` holds, or the cell is idle and replied."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = self._drain(0.1)
            owner = self._runs.get(msg["parent_header"].get("msg_id")) if msg is not None else None
            if owner is not None:
                owner.messages.append(msg)
            if run.reply is None:
                try:
                    reply = self.kc.get_shell_msg(timeout=0.01)
                    owner = self._runs.get(reply["parent_header"].get("msg_id"))
                    if owner is not None:
                        owner.reply = reply
                except queue.Empty:
                    pass
            if until is not None and until(run):
                return run
            if until is None and run.reply is not None and self._idle(run):
                return run
        raise TimeoutError(f"cell did not finish in {timeout}s; got {run.text()[-2000:]}")

    @staticmethod
    def _idle(run: CellRun) -> bool:
        return any(m["msg_type"] == "status" and m["content"]["execution_state"] == "idle" for m in run.messages)

    def run(self, code: str, timeout: float = 60) -> CellRun:
        """Execute and wait for the reply."""
        return self.pump(self.start(code), timeout=timeout)

    def buttons(self, description_prefix: str) -> list[str]:
        """Comm ids of Button widgets whose label starts with the prefix, oldest first."""
        return [
            cid
            for cid, state in self.comms.items()
            if state.get("_model_name") == "ButtonModel" and state.get("description", "").startswith(description_prefix)
        ]

    def approval_cards(self) -> list[str]:
        """Comm ids of the approval cards (anywidgets), oldest first."""
        return [
            cid
            for cid, state in self.comms.items()
            if str(state.get("_anywidget_id", "")).endswith("approval.ApprovalCard")
        ]

    def decide(self, comm_id: str, decision: str, feedback: str = "", code: str | None = None) -> None:
        """What the approval card's browser code sends on a click: the decision with what is on screen."""
        content = {"event": "decide", "decision": decision, "feedback": feedback, "code": code}
        self._comm_msg(comm_id, {"method": "custom", "content": content})

    def anywidgets(self, suffix: str) -> list[str]:
        """Comm ids of anywidgets whose class path ends with ``suffix``, oldest first."""
        return [cid for cid, state in self.comms.items() if str(state.get("_anywidget_id", "")).endswith(suffix)]

    def output_widget_text(self) -> str:
        """The text/plain of every Output widget's current outputs (the widget panel's conversation)."""
        parts = []
        for state in self.comms.values():
            for output in state.get("outputs", ()) if state.get("_model_name") == "OutputModel" else ():
                parts.append(str(output.get("data", {}).get("text/plain", output.get("text", ""))))
        return "\n".join(parts)

    def widgets(self, model_name: str) -> list[str]:
        return [cid for cid, state in self.comms.items() if state.get("_model_name") == model_name]

    def click(self, comm_id: str) -> None:
        """What the front end sends when a button is clicked."""
        self._comm_msg(comm_id, {"method": "custom", "content": {"event": "click"}})

    def set_value(self, comm_id: str, value: Any) -> None:
        """What the front end sends when a text widget changes."""
        self._comm_msg(comm_id, {"method": "update", "state": {"value": value}, "buffer_paths": []})

    def _comm_msg(self, comm_id: str, data: dict[str, Any]) -> None:
        msg = self.kc.session.msg("comm_msg", {"comm_id": comm_id, "data": data})
        self.kc.shell_channel.send(msg)

    # -- the chat panel's side of the ``ml_intern`` comm ------------------------------------
    def open_panel(self, data: dict[str, Any] | None = None) -> str:
        """Open an ``ml_intern`` comm as the sidebar does; returns its comm id."""
        import uuid

        comm_id = uuid.uuid4().hex
        self.panels[comm_id] = []
        msg = self.kc.session.msg("comm_open", {"comm_id": comm_id, "target_name": "ml_intern", "data": data or {}})
        self.kc.shell_channel.send(msg)
        return comm_id

    def panel_send(self, comm_id: str, data: dict[str, Any]) -> None:
        """A message from the panel (``hello``, ``op``, ``notebook_reply`` ...)."""
        self._comm_msg(comm_id, data)

    def close_panel(self, comm_id: str) -> None:
        self.kc.shell_channel.send(self.kc.session.msg("comm_close", {"comm_id": comm_id, "data": {}}))

    def pump_panel(self, comm_id: str, until, timeout: float = 60) -> list[dict[str, Any]]:
        """Read iopub (every run still gets its messages) until ``until(messages)`` holds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = self._drain(0.1)
            owner = self._runs.get(msg["parent_header"].get("msg_id")) if msg is not None else None
            if owner is not None:
                owner.messages.append(msg)
            if until(self.panels[comm_id]):
                return self.panels[comm_id]
        raise TimeoutError(f"the panel did not get what it waited for in {timeout}s: {self.panels[comm_id][-5:]}")

    def interrupt(self) -> None:
        self.km.interrupt_kernel()


@contextmanager
def started_kernel(home: Path, **env: str) -> Iterator[KernelDriver]:
    """A kernel in ``home`` (isolated env plus ``env``) with the extension loaded; ``driver.home`` is ``home``."""
    driver = KernelDriver(env=isolated_kernel_env(home, **env), cwd=str(home))
    driver.home = home
    try:
        reply = driver.run("%load_ext ml_intern_jupyter").reply
        assert reply is not None and reply["content"]["status"] == "ok", reply
        yield driver
    finally:
        driver.close()


def isolated_kernel_env(home: Path, **extra: str) -> dict[str, str]:
    """The test process's environment without keys, tokens or ML_INTERN_*/HF_* settings, data under ``home``."""
    dropped = ("ML_INTERN", "HF_")
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_TOKEN")) and not k.startswith(dropped)}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        ML_INTERN_DATA_DIR=str(home / "data"),
        LITELLM_LOCAL_MODEL_COST_MAP="True",
        HF_HUB_DISABLE_TELEMETRY="1",
    )
    env.update(extra)
    return env

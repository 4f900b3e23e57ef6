"""A real ``jupyter lab`` on 127.0.0.1 and Debian's Chromium, for the browser tests."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat

from ..notebook.kernel_driver import isolated_kernel_env

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TOKEN = "ml-intern-browser-tests"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/apputils-extension/themes.jupyterlab-settings": {"theme": "JupyterLab Light"},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Lab:
    """A running JupyterLab (or, with ``app="notebook"``, Notebook 7) server with its own home,
    settings, data dir and notebook folder."""

    def __init__(self, base: Path, app: str = "jupyterlab", env: dict[str, str] | None = None) -> None:
        self.app = app
        self.root = base / "root"
        self.home = base / "home"
        self.settings = base / "settings"
        for folder in (self.root, self.home, self.settings):
            folder.mkdir(parents=True, exist_ok=True)
        for name, value in SETTINGS.items():
            path = self.settings / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(value))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        settings = {"HF_HUB_OFFLINE": "1", "JUPYTERLAB_SETTINGS_DIR": str(self.settings), **(env or {})}
        env = isolated_kernel_env(self.home, **settings)
        command = [
            sys.executable, "-m", app, "--no-browser", "--allow-root", f"--ServerApp.port={self.port}",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.token={TOKEN}", f"--ServerApp.root_dir={self.root}",
            "--ServerApp.open_browser=False", "--LabApp.news_url=", "--ServerApp.disable_check_xsrf=True",
        ]  # fmt: skip
        self.log = (base / "lab.log").open("w")
        self.process = subprocess.Popen(command, cwd=self.root, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait()

    def _wait(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status?token={TOKEN}", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise TimeoutError("jupyter lab did not start")

    def notebook_url(self, name: str) -> str:
        if self.app == "notebook":
            return f"{self.url}/notebooks/{name}?token={TOKEN}"
        return f"{self.url}/lab/tree/{name}?reset&token={TOKEN}"  # reset: only this notebook is open

    def kernel_connected(self, name: str) -> bool:
        """Whether the server has an idle kernel for notebook ``name`` with a browser connected to it."""
        with urllib.request.urlopen(f"{self.url}/api/sessions?token={TOKEN}", timeout=5) as response:
            sessions = json.load(response)
        return any(
            s.get("path") == name and s["kernel"].get("execution_state") == "idle" and s["kernel"].get("connections", 0)
            for s in sessions
        )

    def write_notebook(self, name: str, cells: list[str]) -> str:
        """Write a notebook of code cells (a ``# md`` first line makes a Markdown cell)."""
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.cells = [
            nbformat.v4.new_markdown_cell(c[5:]) if c.startswith("# md\n") else nbformat.v4.new_code_cell(c)
            for c in cells
        ]
        nbformat.write(nb, self.root / name)
        return name

    def write_script(self, name: str, turns: list[dict]) -> str:
        """A scripted-model file in the notebook folder; returns its model id."""
        (self.root / name).write_text(json.dumps({"turns": turns}))
        return f"scripted/{name}"

    def set_theme(self, theme: str) -> None:
        body = json.dumps({"raw": json.dumps({"theme": theme})}).encode()
        request = urllib.request.Request(
            f"{self.url}/lab/api/settings/@jupyterlab/apputils-extension:themes?token={TOKEN}",
            data=body,
            method="PUT",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10):
            pass

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()

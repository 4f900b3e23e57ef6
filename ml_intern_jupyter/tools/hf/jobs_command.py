"""The image and command of an HF Job: a uv script (URL, local file or inline code) or a Docker command."""

from __future__ import annotations

import base64
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import HubToolError

UV_IMAGE = "ghcr.io/astral-sh/uv:python3.12-bookworm"
DOCKER_IMAGE = "python:3.12"
MAX_INLINE_SCRIPT_BYTES = 256 * 1024
REMOTE_SCRIPT = "/tmp/ml_intern_job.py"
DEFAULT_ENV = {
    "PYTHONUNBUFFERED": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TQDM_DISABLE": "1",
    "UV_NO_PROGRESS": "1",
}


@dataclass(frozen=True)
class JobCommand:
    """What the job runs; ``summary`` is what the approval card and the result show."""

    image: str
    command: list[str]
    summary: str


def _uv_args(arguments: dict[str, Any]) -> list[str]:
    args = []
    for dependency in arguments.get("dependencies") or []:
        args += ["--with", str(dependency)]
    if arguments.get("python"):
        args += ["--python", str(arguments["python"])]
    return args


def _script_source(script: str, workdir: Path) -> tuple[str, str]:
    """``(source code, label)``: a local ``.py`` file's content, or ``script`` itself as inline code."""
    if "\n" not in script and script.strip().endswith(".py"):
        path = Path(script.strip()).expanduser()
        path = path if path.is_absolute() else workdir / path
        if not path.is_file():
            raise HubToolError(
                f"script {script!r} is not a file (looked in {path.parent}); "
                "pass the code itself, a URL, or the path of an existing file."
            )
        return path.read_text(encoding="utf-8"), str(path)
    return script, "inline script"


def build_command(arguments: dict[str, Any], workdir: Path) -> JobCommand:
    """Exactly one of ``script`` (uv) or ``command`` (Docker); reads a local script file."""
    script, command = arguments.get("script"), arguments.get("command")
    if bool(script) == bool(command):
        raise HubToolError("Pass exactly one of 'script' (Python run with uv) or 'command' (a Docker command list).")
    if command:
        if not isinstance(command, list) or not all(isinstance(part, str) for part in command):
            raise HubToolError("command must be a list of strings, e.g. ['python', '-c', 'print(1)'].")
        image = arguments.get("image") or DOCKER_IMAGE
        return JobCommand(image, list(command), f"{image}: {shlex.join(command)}")
    script_args = [str(arg) for arg in arguments.get("script_args") or []]
    image = arguments.get("image") or UV_IMAGE
    uv = ["uv", "run", *_uv_args(arguments)]
    if script.startswith(("https://", "http://")):
        return JobCommand(image, [*uv, script, *script_args], f"uv run {script}")
    source, label = _script_source(script, workdir)
    encoded = base64.b64encode(source.encode("utf-8")).decode("ascii")
    if len(encoded) > MAX_INLINE_SCRIPT_BYTES:
        raise HubToolError(f"The script is too large to inline ({len(source):,} bytes); host it and pass its URL.")
    run = shlex.join([*uv, REMOTE_SCRIPT, *script_args])
    shell = f"echo {encoded} | base64 -d > {REMOTE_SCRIPT} && exec {run}"
    lines = source.count("\n") + 1
    return JobCommand(
        image, ["/bin/sh", "-c", shell], f"uv run {label} ({lines} lines) {shlex.join(script_args)}".strip()
    )


def job_env(arguments: dict[str, Any]) -> dict[str, str]:
    """Default environment (unbuffered output, no progress bars) overridden by ``env``."""
    env = arguments.get("env") or {}
    if not isinstance(env, dict):
        raise HubToolError("env must be an object of NAME: value strings.")
    return {**DEFAULT_ENV, **{str(key): str(value) for key, value in env.items()}}

"""The ``bash`` tool: run a shell command in its own process group, streaming output."""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import os
import signal
from typing import Any

from ..spec import ToolContext, ToolResult, ToolSpec
from ._output import StreamTranscript

KILL_GRACE_SECONDS = 1.0
"""How long a killed process group gets between SIGTERM and SIGKILL."""

DRAIN_GRACE_SECONDS = 1.0
"""How long to keep reading after bash exits (background jobs may hold the pipe)."""

_COLLECT_SECONDS = 0.2
_CHUNK_BYTES = 65_536

DESCRIPTION = """\
Run a shell command with bash in the session's working directory and return its combined \
stdout and stderr followed by the exit code.

- Output lines stream to the user while the command runs; the returned text keeps the \
head and tail of long output (about 30,000 characters).
- There is no timeout by default, so long jobs such as training runs are fine. Pass \
`timeout` (seconds) to kill the command and everything it started if it runs longer.
- Each call is a fresh shell: `cd` and exported variables do not carry over. Chain \
commands with `&&` or use absolute paths.
- stdin is closed: never run interactive programs (editors, pagers, prompts); pass flags \
such as `-y` instead.
- Prefer the `read`, `write` and `edit` tools for looking at and changing files."""

PARAMETERS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "command": {"type": "string", "description": "The command to run (bash syntax)."},
        "timeout": {
            "type": "number",
            "exclusiveMinimum": 0,
            "description": "Optional limit in seconds; the whole process group is killed after it. Default: no limit.",
        },
        "description": {
            "type": "string",
            "description": "Optional 5-10 word summary of what the command does, shown to the user.",
        },
    },
    "required": ["command"],
    "additionalProperties": False,
}


def make_bash_tool() -> ToolSpec:
    """The ``bash`` tool spec."""
    return ToolSpec(
        name="bash",
        description=DESCRIPTION,
        parameters=PARAMETERS,
        handler=run_bash,
        needs_approval=True,
        approval_reason="runs a shell command",
    )


async def run_bash(arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
    """Handler of the ``bash`` tool."""
    command = arguments["command"]
    timeout = arguments.get("timeout")
    read_fd, write_fd = os.pipe()  # our own pipe: we can stop reading if a background job holds it
    try:
        stream, transport = await _open_reader(read_fd)
    except BaseException:
        os.close(write_fd)
        raise
    try:
        return await _run(command, timeout, write_fd, stream, ctx)
    finally:
        transport.close()


async def _run(
    command: str, timeout: float | None, write_fd: int, stream: asyncio.StreamReader, ctx: ToolContext
) -> ToolResult:
    try:
        proc = await asyncio.create_subprocess_exec(
            "bash",
            "-c",  # not a login shell: /etc/profile would reset PATH and drop the venv
            command,
            cwd=ctx.workdir,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=write_fd,
            stderr=write_fd,
            start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    except OSError as exc:
        return ToolResult(f"Could not start bash in {ctx.workdir}: {exc}", ok=False)
    finally:
        os.close(write_fd)

    transcript = StreamTranscript()
    reader = asyncio.create_task(_read_output(stream, transcript, ctx))
    try:
        async with asyncio.timeout(timeout):
            code = await proc.wait()
            await _drain(reader, transcript, ctx)
    except TimeoutError:
        await terminate_group(proc)
        await asyncio.wait({reader}, timeout=_COLLECT_SECONDS)  # collect the last lines
        footer = f"[timed out after {timeout:g} s; the command's process group was killed]"
        return ToolResult(_render(transcript, footer, ctx), ok=False)
    except asyncio.CancelledError:
        await terminate_group(proc)
        raise
    finally:
        reader.cancel()
    return ToolResult(_render(transcript, _exit_footer(code), ctx), ok=code == 0)


async def _open_reader(fd: int) -> tuple[asyncio.StreamReader, asyncio.BaseTransport]:
    loop = asyncio.get_running_loop()
    stream = asyncio.StreamReader()
    transport, _ = await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(stream), os.fdopen(fd, "rb", buffering=0)
    )
    return stream, transport


async def _read_output(stream: asyncio.StreamReader, transcript: StreamTranscript, ctx: ToolContext) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    while chunk := await stream.read(_CHUNK_BYTES):
        for line in transcript.feed(decoder.decode(chunk)):
            ctx.log(line)
    for line in transcript.feed(decoder.decode(b"", final=True)):
        ctx.log(line)


async def _drain(reader: asyncio.Task, transcript: StreamTranscript, ctx: ToolContext) -> None:
    """After exit, wait briefly for EOF: a background job may keep the pipe open."""
    done, _ = await asyncio.wait({reader}, timeout=DRAIN_GRACE_SECONDS)
    if not done:
        reader.cancel()
        note = "[background processes still hold the output open; stopped reading]"
        for line in [*transcript.close(), *transcript.feed(note + "\n")]:
            ctx.log(line)


async def terminate_group(proc: asyncio.subprocess.Process, grace: float = KILL_GRACE_SECONDS) -> None:
    """SIGTERM the process group, then SIGKILL whatever is left after ``grace`` seconds."""
    _signal_group(proc.pid, signal.SIGTERM)
    try:
        await asyncio.wait_for(proc.wait(), grace)
    except TimeoutError:
        _signal_group(proc.pid, signal.SIGKILL)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(proc.wait(), grace)  # reap it
    finally:
        _signal_group(proc.pid, signal.SIGKILL)  # leftovers, even if cancelled again meanwhile


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _exit_footer(code: int) -> str:
    if code < 0:
        try:
            return f"[exit code {code}: killed by {signal.Signals(-code).name}]"
        except ValueError:
            pass
    return f"[exit code {code}]"


def _render(transcript: StreamTranscript, footer: str, ctx: ToolContext) -> str:
    for line in transcript.close():
        ctx.log(line)
    body = transcript.render()
    return f"{body}\n{footer}" if body else f"(no output)\n{footer}"

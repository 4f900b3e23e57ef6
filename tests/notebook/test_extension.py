"""Loading the extension: fast, no litellm, transformer awaits only %intern calls."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ml_intern_jupyter.notebook.options import UsageError, parse_cell_options
from ml_intern_jupyter.notebook.transform import await_intern_magics

from ..conftest import GENEROUS_SECONDS


def test_load_ext_is_fast_and_does_not_import_litellm():
    code = (
        "import sys, time\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "ip = InteractiveShell.instance()\n"
        "t = time.perf_counter()\n"
        "ip.run_line_magic('load_ext', 'ml_intern_jupyter')\n"
        "print(time.perf_counter() - t, 'litellm' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert float(out[0]) < GENEROUS_SECONDS  # bench/interrupts.py measures it (~0.25 s)
    assert out[1] == "False"


def test_transformer_awaits_only_intern_magic_calls():
    lines = [
        "get_ipython().run_cell_magic('intern', '--yolo', 'hi\\n')\n",
        "get_ipython().run_line_magic('time', 'x')\n",
        "x = 1\n",
    ]
    out = await_intern_magics(lines)
    assert out[0].startswith("await get_ipython().run_cell_magic('intern'")
    assert out[1:] == lines[1:]


def test_cell_options_parse_and_reject_bad_input():
    opts = parse_cell_options("--model m --max-iterations 3 --yolo --no-stream --new --session s --background")
    assert (opts.model, opts.max_iterations, opts.yolo, opts.no_stream, opts.new, opts.session, opts.background) == (
        "m",
        3,
        True,
        True,
        True,
        "s",
        True,
    )
    for bad in ("--max-iterations 0", "--bogus", "--model", "'unclosed"):
        with pytest.raises(UsageError, match="Usage"):
            parse_cell_options(bad)

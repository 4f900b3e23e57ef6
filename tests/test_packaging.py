"""The wheel carries the prebuilt JupyterLab sidebar: installed, JupyterLab lists it enabled and OK."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import need_local_extra

REPO = Path(__file__).resolve().parents[1]
BUILT = REPO / "ml_intern_jupyter" / "labextension" / "package.json"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    need_local_extra("hatchling", "hatch_jupyter_builder", "jupyterlab", extra="test")
    if not BUILT.is_file():
        if os.environ.get("CI"):
            pytest.fail("the sidebar is not built: .ci/install builds it with npm")
        pytest.skip("the sidebar is not built (bash .ci/install builds it with npm)")
    out = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out)]
    command.append(str(REPO))
    subprocess.run(command, check=True, capture_output=True, text=True, timeout=600)
    [built] = out.glob("ml_intern_jupyter-*.whl")
    return built


def test_the_wheel_ships_the_prebuilt_extension(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    data = [n for n in names if "/data/share/jupyter/labextensions/ml-intern-jupyter/" in n]
    assert any(n.endswith("ml-intern-jupyter/package.json") for n in data)
    assert any("/static/remoteEntry." in n for n in data)  # the federated module JupyterLab loads
    assert any(n.endswith("ml_intern_jupyter/notebook/static/approval.js") for n in names)


def test_after_installing_the_wheel_jupyterlab_lists_it_enabled_and_ok(wheel: Path, tmp_path: Path) -> None:
    prefix = tmp_path / "prefix"
    # --ignore-installed: with --prefix alone, pip first uninstalls the copy in this venv (the
    # developer's editable install), and every kernel started afterwards can no longer import it.
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--ignore-installed", "-q", "--prefix", str(prefix),
         str(wheel)],
        check=True, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert importable_from_the_repo(tmp_path), "installing the wheel elsewhere must not touch this environment"
    env = {**os.environ, "JUPYTER_PATH": str(prefix / "share" / "jupyter")}
    listed = subprocess.run(
        [sys.executable, "-m", "jupyterlab.labextensions", "list"], capture_output=True, text=True, env=env, timeout=120
    )
    text = listed.stdout + listed.stderr
    line = next(line for line in text.splitlines() if "ml-intern-jupyter" in line and "v0" in line)
    assert "enabled" in line and "OK" in line, text
    assert str(prefix) in text  # found in the installed wheel's data, not only in the dev link


def importable_from_the_repo(cwd: Path) -> bool:
    """Whether a new process (away from the repo, as a kernel is) imports this checkout's package."""
    found = subprocess.run(
        [sys.executable, "-c", "import ml_intern_jupyter as m; print(m.__file__)"],
        cwd=cwd, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    return found.returncode == 0 and found.stdout.strip().startswith(str(REPO))

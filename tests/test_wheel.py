"""A wheel built from what git tracks holds the lessons and pictures, installs into a fresh
virtualenv outside the repository, and from there ``convviz --lesson 6.2`` opens the first
slide on a real (virtual) display.

This is the install a lecturer does (``pip install .`` / ``pipx install .``); the rest of
the suite runs on the editable checkout and would not notice a file missing from the wheel.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 1800  # a hang guard for installs that download, not a speed requirement


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
    return subprocess.run(
        cmd, capture_output=True, text=True, timeout=TIMEOUT, env=env, check=False, **kw
    )


def ok(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 0, f"{proc.args} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout + proc.stderr


def tracked_files() -> list[str]:
    out = ok(run(["git", "ls-files", "-z"], cwd=ROOT))
    return [f for f in out.split("\0") if f and (ROOT / f).is_file()]


def test_ci_runs_the_test_command_the_readme_gives():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    test_section = readme.split("## Test it", 1)[1]
    command = next(ln.strip() for ln in test_section.splitlines() if ln.startswith("    "))
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert command == "bash scripts/setup.sh --test && bash scripts/check.sh"
    assert ci[-1] == command


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The tracked tree copied out (as a clean clone has it), and ``pip wheel .`` run there."""
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    for f in tracked_files():
        (src / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / f, src / f)
    log = ok(run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(base / "dist"),
                  "."], cwd=src))  # fmt: skip
    (wheel,) = (base / "dist").glob("convviz-*.whl")
    return base, src, wheel, log


def expected_data(src: Path) -> set[str]:
    data = src / "resources"
    return {
        "convviz/data/" + p.relative_to(data).as_posix()
        for p in data.rglob("*")
        if p.is_file() and p.suffix in {".toml", ".png", ".md"}
    }


def test_the_wheel_holds_every_module_the_lessons_and_the_pictures(built):
    _, src, wheel, _ = built
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {p.relative_to(src).as_posix() for p in (src / "convviz").rglob("*.py")}
    assert modules <= names, f"missing from the wheel: {sorted(modules - names)}"
    data = expected_data(src)
    assert {"convviz/data/lessons/6.2.toml", "convviz/data/images/coin.png"} <= data
    assert data <= names, f"missing from the wheel: {sorted(data - names)}"
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/", "resources/"))]
    assert not [n for n in names if "__pycache__" in n or n.endswith((".nbi", ".nbc"))]


def test_building_prints_no_warnings(built):
    *_, log = built
    # pip's own "WARNING:" lines about this machine's index configuration are not ours.
    ours = [ln for ln in log.splitlines() if re.search(r"\w+Warning\b|deprecat", ln, re.I)]
    assert not ours, "\n".join(ours)


def test_the_sdist_carries_the_data_and_builds_the_same_wheel(built, tmp_path):
    _, src, wheel, _ = built
    ok(run([sys.executable, "-m", "build", "--outdir", str(tmp_path), "."], cwd=src))
    (sdist,) = tmp_path.glob("convviz-*.tar.gz")
    (from_sdist,) = tmp_path.glob("convviz-*.whl")  # build makes it from the sdist
    with tarfile.open(sdist) as tf:
        members = {m.split("/", 1)[1] for m in tf.getnames() if "/" in m}
    assert {"resources/lessons/6.2.toml", "resources/images/coin.png", "pyproject.toml"} <= members
    assert set(zipfile.ZipFile(from_sdist).namelist()) == set(zipfile.ZipFile(wheel).namelist())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the display is Xvfb (X11)")
def test_installed_in_a_fresh_venv_elsewhere_the_lesson_opens(built, tmp_path):
    from xdisplay import run_app_on_display, virtual_display

    *_, wheel, _ = built
    venv = tmp_path / "venv"
    ok(run([sys.executable, "-m", "venv", str(venv)]))
    py = venv / "bin" / "python"
    ok(run([str(py), "-m", "pip", "install", "-q", str(wheel)], cwd=tmp_path))
    code = "import convviz.resources as r; print(r.__file__); print(r.data_root())"
    where = ok(run([str(py), "-c", code], cwd=tmp_path)).split()
    assert all(Path(p).is_relative_to(venv) for p in where[:2]), where
    assert not any(Path(p).is_relative_to(ROOT) for p in where[:2]), where

    convviz = str(venv / "bin" / "convviz")
    bad = run([convviz, "--zoom", "9999"], cwd=tmp_path)
    assert bad.returncode == 2 and "9999 is outside 50..400" in bad.stderr

    with virtual_display() as display:
        state, title, out = run_app_on_display(
            [convviz, "--lesson", "6.2"], cwd=str(tmp_path), display=display, workdir=str(tmp_path)
        )
    assert (state["lesson"], state["slide"]) == ("6.2", 0), out
    assert title.count("convviz") == 1
    img = np.asarray(Image.open(tmp_path / "screen.png").convert("L"), dtype=np.float64)
    assert img.std() > 10, "the screenshot is blank"
    assert "Traceback" not in out, out

"""Launch ``python main.py`` as a real process on a virtual X display and look at it.

Starts its own Xvfb (``-displayfd`` picks a free display number), waits for
the window with xdotool when it is installed, and has the app save a
screenshot of itself (``CONVVIZ_SCREENSHOT``), which must not be blank.
Skipped, saying why, only when Xvfb is not installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def xvfb():
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb, or bash scripts/setup.sh --test)")
    r, w = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(w), "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
        pass_fds=(w,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(w)
    try:
        with os.fdopen(r) as f:
            number = f.readline().strip()  # written once the server is ready
        if not number:
            pytest.fail("Xvfb started but did not report a display number")
        yield f":{number}"
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _find_window(pid: int, env: dict[str, str]) -> str:
    """The app's visible window id (xdotool), or "" when xdotool is missing."""
    if shutil.which("xdotool") is None:
        return ""
    out = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--pid", str(pid)],
        env=env,
        capture_output=True,
        text=True,
        timeout=5,
    )
    return out.stdout.strip().splitlines()[0] if out.stdout.strip() else ""


def test_app_starts_shows_and_draws(xvfb, tmp_path):
    shot = tmp_path / "screen.png"
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("QT_", "XDG_CONFIG", "WAYLAND"))
    }
    env.update(
        DISPLAY=xvfb,
        QT_QPA_PLATFORM="xcb",
        XDG_CONFIG_HOME=str(tmp_path / "config"),  # never the user's remembered settings
        CONVVIZ_SCREENSHOT=str(shot),
        CONVVIZ_SCREENSHOT_MS="2500",
        CONVVIZ_EXIT_AFTER_MS="12000",
    )
    t0 = time.monotonic()
    app = subprocess.Popen(
        [sys.executable, "main.py", "--reset-settings"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        window = ""
        while time.monotonic() - t0 < 15 and app.poll() is None:
            window = window or _find_window(app.pid, env)
            if (
                shot.exists()
                and shot.stat().st_size > 0
                and (window or not shutil.which("xdotool"))
            ):
                break
            time.sleep(0.2)
        if app.poll() is not None:
            pytest.fail(f"the app exited early ({app.returncode}):\n{app.stdout.read()}")
        if shutil.which("xdotool"):
            assert window, "no visible window appeared"
        assert shot.exists(), "the app saved no screenshot"
    finally:
        app.terminate()
        try:
            out, _ = app.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            app.kill()
            out, _ = app.communicate()
    from PIL import Image

    img = np.asarray(Image.open(shot).convert("RGB"), dtype=np.float64)
    assert img.shape[0] > 400 and img.shape[1] > 600
    assert img.std() > 10, "the screenshot is blank"
    assert "Traceback" not in (out or ""), out

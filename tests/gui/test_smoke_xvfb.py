"""Launch ``python main.py`` as a real process on a virtual X display and look at it.

The display is a private Xvfb (``tests/xdisplay.py``: a free display number,
handed out once it accepts clients). The app saves a screenshot of itself and
its state (``CONVVIZ_SCREENSHOT``); the test waits for them and for the
window, never for a fixed time.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from xdisplay import run_app_on_display, virtual_display

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="Xvfb is a Linux (X11) tool"
)


@pytest.fixture
def display():
    with virtual_display() as d:
        yield d


def look(shot: Path) -> np.ndarray:
    return np.asarray(Image.open(shot).convert("RGB"), dtype=np.float64)


def test_app_starts_shows_and_draws(display, tmp_path):
    state, title, out = run_app_on_display(
        [sys.executable, "main.py", "--reset-settings"],
        cwd=str(ROOT),
        display=display,
        workdir=str(tmp_path),
    )
    assert state["view"] == "window" and state["lesson"] is None
    # "untitled — convviz — Convolutions…": Qt must not append another "— convviz".
    assert title.count("convviz") == 1 and title.endswith("Convolutions for Images (D2L 6.2)")
    img = look(tmp_path / "screen.png")
    assert img.shape[0] > 400 and img.shape[1] > 600
    assert img.std() > 10, "the screenshot is blank"
    assert "Traceback" not in out, out


def test_lesson_and_theme_from_the_command_line(display, tmp_path):
    state, title, out = run_app_on_display(
        [sys.executable, "-m", "convviz", "--lesson", "6.2", "--theme", "dark", "--zoom", "80"],
        cwd=str(ROOT),
        display=display,
        workdir=str(tmp_path),
    )
    assert (state["lesson"], state["slide"]) == ("6.2", 0)
    assert (state["theme"], state["zoom"]) == ("dark", 80)
    assert title.count("convviz") == 1
    assert look(tmp_path / "screen.png").mean() < 128, "the dark theme is not dark"
    assert "Traceback" not in out, out


def test_full_screen_lesson_fits_a_1280x800_projector(tmp_path):
    """The lesson opened from the command line, full screen, zoom 150, on a projector's
    1280×800: the window is the screen's size. (The lesson bar once measured its
    captions before the window was laid out and grew the window to 1458 px.)"""
    with virtual_display("1280x800x24") as display:
        state, _title, out = run_app_on_display(
            [sys.executable, "main.py", "--lesson", "6.2", "--fullscreen", "--zoom", "150"],
            cwd=str(ROOT),
            display=display,
            workdir=str(tmp_path),
        )
    assert state["screen"] == [1280, 800]
    width, height = state["window"]
    assert width <= 1280 and height <= 800, state
    assert "Traceback" not in out, out

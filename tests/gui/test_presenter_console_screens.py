"""The presenter console on two virtual screens: 1920×1080 (the laptop) beside 1280×800.

Qt's offscreen platform reads its screens once, when the application starts,
and conftest.py has started it with one screen for this process; so the
lesson is presented in a child process (``presenter_console_screens.py``)
started with ``QT_QPA_PLATFORM=offscreen:configfile=FILE``, which reports
each check as JSON. The unplugged projector is simulated there by emitting
``QGuiApplication.screenRemoved`` (PySide6 cannot reach the platform's own
screen removal); the window's handler is what that signal reaches.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

HERE = Path(__file__).parent
ROOT = HERE.parents[1]

#: Every check the child process must report, so none can silently go missing.
EXPECTED = {
    "two screens",
    "window starts on the laptop",
    "presenting",
    "stage on the projector",
    "stage fills the projector",
    "stage shows no chrome",
    "console shown",
    "console on the laptop",
    "console fills the laptop",
    "clicker on the stage advances the lesson",
    "console mirrors the click",
    "clicker on the console advances the lesson",
    "browsing the list does not jump",
    "choosing a slide jumps",
    "stage hides the answer",
    "console shows the hidden answer",
    "console shows the hidden result value",
    "console: next click reveals",
    "reveal on the stage",
    "console previews the next build",
    "the stage has not taken that step",
    "typing a note does not move",
    "the note took the keys",
    "swap: stage on the laptop, console on the projector",
    "swap back",
    "choosing the laptop as projector",
    "choosing the projector again",
    "after unplugging: stage on the laptop",
    "after unplugging: stage fills the laptop",
    "after unplugging: same place in the lesson",
    "after unplugging: still presenting",
    "after unplugging: console out of the way",
    "Esc ends presenting",
    "window back as it was",
}


def test_two_screens_stage_on_projector_console_on_laptop(qapp, tmp_path):
    sys.path.insert(0, str(HERE))
    try:
        from presenter_console_screens import SCREENS, screens_config
    finally:
        sys.path.remove(str(HERE))
    cfg = tmp_path / "screens.json"
    cfg.write_text(json.dumps(screens_config()), encoding="utf-8")
    shots = tmp_path / "shots"
    shots.mkdir()
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={cfg}")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    proc = subprocess.run(
        [sys.executable, str(HERE / "presenter_console_screens.py"), "--shots", str(shots)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,  # a hang guard only: nothing here measures time
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    assert lines, f"no result (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr[-3000:]}"
    out = json.loads(lines[-1][len("RESULT ") :])
    checks = out["checks"]
    failed = {k: v[1] for k, v in checks.items() if not v[0]}
    assert not failed, failed
    assert set(checks) == EXPECTED, set(checks) ^ EXPECTED
    # the screenshots are of the two screens' sizes
    sizes = {Path(p).stem: QImage(p).size().toTuple() for p in out["shots"]}
    laptop, projector = (s[3:] for s in SCREENS)
    assert sizes["stage-hidden"] == projector and sizes["stage-revealed"] == projector
    assert sizes["console-hidden"] == laptop and sizes["console-next-build"] == laptop
    assert sizes["stage-after-unplug"] == laptop

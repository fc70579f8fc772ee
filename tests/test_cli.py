"""The command line: bad input gets a usage message and status 2; options hold for one launch."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from convviz.gui import app as cli
from convviz.gui.style import ZOOM_MAX, ZOOM_MIN

ROOT = Path(__file__).resolve().parent.parent


def refused(capsys, argv: list[str]) -> str:
    """Parse ``argv``; it must end in a usage message and status 2. Returns the error line."""
    with pytest.raises(SystemExit) as stop:
        cli.parse_args(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: convviz"), err
    return err.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--view", "nonsense"], "argument --view: invalid choice: 'nonsense'"),
        (["--zoom", "-5"], "argument --zoom: -5 is outside 50..400 percent"),
        (["--zoom", "9999"], "argument --zoom: 9999 is outside 50..400 percent"),
        (["--zoom", "49"], "outside 50..400"),
        (["--zoom", "401"], "outside 50..400"),
        (["--zoom", "1.5"], "'1.5' is not a whole number of percent"),
        (["--theme", "blue"], "argument --theme: invalid choice: 'blue'"),
        (["--lesson", "9.9"], "there is no lesson '9.9' (lessons: 6.2; or give a .toml file)"),
        (["--lesson", "missing.toml"], "there is no lesson file 'missing.toml'"),
        (["--view", "learn", "--lesson", "6.2"], "--view and --lesson cannot be used together"),
        (["--frobnicate"], "unrecognized arguments: --frobnicate"),
    ],
)
def test_bad_input_is_refused_with_usage_and_status_2(capsys, argv, says):
    assert says in refused(capsys, argv)


def test_zoom_limits_are_the_windows_own():
    assert cli.parse_args(["--zoom", str(ZOOM_MIN)]).zoom == ZOOM_MIN
    assert cli.parse_args(["--zoom", str(ZOOM_MAX)]).zoom == ZOOM_MAX


@given(st.text(max_size=30))
def test_any_zoom_text_is_taken_whole_or_refused(text):
    try:
        z = cli.parse_args([f"--zoom={text}"]).zoom
    except SystemExit as stop:
        assert stop.code == 2
    else:
        assert z == int(text) and ZOOM_MIN <= z <= ZOOM_MAX


def test_main_refuses_before_building_anything(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["--zoom", "9999"])
    assert stop.value.code == 2
    from PySide6.QtWidgets import QApplication

    assert not [w for w in QApplication.topLevelWidgets() if w.isVisible()]


def test_help_names_every_view_the_window_has(qtbot, settings, capsys):
    from convviz.gui.main_window import MainWindow

    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    assert list(cli.VIEWS) == list(w.views) == ["window", "edges", "learn", "matrix"]
    with pytest.raises(SystemExit) as stop:
        cli.parse_args(["--help"])
    assert stop.value.code == 0
    text = capsys.readouterr().out
    for key, what in cli.VIEWS.items():
        assert f"  {key:<8}{what}" in text
    for opt in ("--fullscreen", "--zoom", "--theme", "--lesson", "--view", "--reset-settings"):
        assert opt in text
    assert "lessons: 6.2" in text


# ------------------------------------------------------------------ launches
@pytest.fixture
def warnings_shown(monkeypatch):
    """Message boxes the app shows, as (title, text), instead of showing them."""
    from PySide6.QtWidgets import QMessageBox

    shown: list[tuple[str, str]] = []

    def warning(parent, title, text, *rest):
        shown.append((title, text))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", warning)
    return shown


@pytest.fixture
def launch(qtbot, settings, warnings_shown):
    """Start the app in this process as ``convviz <argv>`` would, without its event loop."""
    wins = []

    def go(argv: list[str]):
        _, win = cli.launch(cli.parse_args(argv), settings=settings)
        qtbot.addWidget(win)
        qtbot.waitExposed(win)
        wins.append(win)
        return win

    yield go
    for w in wins:  # the application font and palette are global
        w.style_.set_theme("light")
        w.style_.set_zoom(100)


def test_zoom_and_theme_from_the_command_line_are_not_remembered(launch, settings):
    settings.setValue("zoom", 120)
    settings.setValue("theme", "light")
    win = launch(["--zoom", "150", "--theme", "dark"])
    assert win.style_.zoom == 150 and win.style_.theme.name == "dark"
    win.close()
    assert int(settings.value("zoom")) == 120 and settings.value("theme") == "light"


def test_zoom_and_theme_changed_in_the_window_are_remembered(launch, settings):
    win = launch(["--zoom", "150", "--theme", "dark"])
    win.theme_actions["light"].trigger()
    assert settings.value("theme") == "light"
    assert settings.value("zoom") is None  # the zoom is still the command line's
    win.style_.zoom_in()
    win.close()
    assert int(settings.value("zoom")) == 160 and settings.value("theme") == "light"


def test_view_opens_that_tab(launch):
    win = launch(["--view", "matrix"])
    assert win.current_view_key() == "matrix"


def test_lesson_opens_at_its_first_slide(launch):
    win = launch(["--lesson", "6.2"])
    player = win.lessons.player
    assert player is not None and player.lesson.name == "6.2" and player.index == 0


BAD_LESSONS = {
    "not TOML": ('title = "x"\n[[slide]\n', "not valid TOML"),
    "no slides": ('title = "x"\n', "no slides"),
    "nested deep": ("a = " + "[" * 2000 + "]" * 2000 + "\n", "bad.toml"),
    "not text": (b"\xff\xfe\x00bad", "bad.toml"),
}


@pytest.mark.parametrize("case", list(BAD_LESSONS))
def test_a_broken_lesson_file_opens_the_window_and_says_why(
    qtbot, launch, warnings_shown, tmp_path, capsys, case
):
    content, says = BAD_LESSONS[case]
    bad = tmp_path / "bad.toml"
    if isinstance(content, bytes):
        bad.write_bytes(content)
    else:
        bad.write_text(content, encoding="utf-8")
    win = launch(["--lesson", str(bad)])
    shown = warnings_shown
    assert win.isVisible() and win.lessons.player is None
    assert win.current_view_key() == "window"
    err = capsys.readouterr().err
    assert "convviz: The lesson cannot be opened:" in err and says in err
    qtbot.waitUntil(lambda: bool(shown))  # over the window, once the event loop runs
    assert shown[0][0] == "The lesson cannot be opened" and says in shown[0][1]


def test_a_loader_bug_does_not_stop_the_app(qtbot, launch, warnings_shown, monkeypatch, capsys):
    import convviz.gui.lesson_controller as lc

    def broken(name):
        raise RuntimeError("a bug in the loader")

    monkeypatch.setattr(lc, "load_lesson", broken)
    win = launch(["--lesson", "6.2"])
    shown = warnings_shown
    assert win.isVisible() and win.lessons.player is None
    assert "RuntimeError: a bug in the loader" in capsys.readouterr().err
    qtbot.waitUntil(lambda: bool(shown))
    assert "a bug in the loader" in shown[0][1]


def test_the_command_runs_and_says_what_is_wrong_with_a_lesson(tmp_path):
    """``python -m convviz --lesson bad.toml``: the app opens, says why, and exits cleanly."""
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "x"\n[[slide]\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QT_", "XDG_CONFIG"))}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        CONVVIZ_SCREENSHOT=str(tmp_path / "shot.png"),
        CONVVIZ_SCREENSHOT_MS="0",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "convviz", "--lesson", "bad.toml"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()  # printed once the window is built
        while line and "convviz:" not in line:
            line = proc.stderr.readline()
        assert "convviz: The lesson cannot be opened: bad.toml: not valid TOML" in line
        assert proc.poll() is None, "the app exited instead of opening"
    finally:
        proc.terminate()
        _, rest = proc.communicate(timeout=30)
    assert "Traceback" not in rest


def test_start_up_objects_are_frozen_and_garbage_collected_first():
    """What start-up built leaves the collector's full passes (a 50-60 ms pause inside
    a slide change); a cycle that was already garbage is freed, not frozen for good."""
    import gc
    import weakref

    from convviz.gui.app import freeze_startup_objects

    class Node:
        pass

    cycle = Node()
    cycle.me = cycle
    gone = weakref.ref(cycle)
    del cycle
    alive = [[i] for i in range(1000)]  # tracked objects that live on
    before = gc.get_freeze_count()
    try:
        freeze_startup_objects()
        assert gone() is None
        assert gc.get_freeze_count() >= before + len(alive)
    finally:
        gc.unfreeze()


def test_the_apps_process_draws_text_larger_than_qts_glyph_cache():
    """A 4K stage's titles and captions are 65-95 px: drawn, not blank. (Raising
    QT_MAX_CACHED_GLYPH_SIZE over 64 to cache them made FreeType draw nothing there,
    every title of the 4K lesson; only a real launch's process shows it, as Qt reads
    the variable once.)"""
    code = (
        "import os\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from convviz.gui import app as cli\n"
        "from PySide6.QtWidgets import QLabel\n"
        "qapp, win = cli.launch(cli.parse_args([]))\n"
        "lab = QLabel('Close to the edge')\n"
        "f = lab.font()\n"
        "f.setPixelSize(100)\n"
        "lab.setFont(f)\n"
        "lab.adjustSize()\n"
        "img = lab.grab().toImage()\n"
        "ink = {img.pixel(x, y) for x in range(0, img.width(), 2) for y in range(img.height())}\n"
        "print(len(ink))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "QT_MAX_CACHED_GLYPH_SIZE"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert int(out.stdout.split()[-1]) > 10  # glyphs, antialiased: many shades

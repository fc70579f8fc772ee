"""The classroom set-up: zoom, theme, full screen, undo shortcuts, remembered state."""

from __future__ import annotations

import numpy as np
import pytest
from projection_probe import lesson_window
from PySide6.QtCore import Qt

from convviz.gui.app import parse_args
from convviz.gui.main_window import MainWindow


def test_opens_on_the_sliding_window(window):
    view = window.views["window"]
    assert window.current_view() is view
    assert window.session.step == -1 and window.session.input.shape == (3, 3)


def test_window_state_is_remembered(qtbot, settings):
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.resize(760, 700)
    w.show()
    qtbot.waitExposed(w)
    size = w.size()  # at least the minimum the views need
    w.style_.set_zoom(150)
    w.style_.set_theme("dark")
    w.close()
    assert not settings.value("geometry").isEmpty()
    w2 = MainWindow(settings=settings)
    qtbot.addWidget(w2)
    assert w2.style_.zoom == 150 and w2.style_.theme.name == "dark"
    assert w2.theme_actions["dark"].isChecked()
    screen = w.screen().availableGeometry()  # offscreen: 800×800
    assert size.width() < screen.width() and size.height() < screen.height()  # not clamped
    assert w2.size() == size
    # The command line wins over what was remembered.
    w3 = MainWindow(settings=settings, zoom=120, theme="light")
    qtbot.addWidget(w3)
    assert w3.style_.zoom == 120 and w3.style_.theme.name == "light"
    w4 = MainWindow(settings=settings, reset_settings=True)
    qtbot.addWidget(w4)
    assert w4.style_.zoom == 100


def test_zoom_scales_fonts_and_cells_together(qtbot, window):
    view = window.window_view
    grid = view.input_panel.editor
    window.resize(1900, 1060)
    qtbot.waitUntil(lambda: grid.width() > 0 and grid.cell_size() > 0)
    cell, font = grid.cell_size(), view.arith.sum_label.font().pointSizeF()
    window.style_.zoom_in()  # Ctrl+= does this
    window.style_.zoom_in()
    assert window.style_.zoom == 120
    # The stage's scales are powers of 1.01 (stage.SCALE_STEP): 20 % more, to within a step.
    assert view.arith.sum_label.font().pointSizeF() == pytest.approx(font * 1.2, rel=0.0101)
    qtbot.waitUntil(lambda: grid.cell_size() > cell)  # once the layout has followed
    window.style_.set_zoom(100)


def test_zoom_shortcuts_and_theme_actions(qtbot, window):
    zoom_in = next(a for a in window.menu_view.actions() if a.text() == "Zoom &in")
    zoom_in.trigger()
    assert window.style_.zoom == 110
    window.theme_actions["dark"].trigger()
    assert window.style_.theme.name == "dark"
    view = window.views["window"]
    view.grab()  # the dark theme paints
    pal = window.palette  # it reaches the widgets through the event loop
    qtbot.waitUntil(lambda: pal().color(pal().ColorRole.Window).lightness() < 50)
    assert pal().color(pal().ColorRole.WindowText).lightness() > 200


def test_undo_shortcut_is_not_swallowed_by_the_grid(qtbot, window):
    view = window.views["window"]
    grid = view.input_panel.editor
    window.activateWindow()
    grid.setFocus()
    grid.select(1, 1)
    window.session.set_cell("input", 1, 1, "9")
    assert window.act_undo.isEnabled()
    qtbot.keyClick(grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.session.input[1, 1] == 4
    qtbot.keyClick(
        grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert window.session.input[1, 1] == 9
    view.options_form.pad_r.setFocus()
    qtbot.keyClick(view.options_form.pad_r, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.session.input[1, 1] == 4


def test_fullscreen_toggle(qtbot, window):
    full = Qt.WindowState.WindowFullScreen
    assert not window.windowState() & full
    window.act_fullscreen.trigger()  # F11
    qtbot.waitUntil(lambda: bool(window.windowState() & full))  # the window's real state
    assert window.act_fullscreen.isChecked()
    assert window.geometry() == window.screen().geometry()  # the whole screen, no frame
    window.act_fullscreen.trigger()
    qtbot.waitUntil(lambda: not window.windowState() & full)
    assert not window.act_fullscreen.isChecked()


def test_command_line():
    a = parse_args(["--fullscreen", "--zoom", "150", "--theme", "dark"])
    assert a.fullscreen and a.zoom == 150 and a.theme == "dark"


def test_big_input_at_full_screen_size(qtbot, window):
    window.resize(1920, 1080)
    window.session.set_grid("input", np.random.default_rng(1).integers(-5, 6, (64, 64)))
    window.session.to_end()
    view = window.views["window"]
    assert view.output.values().shape == (63, 63)
    assert view.input_panel.editor.cell_size() >= 3
    view.grab()


def _first_fit_restyles(qtbot, settings, prepared: bool, size=(1920, 1080)) -> dict[str, int]:
    """Restyles of each view's stage on its first slide of the 6.2 lesson, at 1080p."""
    w = lesson_window(qtbot, settings, size)
    qtbot.waitUntil(lambda: w.current_stage().scale() > 1.5)
    if prepared:
        w.prepare_views()
    restyles = {key: 0 for key in w.stages}
    for key, stage in w.stages.items():
        stage.stage_style.sig_changed.connect(
            lambda key=key: restyles.__setitem__(key, restyles[key] + 1)
        )
    first: dict[str, int] = {}
    lc = w.lessons
    for i in range(lc.player.n_slides):
        before = dict(restyles)
        lc.goto(i)
        key = str(w.current_view_key())
        if key not in first:
            qtbot.waitUntil(lambda: w.current_stage().isVisible())
            first[key] = restyles[key] - before[key]
    lc.close()
    assert set(first) == {"window", "edges", "learn", "matrix"}
    del first["window"]  # shown from the start
    return first


def test_views_prepared_while_idle_restyle_less_when_first_shown(qtbot, settings):
    """prepare_views (run by the app once full screen) fits the views not shown yet at
    the current area, so a view's first slide starts from a scale near its own: an
    unprepared view climbs from scale 1 in several restyles, each redrawing all of it."""
    cold = _first_fit_restyles(qtbot, settings, prepared=False)
    warm = _first_fit_restyles(qtbot, settings, prepared=True)
    assert max(warm.values()) <= 2, warm
    assert sum(warm.values()) < sum(cold.values()), (warm, cold)


def test_views_are_prepared_for_the_area_their_own_slides_leave(qtbot, settings):
    """The lesson bar has a height per view (its slides' tallest caption and answer), so
    each view is prepared for the area under its own bar: prepared for the first view's
    area, the learning and matrix views were fitted and restyled again on their first
    slide at 4K (20 ms of the learning view's first change)."""
    warm = _first_fit_restyles(qtbot, settings, prepared=True, size=(3840, 2160))
    assert warm["learn"] == 0 and warm["matrix"] == 0, warm

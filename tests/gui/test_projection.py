"""Projection: every slide and build of the lesson, as a class would see it.

Walks the 6.2 lesson at the commonest beamer (1280×800), 1080p and 4K, at
zoom 100/150/200, and checks what the back row needs: the window fits the
screen, everything to be read is at least 2.2 % of the screen height tall
(plot labels 1.6 %), a revealed output's cells are no smaller than the
input's, the arithmetic is folded only at a term boundary, nothing moves
between two builds of one slide, and no label loses part of its text.
Presenting shows no menu, tab, button or status bar. The offscreen screen is
one size, so the window is sized to the simulated screen instead of being
made full screen.
"""

from __future__ import annotations

import pytest
from projection_probe import (
    chrome_on_screen,
    cut_labels,
    cut_plot_texts,
    geometry_snapshot,
    readable_items,
)

from convviz.gui.main_window import MainWindow
from convviz.gui.widgets.arithmetic import ArithmeticView
from convviz.gui.widgets.color_bar import ColorBar

BODY, LABEL = 0.022, 0.016


def make_window(qtbot, settings, size, zoom, theme="light"):
    w = MainWindow(settings=settings, zoom=zoom, theme=theme)
    qtbot.addWidget(w)
    w.enter_fullscreen = lambda: None  # the simulated screen is the window's size
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    w.files.ask_unsaved = lambda answer: answer("discard")
    return w


def settle(qtbot, w) -> None:
    """Let queued layout and fitting run: until the geometry stops changing."""
    snap, same = None, 0
    for _ in range(30):
        qtbot.wait(3)
        now = geometry_snapshot(w)
        same = same + 1 if now == snap else 0
        if same == 2:
            return
        snap = now


def check_state(w, size, where: str, problems: list[str]) -> None:
    sw, sh = size
    if w.width() > sw or w.height() > sh:
        problems.append(f"{where}: window {w.width()}×{w.height()} exceeds the screen {sw}×{sh}")
    for what, px, kind in readable_items(w):
        need = (BODY if kind == "body" else LABEL) * sh
        if px < need - 0.5:
            problems.append(f"{where}: {what} drawn {px} px, needs {need:.1f}")
    view = w.current_view()
    if w.current_view_key() == "window" and view.output.isVisible():
        mask = view.output.mask()
        if mask is not None and mask.any():
            oc, ic = view.output.cell_size(), view.input_panel.editor.cell_size()
            if oc + 0.5 < ic:
                problems.append(f"{where}: output cells {oc:.0f} px < input cells {ic:.0f} px")
    for a in w.current_stage().findChildren(ArithmeticView):
        if not a.isVisible() or not a.lines():
            continue
        lines = a.lines()
        if any(not ln.startswith("+ ") for ln in lines[1:]) or " = " not in lines[-1]:
            problems.append(f"{where}: arithmetic folded off a term boundary: {lines}")
        if a.sum_label.sizeHint().width() > a.sum_label.width() + 1:
            problems.append(f"{where}: arithmetic wider than its room")
    for bar in w.current_stage().findChildren(ColorBar):
        if not bar.isVisible() or not bar.caption:
            continue
        r = bar.caption_rect()
        if not bar.rect().contains(r) or bar.shown_caption() != bar.caption:
            problems.append(
                f"{where}: colour-bar caption {bar.caption!r} clipped: {r} in {bar.rect()}"
            )
    for cut in cut_labels(w.current_stage()):
        problems.append(f"{where}: label cut: {cut}")
    for cut in cut_plot_texts(w.current_stage()):
        problems.append(f"{where}: plot text cut: {cut}")
    bar = w.lessons.bar
    for lab in (bar.caption, bar.answer):
        if lab.isVisible() and lab.text() and lab.heightForWidth(lab.width()) > lab.height():
            problems.append(
                f"{where}: bar text cut: {lab.text()[:40]!r} needs "
                f"{lab.heightForWidth(lab.width())} px, has {lab.height()}"
            )
    if w.current_view_key() == "matrix":
        view = w.current_view()
        if view.matrix_values is not None:
            used, room = view.grids_height(), view.room_for_grids()[1]
            if used < 0.85 * room and not view.grids_width_bound():
                problems.append(f"{where}: matrix grids use {used} of {room} px of height")


def walk(qtbot, w, size, problems: list[str], presenting: bool = False) -> int:
    lc = w.lessons
    assert w.open_lesson("6.2")
    if presenting:
        w.presenting.start()
    settle(qtbot, w)
    w.prepare_views()  # as the app does, once full screen
    states = 0
    last_slide, last_snap = None, None
    stage_heights: dict[str, set[int]] = {}  # by view: the stage keeps its area
    while True:
        p = lc.player
        where = f"{size[0]}×{size[1]} zoom {w.style_.zoom} slide {p.index + 1} build {p.build}"
        settle(qtbot, w)
        check_state(w, size, where, problems)
        stage_heights.setdefault(str(w.current_view_key()), set()).add(w.current_stage().height())
        if presenting:
            chrome = chrome_on_screen(w)
            if chrome:
                problems.append(f"{where}: presenting shows {chrome}")
        snap = geometry_snapshot(w)
        if p.index == last_slide and snap != last_snap:
            moved = sorted(k for k in snap if snap.get(k) != (last_snap or {}).get(k))
            first = moved[0] if moved else ""
            problems.append(
                f"{where}: moved between builds: {moved}; "
                f"{first} {(last_snap or {}).get(first)} -> {snap.get(first)}"
            )
        last_slide, last_snap = p.index, snap
        states += 1
        if p.index == p.n_slides - 1 and p.build >= p.state.builds:
            break
        lc.next()
    for view, heights in stage_heights.items():
        # A stage whose height changes refits and redraws all of it (and moves it).
        if len(heights) > 1:
            problems.append(f"{size[0]}×{size[1]}: the {view} stage changes height: {heights}")
    return states


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080), (3840, 2160)])
@pytest.mark.parametrize("zoom", [100, 150, 200])
def test_every_slide_reads_from_the_back_row(qtbot, settings, size, zoom):
    w = make_window(qtbot, settings, size, zoom)
    problems: list[str] = []
    states = walk(qtbot, w, size, problems)
    w.lessons.close()
    assert states > 20
    assert not problems, "\n".join(problems[:40])


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)])
def test_presenting_shows_only_the_slide(qtbot, settings, size):
    w = make_window(qtbot, settings, size, 150, theme="dark")
    problems: list[str] = []
    walk(qtbot, w, size, problems, presenting=True)
    assert w.presenting.active and not w.menuBar().isVisible()
    w.presenting.stop()
    assert w.menuBar().isVisible() and w.tabs.tabBar().isVisible()
    w.lessons.close()
    assert not problems, "\n".join(problems[:40])

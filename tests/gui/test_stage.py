"""The stage remembers the scale it fitted a composition to: a slide shown again is
restyled once, straight to that scale, and comes out exactly as a fresh fit would."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication


def _settle() -> None:
    app = QApplication.instance()
    for _ in range(8):
        app.processEvents()


def _walk(w, slides, *, forget: bool) -> list[tuple[str, float]]:
    shown = []
    for i in slides:
        if forget:
            for st in w.stages.values():
                st._fitted.clear()
        w.lessons.goto(i)
        _settle()
        shown.append((w.current_view_key(), round(w.current_stage().scale(), 9)))
    return shown


def test_a_slide_shown_again_takes_the_scale_a_fresh_fit_gives(make_window):
    w = make_window(3840, 2160)
    w.enter_fullscreen = lambda: None  # the simulated screen is the window's size
    w.style_.set_zoom(150)  # as bench_ui.py: slides shrink from the target to fit
    assert w.open_lesson("6.2")
    w.presenting.start()  # as a lecturer shows it: the grids and the sum only
    _settle()
    slides = [0, 3, 4, 14, 28, 29, 30, 34, 2]  # the window view at several scales
    _walk(w, slides, forget=True)  # once round: slide 29 folds the tools away for good
    fresh = _walk(w, slides, forget=True)
    assert len({s for _v, s in fresh}) > 3  # the walk rescales: the test checks something
    before = sum(st.fits_remembered for st in w.stages.values())
    again = _walk(w, slides, forget=False)
    assert sum(st.fits_remembered for st in w.stages.values()) > before
    assert again == fresh


def test_a_font_asked_for_again_is_the_font_made_anew_and_a_copy():
    """Fonts are kept (a restyle asked for 130, each resolved against the font
    database): one asked for again equals one made now, and changing it changes
    no later one."""
    from PySide6.QtGui import QFont, QFontInfo

    from convviz.gui.style import StageStyle, Style, snap_to_glyph_cache

    stage = StageStyle(Style())
    stage.set_screen_height(2160)
    for scale in (1.0, 3.4, 3.6):  # (3.4-3.6: type just over the glyph cache's limit)
        stage.set_scale(scale)
        for points, bold in ((11.0, False), (18.0, True)):
            made = QFont(QApplication.font())
            made.setPointSizeF(points * scale)
            made.setBold(bold)
            made = snap_to_glyph_cache(made)
            first = stage.font(points, bold)
            first.setPixelSize(3)  # (a caller's change)
            again = stage.font(points, bold)
            assert again == made and QFontInfo(again).pixelSize() != 3
        floor = stage.min_text_px("body")
        assert floor > 0 and QFontInfo(stage.font_px(1.0)).pixelSize() >= floor
        assert QFontInfo(stage.font_px(1.0)).pixelSize() >= floor  # (kept: the same)


def test_a_slide_fitted_ahead_on_a_twin_is_shown_without_restyling(make_window, qtbot):
    """ "All four at once" is drawn ahead on the edge view's twin, which fits it from
    the scale the live stage had and ends a scale lower. The live stage, shown at that
    scale, measured it again, tried a scale up, found it too big and came back: two
    restyles of twelve maps in the click (4K). A fit is now also remembered from where
    it ends, and the click takes it."""
    from convviz.gui.style import StageStyle

    w = make_window(3840, 2160)
    w.enter_fullscreen = lambda: None  # the simulated screen is the window's size
    w.style_.set_zoom(150)
    assert w.open_lesson("6.2")
    w.presenting.start()
    _settle()
    lc = w.lessons
    i = [s.title for s in lc.player.lesson.slides].index("All four at once")
    # The twelve slides before it, as in class (each next one drawn ahead): they leave
    # the edge view at a scale from which its twin fits this slide lower.
    for k in range(i - 12, i):
        lc.goto(k)
        qtbot.waitUntil(lambda k=k: k + 1 in lc.rehearsed or not lc.rehearsal_pending)
    assert i in lc.rehearsed
    stage = w.stages["edges"]
    restyles = []
    original = StageStyle.set_scale

    def counted(style, scale):
        changed = original(style, scale)
        restyles.extend([scale] if changed else [])
        return changed

    StageStyle.set_scale = counted
    try:
        remembered = stage.fits_remembered
        lc.goto(i)
        _settle()
    finally:
        StageStyle.set_scale = original
    assert w.current_view_key() == "edges"
    assert stage.fits_remembered > remembered
    assert restyles == []

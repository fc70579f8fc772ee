"""Projector-safe themes: text contrast, whole dark themes, true pictures."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor

from convviz.gui.style import THEMES, Style, contrast_ratio, diverging_lut, to_rgb


@pytest.mark.parametrize("name", sorted(THEMES))
def test_body_and_answer_text_read_at_4_5_to_1(name):
    t = THEMES[name]
    for role in ("text", "muted", "answer", "error"):
        for bg in ("base", "window"):
            ratio = contrast_ratio(getattr(t, role), getattr(t, bg))
            assert ratio >= 4.5, f"{name}: {role} on {bg} is {ratio:.2f}:1"


@pytest.mark.parametrize("name", ["dark", "contrast"])
def test_dark_themes_have_no_white_panels(name):
    t = THEMES[name]
    for role in ("window", "base", "blank", "zero"):
        assert QColor(getattr(t, role)).lightness() < 60, role
    lut = diverging_lut(t)
    assert lut[128].max() < 60  # zero on the scale is the dark background, not white glare


def test_pictures_are_grey_with_one_white_and_zero_black():
    rgb = to_rgb(np.array([[0.0, 1.0, 0.5]]), 1.0, THEMES["light"], picture=True)
    np.testing.assert_array_equal(rgb[0, 0], [0, 0, 0])
    np.testing.assert_array_equal(rgb[0, 1], [255, 255, 255])
    assert rgb[0, 2, 0] == rgb[0, 2, 1] == rgb[0, 2, 2]  # grey
    signed = to_rgb(np.array([[-1.0, 1.0]]), 1.0, THEMES["light"])
    assert signed[0, 0, 2] > signed[0, 0, 0]  # negative: blue
    assert signed[0, 1, 0] > signed[0, 1, 2]  # positive: orange


def test_transport_icons_are_drawn_in_the_theme_text_colour(qapp):
    for name in ("light", "dark"):
        st = Style(theme=name)
        img = st.icon("play").pixmap(32, 32).toImage()
        opaque = [
            img.pixelColor(x, y)
            for x in range(32)
            for y in range(32)
            if img.pixelColor(x, y).alpha() > 200
        ]
        assert opaque
        want = QColor(THEMES[name].text)
        assert all(abs(c.lightness() - want.lightness()) < 20 for c in opaque)


def test_an_icon_is_drawn_once_per_kind_and_colour(qapp):
    """Every slide change pauses the window view, which set its Play icon anew."""
    light, dark = Style(theme="light"), Style(theme="dark")
    assert light.icon("play").cacheKey() == light.icon("play").cacheKey()
    assert light.icon("play").cacheKey() != light.icon("pause").cacheKey()
    assert light.icon("play").cacheKey() != dark.icon("play").cacheKey()


def _max_contrast(img, rect, bg: QColor) -> float:
    """The highest contrast of any pixel in ``rect`` of ``img`` against ``bg``."""
    best = 1.0
    for y in range(max(0, rect.top()), min(img.height(), rect.bottom() + 1)):
        for x in range(max(0, rect.left()), min(img.width(), rect.right() + 1)):
            best = max(best, contrast_ratio(img.pixelColor(x, y), bg))
    return best


@pytest.mark.parametrize("name", sorted(THEMES))
def test_controls_stand_out_at_3_to_1_from_the_window(qtbot, name):
    """Non-text contrast (WCAG 1.4.11): the slider's empty groove and its handle, an
    unchecked radio button or check box, a spin box's frame, in every theme."""
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtWidgets import (
        QCheckBox,
        QHBoxLayout,
        QRadioButton,
        QSlider,
        QSpinBox,
        QStyle,
        QStyleOptionButton,
        QWidget,
    )

    Style(zoom=150, theme=name).apply()
    try:
        w = QWidget()
        qtbot.addWidget(w)
        lay = QHBoxLayout(w)
        slider = QSlider(Qt.Orientation.Horizontal)
        slider.setRange(0, 10)
        slider.setValue(2)
        slider.setMinimumSize(300, 40)
        radio, check, spin = QRadioButton("Convolution"), QCheckBox("off"), QSpinBox()
        for x in (slider, radio, check, spin):
            lay.addWidget(x)
        w.show()
        qtbot.waitExposed(w)
        bg = QColor(THEMES[name].window)
        st = w.style()

        img = slider.grab().toImage()
        handle = st.subControlRect(
            QStyle.ComplexControl.CC_Slider,
            _slider_option(slider),
            QStyle.SubControl.SC_SliderHandle,
            slider,
        )
        cy = handle.center().y()
        empty = QRect(handle.right() + 20, cy - 1, 40, 3)  # the groove right of the handle
        assert _max_contrast(img, empty, bg) >= 3.0, "slider groove"
        assert _max_contrast(img, QRect(handle.center(), handle.center()), bg) >= 3.0, "handle"
        for box, element in (
            (radio, QStyle.SubElement.SE_RadioButtonIndicator),
            (check, QStyle.SubElement.SE_CheckBoxIndicator),
        ):
            opt = QStyleOptionButton()
            opt.initFrom(box)
            ind = st.subElementRect(element, opt, box)
            assert _max_contrast(box.grab().toImage(), ind, bg) >= 3.0, type(box).__name__
        edge = QRect(0, spin.height() // 2, 3, 1)  # the frame's left side
        assert _max_contrast(spin.grab().toImage(), edge, bg) >= 3.0, "spin box frame"
    finally:
        Style().apply()


def _slider_option(slider):
    from PySide6.QtWidgets import QStyleOptionSlider

    opt = QStyleOptionSlider()
    slider.initStyleOption(opt)
    return opt


@pytest.mark.parametrize("name", sorted(THEMES))
def test_toolbars_are_one_flat_panel_in_the_window_colour(qtbot, name):
    """No gradient band across the projected screen (and a flat fill is what a 4K
    slide change can afford: Fusion's gradient took 2.7 ms of each)."""
    from PySide6.QtWidgets import QMainWindow, QToolBar, QWidget

    Style(zoom=150, theme=name).apply()
    try:
        win = QMainWindow()
        qtbot.addWidget(win)
        bar = QToolBar("Lesson", win)
        bar.addWidget(QWidget())  # room, nothing drawn
        win.addToolBar(bar)
        win.setCentralWidget(QWidget())
        win.resize(600, 300)
        win.show()
        qtbot.waitExposed(win)
        img = bar.grab().toImage()
        colours = {img.pixel(x, y) for x in range(0, img.width(), 7) for y in range(img.height())}
        assert colours == {QColor(THEMES[name].window).rgb()}
    finally:
        Style().apply()

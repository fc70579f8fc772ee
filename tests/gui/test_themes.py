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

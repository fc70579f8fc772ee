"""The Qt-free theme: one table for the screen and the exports."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from convviz.model import Session
from convviz.model import export as E  # noqa: N812
from convviz.model.theme import THEMES, hex_rgb


def test_the_gui_style_shows_the_same_colours():
    from convviz.gui import style  # imported here: the rest of tests/model stays Qt-free

    assert {k: dataclasses.asdict(t) for k, t in THEMES.items()} == {
        k: dataclasses.asdict(t) for k, t in style.THEMES.items()
    }


def test_hex_rgb():
    assert hex_rgb("#009e73") == (0, 158, 115) == THEMES["light"].rgb("accent2")
    with pytest.raises(ValueError, match="#rrggbb"):
        hex_rgb("#fff")


def test_an_exported_frame_is_drawn_in_the_light_theme():
    s = Session()
    first = E.render_frames(s, max_frames=10)[0]
    a = np.asarray(first)
    light = THEMES["light"]
    assert tuple(a[0, 0]) == light.rgb("window")  # the margin
    colours = {tuple(c) for c in a.reshape(-1, 3)}
    assert light.rgb("blank") in colours and light.rgb("grid_line") in colours

"""The app's colours, Qt-free: one table read by the GUI's style and by the exports.

Three themes for projectors: light, dark (whole: grids, maps and the scale's
centre are dark too) and high contrast. Every text colour, the answer's
included, reads at 4.5:1 or better on its background.

A colour is written once, as ``#rrggbb``; :meth:`Theme.rgb` gives Pillow the
same colour as a tuple, so an exported GIF looks like the light theme on
screen.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Theme:
    name: str
    window: str
    base: str
    text: str
    muted: str
    accent: str  # the sliding window's outline and the current output cell
    accent2: str  # the second highlight (pairs of cells tied to a product)
    grid_line: str
    padded: str  # padded cells: hatched in this colour
    blank: str  # output cells not yet computed
    error: str
    answer: str  # the revealed answer's text (at least 4.5:1 on ``base``)
    negative: str  # the diverging scale's strong negative end
    positive: str  # the diverging scale's strong positive end
    zero: str  # the diverging scale's centre: the background the numbers sit on

    def rgb(self, role: str) -> tuple[int, int, int]:
        """The colour of ``role`` (a field name, e.g. ``"text"``) as 0..255 integers."""
        return hex_rgb(getattr(self, role))


def hex_rgb(color: str) -> tuple[int, int, int]:
    """``"#009e73"`` as ``(0, 158, 115)``."""
    h = color.lstrip("#")
    if len(h) != 6:
        raise ValueError(f"A colour is written #rrggbb, not {color!r}.")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


THEMES = {
    "light": Theme(
        "light",
        window="#ffffff",
        base="#ffffff",
        text="#000000",
        muted="#404040",
        accent="#000000",
        accent2="#009e73",
        grid_line="#606060",
        padded="#b0b0b0",
        blank="#ececec",
        error="#b00020",
        answer="#005a3c",
        negative="#2166ac",
        positive="#ca580c",
        zero="#f7f7f7",
    ),
    "dark": Theme(
        "dark",
        window="#121212",
        base="#1e1e1e",
        text="#ffffff",
        muted="#c8c8c8",
        accent="#ffd400",
        accent2="#56e0b0",
        grid_line="#9a9a9a",
        padded="#555555",
        blank="#2a2a2a",
        error="#ff6b6b",
        answer="#56e0b0",
        negative="#4f9bdc",
        positive="#f08a2c",
        zero="#1e1e1e",
    ),
    "contrast": Theme(
        "contrast",
        window="#000000",
        base="#000000",
        text="#ffffff",
        muted="#ffffff",
        accent="#ffff00",
        accent2="#00ffff",
        grid_line="#ffffff",
        padded="#5a5a5a",
        blank="#000000",
        error="#ff8080",
        answer="#ffff00",
        negative="#3fa9ff",
        positive="#ff9a1f",
        zero="#000000",
    ),
}

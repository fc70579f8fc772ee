"""Zoom and theme for the whole window: one object every widget reads sizes from.

Classroom projection needs fonts and cells to grow together, so widgets never
hard-code pixel sizes: they ask :meth:`Style.px` and :meth:`Style.font` and
repaint on :attr:`Style.sig_changed`.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

ZOOM_MIN, ZOOM_MAX, ZOOM_STEP = 50, 400, 10
BASE_POINT_SIZE = 13.0


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
    ),
}


class Style(QObject):
    """The current zoom (percent) and theme; emits :attr:`sig_changed` on change."""

    sig_changed = Signal()  # payload: none; read zoom/theme from the object

    def __init__(self, zoom: int = 100, theme: str = "light") -> None:
        super().__init__()
        self._zoom = self._clamp(zoom)
        self._theme = THEMES.get(theme, THEMES["light"])

    @staticmethod
    def _clamp(z: float) -> int:
        return int(max(ZOOM_MIN, min(ZOOM_MAX, round(z))))

    @property
    def zoom(self) -> int:
        return self._zoom

    @property
    def scale(self) -> float:
        return self._zoom / 100.0

    @property
    def theme(self) -> Theme:
        return self._theme

    def set_zoom(self, zoom: float) -> None:
        z = self._clamp(zoom)
        if z != self._zoom:
            self._zoom = z
            self.apply()

    def zoom_in(self) -> None:
        self.set_zoom(self._zoom + ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self._zoom - ZOOM_STEP)

    def set_theme(self, name: str) -> None:
        if name not in THEMES:
            raise ValueError(f"Unknown theme {name!r}; choose from {list(THEMES)}")
        if name != self._theme.name:
            self._theme = THEMES[name]
            self.apply()

    def px(self, base: float) -> int:
        """A length in pixels at the current zoom."""
        return max(1, round(base * self.scale))

    def font(self, points: float = BASE_POINT_SIZE, bold: bool = False) -> QFont:
        f = QFont(QApplication.font())
        f.setPointSizeF(points * self.scale)
        f.setBold(bold)
        return f

    def color(self, role: str) -> QColor:
        return QColor(getattr(self._theme, role))

    def apply(self) -> None:
        """Push zoom and theme into the application font and palette, then notify."""
        app = QApplication.instance()
        if isinstance(app, QApplication):
            f = QFont(app.font())
            f.setPointSizeF(BASE_POINT_SIZE * self.scale)
            app.setFont(f)
            t = self._theme
            pal = QPalette()
            for role, col in (
                (QPalette.ColorRole.Window, t.window),
                (QPalette.ColorRole.Base, t.base),
                (QPalette.ColorRole.AlternateBase, t.blank),
                (QPalette.ColorRole.Button, t.window),
                (QPalette.ColorRole.WindowText, t.text),
                (QPalette.ColorRole.Text, t.text),
                (QPalette.ColorRole.ButtonText, t.text),
                (QPalette.ColorRole.ToolTipBase, t.base),
                (QPalette.ColorRole.ToolTipText, t.text),
                (QPalette.ColorRole.PlaceholderText, t.muted),
            ):
                pal.setColor(role, QColor(col))
            app.setPalette(pal)
        self.sig_changed.emit()

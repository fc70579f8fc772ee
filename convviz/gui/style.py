"""Zoom and theme for the whole window: one object every widget reads sizes from.

Classroom projection needs fonts and cells to grow together, so widgets never
hard-code pixel sizes: they ask :meth:`Style.px` and :meth:`Style.font` and
repaint on :attr:`Style.sig_changed`. A :class:`StageStyle` is the same
contract for what sits on a stage (see :mod:`convviz.gui.stage`): its scale
is set by the stage to fit the screen, like a slide, and its theme follows
the window's.

Colours: every theme is whole (grids, maps, plots and icons follow it);
signed values use a diverging scale whose centre is the theme's background
(white in light, near-black in dark), and pictures are grey-scale with 0
black and 1 white, so a caption saying "1 is white" is true.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontInfo,
    QIcon,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleOption,
    QStyleOptionSlider,
)

from ..model.theme import THEMES, Theme

ZOOM_MIN, ZOOM_MAX, ZOOM_STEP = 50, 400, 10
BASE_POINT_SIZE = 13.0
#: The window's own controls (menus, tabs) never grow past this share of the
#: screen height, however high the zoom: the room goes to the stage.
CHROME_MAX_PX_SHARE = 0.024


#: Menu labels for the themes, in menu order.
THEME_LABELS = {"light": "&Light", "dark": "&Dark", "contrast": "&High contrast"}


def contrast_ratio(a: str | QColor, b: str | QColor) -> float:
    """WCAG contrast ratio between two colours (1..21); text needs at least 4.5."""

    def lum(c: str | QColor) -> float:
        q = QColor(c)
        ch = np.array([q.redF(), q.greenF(), q.blueF()])
        ch = np.where(ch <= 0.03928, ch / 12.92, ((ch + 0.055) / 1.055) ** 2.4)
        return float(0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2])

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def diverging_lut(theme: Theme, n: int = 256) -> np.ndarray:
    """An (n, 3) uint8 table from −1 to +1: negative → the theme's background → positive."""
    anchors = []
    for name in ("negative", "zero", "positive"):
        q = QColor(getattr(theme, name))
        anchors.append((q.red(), q.green(), q.blue()))
    a = np.array(anchors, dtype=np.float64)
    mid = 0.5 * (a[0] + a[1]), 0.5 * (a[1] + a[2])
    anchors5 = np.array([a[0], mid[0], a[1], mid[1], a[2]])
    pos = np.linspace(-1.0, 1.0, 5)
    t = np.linspace(-1.0, 1.0, n)
    return np.stack([np.interp(t, pos, anchors5[:, k]) for k in range(3)], 1).astype(np.uint8)


def grey_lut(n: int = 256) -> np.ndarray:
    """Grey-scale for pictures: lowest value black, highest white."""
    g = np.linspace(0, 255, n).round().astype(np.uint8)
    return np.stack([g, g, g], 1)


_LUTS: dict[tuple[str, int], np.ndarray] = {}


def theme_lut(theme: Theme, n: int = 256) -> np.ndarray:
    key = (theme.name, n)
    if key not in _LUTS:
        _LUTS[key] = diverging_lut(theme, n)
    return _LUTS[key]


def to_rgb(values: np.ndarray, limit: float, theme: Theme, *, picture: bool = False) -> np.ndarray:
    """Values as (..., 3) uint8: on the theme's diverging scale, or grey for a picture.

    A picture maps [0, limit] to black..white (the chapter's 0/1 image: 0
    black, 1 white); signed values map [−limit, +limit] to the diverging scale.
    """
    v = np.asarray(values, dtype=np.float64)
    lim = float(limit) or 1.0
    if picture:
        idx = np.rint(np.clip(v / lim, 0.0, 1.0) * 255).astype(np.intp)
        return grey_lut(256)[idx]
    t = np.clip(v / lim, -1.0, 1.0)
    idx = np.rint((t + 1.0) * 127.5).astype(np.intp)
    return theme_lut(theme)[idx]


def is_picture(values: np.ndarray | None) -> bool:
    """A grid is a picture (grey-scale) when it has no negative value and some positive one."""
    if values is None or not np.size(values):
        return False
    v = np.asarray(values)
    if not np.all(np.isfinite(v)):
        return False
    return bool(v.min() >= 0 and v.max() > 0)


class ProjectorStyle(QProxyStyle):
    """Fusion, with the controls a projector washes out drawn in the theme's colours.

    Fusion outlines grooves, frames and indicators in the window colour made
    darker: on a dark or black window that is black on charcoal, invisible
    from the back row. Here the slider's groove is a line in the grid colour
    (``Mid``), its filled part in ``Highlight`` and its handle a disc in the
    text colour; radio buttons and check boxes are rings and boxes in the text
    colour; spin boxes, combo boxes, line edits and tool buttons get a frame
    in the grid colour. Every one of these is at least 3:1 against the
    window in all three themes (non-text contrast). Text is left to Fusion.
    """

    def __init__(self) -> None:
        super().__init__(QStyleFactory.create("Fusion"))

    @staticmethod
    def _line(opt: QStyleOption) -> float:
        return max(1.0, round(opt.fontMetrics.height() / 14.0))

    def drawComplexControl(self, control, opt, p, widget=None) -> None:
        cc = QStyle.ComplexControl
        if control == cc.CC_Slider and isinstance(opt, QStyleOptionSlider):
            self._draw_slider(opt, p, widget)
            return
        super().drawComplexControl(control, opt, p, widget)
        if control in (cc.CC_SpinBox, cc.CC_ComboBox):
            self._frame(opt, p)

    def drawControl(self, element, opt, p, widget=None) -> None:
        if element == QStyle.ControlElement.CE_ToolBar:
            # A flat panel in the window colour: Fusion fills a toolbar with a
            # gradient, which a projector shows as a grey band, and at 4K the
            # lesson bar's toolbar took 2.7 ms of every slide change to fill
            # (a flat fill: ~0.3 ms).
            p.fillRect(opt.rect, opt.palette.color(QPalette.ColorRole.Window))
            return
        super().drawControl(element, opt, p, widget)

    def drawPrimitive(self, element, opt, p, widget=None) -> None:
        pe = QStyle.PrimitiveElement
        if element == pe.PE_IndicatorRadioButton:
            self._radio(opt, p)
            return
        if element == pe.PE_IndicatorCheckBox:
            self._check(opt, p)
            return
        super().drawPrimitive(element, opt, p, widget)
        framed = element == pe.PE_PanelLineEdit or (
            element == pe.PE_PanelButtonTool and opt.state & QStyle.StateFlag.State_Raised
        )
        # A spin box's or combo box's own editor: the box draws the frame.
        inner = widget is not None and isinstance(
            widget.parentWidget(), (QAbstractSpinBox, QComboBox)
        )
        if framed and not inner:
            self._frame(opt, p)

    # ------------------------------------------------------------- pieces
    def _frame(self, opt: QStyleOption, p: QPainter) -> None:
        w = self._line(opt)
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        p.setPen(QPen(opt.palette.color(QPalette.ColorRole.Mid), w))
        p.setBrush(Qt.BrushStyle.NoBrush)
        r = QRectF(opt.rect).adjusted(w / 2, w / 2, -w / 2, -w / 2)
        p.drawRect(r)
        p.restore()

    def _draw_slider(self, opt: QStyleOptionSlider, p: QPainter, widget) -> None:
        sc = QStyle.SubControl
        groove = self.subControlRect(
            QStyle.ComplexControl.CC_Slider, opt, sc.SC_SliderGroove, widget
        )
        handle = self.subControlRect(
            QStyle.ComplexControl.CC_Slider, opt, sc.SC_SliderHandle, widget
        )
        pal = opt.palette
        enabled = bool(opt.state & QStyle.StateFlag.State_Enabled)
        thick = max(3.0, self._line(opt) * 3)
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setPen(Qt.PenStyle.NoPen)
        if opt.orientation == Qt.Orientation.Horizontal:
            cy = handle.center().y() + 0.5
            track = QRectF(groove.left(), cy - thick / 2, groove.width(), thick)
            done = QRectF(track.left(), track.top(), handle.center().x() - track.left(), thick)
        else:
            cx = handle.center().x() + 0.5
            track = QRectF(cx - thick / 2, groove.top(), thick, groove.height())
            done = QRectF(
                track.left(), handle.center().y(), thick, track.bottom() - handle.center().y()
            )
        if opt.subControls & sc.SC_SliderGroove:
            p.setBrush(pal.color(QPalette.ColorRole.Mid))
            p.drawRoundedRect(track, thick / 2, thick / 2)
            if enabled:
                p.setBrush(pal.color(QPalette.ColorRole.Highlight))
                p.drawRoundedRect(done, thick / 2, thick / 2)
        if opt.subControls & sc.SC_SliderHandle:
            # A disc the height of a line of text (Fusion's handle stays a few pixels
            # at any zoom), never wider than the slider is thick.
            horizontal = opt.orientation == Qt.Orientation.Horizontal
            across = float(opt.rect.height() if horizontal else opt.rect.width())
            big = max(handle.width(), handle.height(), opt.fontMetrics.height() * 0.8)
            d = min(across, big) - 2.0
            disc = QRectF(0, 0, d, d)
            disc.moveCenter(QRectF(handle).center())
            ring = self._line(opt) * 2
            p.setPen(QPen(pal.color(QPalette.ColorRole.Base), ring))
            role = QPalette.ColorRole.Text if enabled else QPalette.ColorRole.Mid
            p.setBrush(pal.color(role))
            p.drawEllipse(disc.adjusted(ring / 2, ring / 2, -ring / 2, -ring / 2))
        p.restore()

    def _indicator_colors(self, opt: QStyleOption) -> tuple[QColor, QColor]:
        pal = opt.palette
        enabled = bool(opt.state & QStyle.StateFlag.State_Enabled)
        ink = pal.color(QPalette.ColorRole.Text if enabled else QPalette.ColorRole.Mid)
        return ink, pal.color(QPalette.ColorRole.Base)

    def _indicator_frame(self, opt: QStyleOption, p: QPainter) -> tuple[QColor, float, QRectF]:
        """Save ``p`` and set it up for a radio's or check box's outline (the caller
        restores): the ink, the line width and the rectangle the outline fills."""
        ink, base = self._indicator_colors(opt)
        w = self._line(opt) * 1.5
        r = QRectF(opt.rect).adjusted(w / 2 + 0.5, w / 2 + 0.5, -w / 2 - 0.5, -w / 2 - 0.5)
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setPen(QPen(ink, w))
        p.setBrush(base)
        return ink, w, r

    def _radio(self, opt: QStyleOption, p: QPainter) -> None:
        ink, _, r = self._indicator_frame(opt, p)
        p.drawEllipse(r)
        if opt.state & QStyle.StateFlag.State_On:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(ink)
            k = r.width() * 0.25
            p.drawEllipse(r.adjusted(k, k, -k, -k))
        p.restore()

    def _check(self, opt: QStyleOption, p: QPainter) -> None:
        ink, w, r = self._indicator_frame(opt, p)
        p.drawRect(r)
        st = QStyle.StateFlag
        if opt.state & (st.State_On | st.State_NoChange):
            pen = QPen(ink, w * 1.4)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            p.setPen(pen)
            x, y, s_ = r.left(), r.top(), r.width()
            if opt.state & st.State_NoChange:
                p.drawLine(
                    QPointF(x + 0.25 * s_, y + 0.5 * s_), QPointF(x + 0.75 * s_, y + 0.5 * s_)
                )
            else:
                path = QPainterPath(QPointF(x + 0.2 * s_, y + 0.52 * s_))
                path.lineTo(QPointF(x + 0.42 * s_, y + 0.74 * s_))
                path.lineTo(QPointF(x + 0.8 * s_, y + 0.28 * s_))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawPath(path)
        p.restore()


def icon(kind: str, color: str | QColor, size: int = 64) -> QIcon:
    """A transport icon drawn in ``color``, so dark and high-contrast themes keep them visible.

    ``kind``: start, back, play, pause, forward, end. Drawn once per kind, colour
    and size: every slide change pauses the window view, whose Play button took a
    new icon each time (~0.3 ms of the click).
    """
    name = QColor(color).name(QColor.NameFormat.HexArgb)
    key = (kind, name, size)
    found = _ICONS.get(key)
    if found is None:
        found = _ICONS[key] = _draw_icon(kind, name, size)
    return found


#: The icons drawn so far (a few kinds, in the themes' text colours).
_ICONS: dict[tuple[str, str, int], QIcon] = {}


def _draw_icon(kind: str, color: str, size: int) -> QIcon:
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(color))
    u = size / 16.0

    def tri(x0: float, x1: float) -> None:  # a triangle pointing from x0 to x1
        path = QPainterPath(QPointF(x0 * u, 3 * u))
        path.lineTo(QPointF(x1 * u, 8 * u))
        path.lineTo(QPointF(x0 * u, 13 * u))
        path.closeSubpath()
        p.drawPath(path)

    if kind == "play":
        tri(4, 13)
    elif kind == "pause":
        p.drawRect(4 * u, 3 * u, 3 * u, 10 * u)
        p.drawRect(9 * u, 3 * u, 3 * u, 10 * u)
    elif kind == "forward":
        tri(2, 8.5)
        tri(8, 14.5)
    elif kind == "back":
        tri(14, 7.5)
        tri(8, 1.5)
    elif kind == "end":
        tri(2, 11)
        p.drawRect(11 * u, 3 * u, 2.5 * u, 10 * u)
    elif kind == "start":
        tri(14, 5)
        p.drawRect(2.5 * u, 3 * u, 2.5 * u, 10 * u)
    p.end()
    return QIcon(pm)


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
        base = QApplication.font()
        key = (base.key(), round(points * self.scale, 6), bold, 0.0)
        f = _FONTS.get(key)
        if f is None:
            f = QFont(base)
            f.setPointSizeF(points * self.scale)
            f.setBold(bold)
            f = _keep_font(key, snap_to_glyph_cache(f))
        return QFont(f)  # (a copy: callers may change it)

    def color(self, role: str) -> QColor:
        return QColor(getattr(self.theme, role))

    def min_text_px(self, kind: str = "body") -> float:
        """No floor for the window's own controls (a stage's style has one)."""
        return 0.0

    def font_px(self, points: float, kind: str = "body", bold: bool = False) -> QFont:
        """:meth:`font`, raised to :meth:`min_text_px` when that is larger."""
        floor = self.min_text_px(kind)
        if not floor:
            return self.font(points, bold)
        key = (QApplication.font().key(), round(points * self.scale, 6), bold, floor)
        f = _FONTS.get(key)
        if f is None:
            f = self.font(points, bold)
            if QFontInfo(f).pixelSize() < floor:
                f.setPixelSize(int(np.ceil(floor)))
            f = _keep_font(key, f)
        return QFont(f)

    def icon(self, kind: str) -> QIcon:
        """A transport icon in the theme's text colour (see :func:`icon`)."""
        return icon(kind, self.theme.text)

    def chrome_point_size(self) -> float:
        """The window controls' font: the zoom's, but never above a share of the screen."""
        pts = BASE_POINT_SIZE * self.scale
        screen = QApplication.primaryScreen() if QApplication.instance() else None
        if screen is not None:
            dpi = screen.logicalDotsPerInchY() or 96.0
            cap_px = CHROME_MAX_PX_SHARE * screen.geometry().height()
            pts = min(pts, max(BASE_POINT_SIZE, cap_px * 72.0 / dpi))
        return pts

    def apply(self) -> None:
        """Push zoom and theme into the application font and palette, then notify."""
        app = QApplication.instance()
        if isinstance(app, QApplication):
            if not isinstance(app.style(), ProjectorStyle):  # Fusion, in the theme's colours
                app.setStyle(ProjectorStyle())
            f = QFont(app.font())
            f.setPointSizeF(self.chrome_point_size())
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
                (QPalette.ColorRole.Highlight, t.accent2 if t.name != "light" else "#0b57d0"),
                (QPalette.ColorRole.HighlightedText, t.base if t.name != "light" else "#ffffff"),
                (QPalette.ColorRole.Light, t.grid_line),
                (QPalette.ColorRole.Midlight, t.blank),
                (QPalette.ColorRole.Mid, t.grid_line),
                (QPalette.ColorRole.Dark, t.grid_line),
                (QPalette.ColorRole.Shadow, t.window),
                (QPalette.ColorRole.BrightText, t.accent),
                (QPalette.ColorRole.Link, t.accent2),
            ):
                pal.setColor(role, QColor(col))
            for role in (
                QPalette.ColorRole.WindowText,
                QPalette.ColorRole.Text,
                QPalette.ColorRole.ButtonText,
            ):
                pal.setColor(QPalette.ColorGroup.Disabled, role, QColor(t.grid_line))
            app.setPalette(pal)
            # Qt posts the change to the widgets that exist: until the event loop
            # turned, the menu bar kept its old font and height, and a first click
            # laid the page out for a stage 6 px taller than the next turn gave it.
            for kind in (QEvent.Type.ApplicationFontChange, QEvent.Type.ApplicationPaletteChange):
                QCoreApplication.sendPostedEvents(None, kind)
        self.sig_changed.emit()


#: The fonts made lately, by (application font, point size, bold, pixel floor): making
#: one resolves it against the font database (QFontInfo), 15 µs a call, and a
#: restyle at 4K asked for 130 of them (2 ms of a slide change).
_FONTS: dict[tuple[str, float, bool, float], QFont] = {}


def _keep_font(key: tuple[str, float, bool, float], font: QFont) -> QFont:
    if len(_FONTS) >= 1024:
        _FONTS.clear()
    _FONTS[key] = font
    return font


#: Qt's raster engine keeps glyphs up to this pixel size (QT_MAX_CACHED_GLYPH_SIZE);
#: larger ones are filled from their outlines at every paint (see widgets/text_sprites).
GLYPH_CACHE_PX = 64
#: Type from just over that limit up to this size is set just under it instead.
SNAP_PX = 72


def snap_to_glyph_cache(font: QFont) -> QFont:
    """``font``, set at GLYPH_CACHE_PX - 1 if it is a little larger (up to SNAP_PX).

    At 4K (zoom 150) the slide titles are 65 px, the matrix view's note 66 and
    the edge maps' captions 65-72: each first paint filled every glyph from its
    outline (the matrix note, two lines: 19 ms of slide 24's 67 ms first showing,
    against 3 ms at 63 px). At 63 px they are drawn
    from Qt's glyph cache, 10x cheaper (0.24 ms against 2.9 ms a line), and at
    most 12 % smaller, which no one in the room sees. Larger type (zoom 200) is
    left as it is: it would shrink visibly.
    """
    px = QFontInfo(font).pixelSize()
    if GLYPH_CACHE_PX <= px <= SNAP_PX:
        font = QFont(font)
        font.setPixelSize(GLYPH_CACHE_PX - 1)
    return font


#: What the back row needs, as a share of the screen height: body text (grid values,
#: the arithmetic, captions) and plot labels. Slightly above 2.2 % / 1.6 % for rounding.
BODY_SHARE = 0.0225
LABEL_SHARE = 0.0165


class StageStyle(Style):
    """The :class:`Style` of what is on a stage: scale set by the stage, theme by the window.

    Widgets on a stage size themselves from it exactly as from a window
    Style, so the stage fits the screen by changing one number. It also
    knows the screen's height, so what must be read never gets smaller than
    the back row needs (:meth:`min_text_px`), whatever the scale.
    """

    def __init__(self, base: Style) -> None:
        super().__init__(base.zoom, base.theme.name)
        self.base = base
        self._stage_scale = 1.0
        self._screen_h = 0
        base.sig_changed.connect(self.sig_changed)

    def set_screen_height(self, height: int) -> bool:
        """The height the stage is projected on (the window's); True when it changed."""
        height = int(height)
        if height == self._screen_h:
            return False
        self._screen_h = height
        return True

    def screen_height(self) -> int:
        return self._screen_h

    def min_text_px(self, kind: str = "body") -> float:
        """The smallest pixel size the audience can read: body text or plot labels."""
        return (BODY_SHARE if kind == "body" else LABEL_SHARE) * self._screen_h

    @property
    def zoom(self) -> int:
        return self.base.zoom

    @property
    def theme(self) -> Theme:
        return self.base.theme

    @property
    def scale(self) -> float:
        return self._stage_scale

    def set_scale(self, scale: float) -> bool:
        """Set the stage's scale; True (and :attr:`sig_changed`) when it changed."""
        scale = max(0.05, float(scale))
        if abs(scale - self._stage_scale) < 1e-4 * scale:
            return False
        self._stage_scale = scale
        self.sig_changed.emit()
        return True

    def set_zoom(self, zoom: float) -> None:
        self.base.set_zoom(zoom)

    def set_theme(self, name: str) -> None:
        self.base.set_theme(name)

    def apply(self) -> None:
        self.base.apply()

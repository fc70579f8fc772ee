"""A titled grid editor with its tools: size, preset, transpose, flip, brush, clipboard."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import (
    QEvent,
    Qt,
)
from PySide6.QtGui import (
    QKeySequence,
)
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...model import presets
from ...model.session import LIMITS, Session
from ...model.values import (
    ValueProblem,
    parse_number,
)
from ..style import Style
from ._util import blocked as _blocked
from ._util import connect_model, set_style_sheet
from .flow import FlowLayout
from .grid_editor import GridEditor
from .grid_widget import GridName


# ======================================================================== panel
class _ToolButton(QToolButton):
    """A tool button that mouse clicks do not focus, so keys keep stepping the view."""

    def __init__(self, text: str, tip: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setText(text)
        self.setToolTip(tip)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)


class _SizeSpin(QSpinBox):
    """Rows or columns; applied on Enter, focus loss or the arrows (not per keystroke)."""

    def __init__(self, lo: int, hi: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(lo, hi)
        self.setKeyboardTracking(False)
        self.setAccelerated(True)

    def event(self, e: QEvent) -> bool:
        # Undo/redo belong to the session, not to the spin box's text.
        if e.type() == QEvent.Type.ShortcutOverride and (
            e.matches(QKeySequence.StandardKey.Undo)  # type: ignore[attr-defined]
            or e.matches(QKeySequence.StandardKey.Redo)  # type: ignore[attr-defined]
        ):
            e.ignore()
            return False
        return super().event(e)


class GridPanel(QWidget):
    """A titled grid editor with its tools: size, preset, transpose, flip, brush, clipboard."""

    def __init__(
        self,
        session: Session,
        name: GridName,
        style: Style,
        title: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.name: GridName = name
        self.style_ = style
        self._title_base = title or ("Input" if name == "input" else "Kernel")
        self._presets = presets.INPUTS if name == "input" else presets.KERNELS

        self.title = QLabel()
        self.editor = GridEditor(session, name, style, self)
        self.rows = _SizeSpin(1, LIMITS[name])
        self.cols = _SizeSpin(1, LIMITS[name])
        self.rows.setToolTip(f"Rows (1..{LIMITS[name]})")
        self.cols.setToolTip(f"Columns (1..{LIMITS[name]})")
        self.times = QLabel("×")
        self.preset = QComboBox()
        self.preset.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.preset.addItem("Custom")
        self.preset.addItems(list(self._presets))
        self.preset.setToolTip(f"Load one of the chapter's {name}s")
        # Narrow enough for a 2×2 kernel at 200 % zoom; the list shows the full names.
        self.preset.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.preset.setMinimumContentsLength(14)

        self.btn_transpose = _ToolButton("Transpose", "Swap rows and columns")
        self.btn_flip = _ToolButton(
            "Flip 180°", "Turn the grid half a turn (flip both axes), as convolution does"
        )
        self.btn_brush = _ToolButton(
            "Brush", "Paint: click or drag over cells to set them to the brush value"
        )
        self.btn_brush.setCheckable(True)
        self.brush_value = QLineEdit("1")
        self.brush_value.setToolTip("The value the brush paints")
        self.btn_copy = _ToolButton(
            "Copy", "Copy the grid (or the selected cells) as rows of numbers"
        )
        self.copy_menu = QMenu(self.btn_copy)
        self.act_copy_tsv = self.copy_menu.addAction("Copy for a spreadsheet")
        self.act_copy_numpy = self.copy_menu.addAction("Copy as NumPy")
        self.btn_copy.setMenu(self.copy_menu)
        self.btn_copy.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.btn_paste = _ToolButton(
            "Paste", "Paste a block of numbers at the selected cell (spreadsheet rows or [[1, -1]])"
        )
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.message.hide()

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self._lay = lay
        lay.addStretch(1)
        lay.addWidget(self.title, 0, Qt.AlignmentFlag.AlignHCenter)
        lay.addWidget(self.editor, 100)
        size_box = QWidget()
        size_row = QHBoxLayout(size_box)
        size_row.setContentsMargins(0, 0, 0, 0)
        size_row.setSpacing(2)
        size_row.addWidget(self.rows)
        size_row.addWidget(self.times)
        size_row.addWidget(self.cols)
        tools = QWidget()
        self.tools = FlowLayout(tools)
        # The tool row after the size box, in order: laid out here, sized by the style.
        self._tools = (
            self.preset,
            self.btn_transpose,
            self.btn_flip,
            self.btn_brush,
            self.brush_value,
            self.btn_copy,
            self.btn_paste,
        )
        for w in (size_box, *self._tools):
            self.tools.addWidget(w)
        lay.addWidget(tools)
        self.tools_box = tools
        lay.addWidget(self.message)
        lay.addStretch(1)

        self.rows.valueChanged.connect(self._on_rows_changed)
        self.cols.valueChanged.connect(self._on_cols_changed)
        self.preset.activated.connect(self._on_preset_changed)
        self.btn_transpose.clicked.connect(lambda: session.transpose(name))
        self.btn_flip.clicked.connect(lambda: session.flip(name))
        self.btn_brush.toggled.connect(self._on_brush_changed)
        self.brush_value.editingFinished.connect(self._on_brush_changed)
        self.btn_copy.clicked.connect(self.editor.copy)
        self.act_copy_tsv.triggered.connect(self.editor.copy)
        self.act_copy_numpy.triggered.connect(self.editor.copy_numpy)
        self.btn_paste.clicked.connect(self.editor.paste_clipboard)
        self.editor.sig_message.connect(self.show_message)
        connect_model(session.changed, self._on_session_changed)
        self._tools_stale = True  # the tools' fonts lag the style (see _on_style_changed)
        style.sig_changed.connect(self._on_style_changed)
        self._on_style_changed()
        self._on_session_changed(frozenset({name}))

    # ------------------------------------------------------------ handlers
    def set_tools_visible(self, on: bool) -> None:
        """Show or hide the editing tools (size, presets, buttons) below the grid."""
        if on and self._tools_stale:
            self._style_tools()
        self.tools_box.setVisible(on)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _on_session_changed(self, parts: frozenset) -> None:
        if self.name in parts or "undo" in parts:
            self.refresh()

    def refresh(self) -> None:
        """The title, size and preset of the session's grid."""
        a = self.session.grid(self.name)
        h, w = a.shape
        what = "Input" if self.name == "input" else "Kernel"
        base = self._title_base
        self.title.setText(f"{base}  ({h}×{w})" if base else f"{what} ({h}×{w})")
        with _blocked(self.rows, self.cols, self.preset):
            for spin, n in ((self.rows, h), (self.cols, w)):
                if spin.value() != n:  # the same value would still re-set the text
                    spin.setValue(n)
            self.preset.setCurrentIndex(self._matching_preset(a))

    def _matching_preset(self, a: np.ndarray) -> int:
        for i, (label, make) in enumerate(self._presets.items(), start=1):
            if label.startswith("Random"):
                continue
            p = make()
            if p.shape == a.shape and np.array_equal(p, a):
                return i
        return 0

    def _resize(self, rows: int, cols: int) -> None:
        try:
            self.session.resize(self.name, rows, cols)
        except ValueProblem as exc:
            self.show_message(str(exc))
            self._on_session_changed(frozenset({self.name}))

    def _on_rows_changed(self, rows: int) -> None:
        self._resize(rows, self.session.grid(self.name).shape[1])

    def _on_cols_changed(self, cols: int) -> None:
        self._resize(self.session.grid(self.name).shape[0], cols)

    def _on_preset_changed(self, index: int) -> None:
        if index <= 0:
            return
        label = self.preset.itemText(index)
        try:
            self.session.load_preset(self.name, label)
        except (KeyError, ValueProblem) as exc:
            self.show_message(str(exc))
            return
        self.show_message("")
        # A random preset will not match itself later: show its name until the next edit.
        with _blocked(self.preset):
            self.preset.setCurrentIndex(index)

    def _on_brush_changed(self, *_: object) -> None:
        on = self.btn_brush.isChecked()
        try:
            value = parse_number(self.brush_value.text())
        except ValueProblem as exc:
            self.show_message(f"Brush value: {exc}")
            self.editor.set_brush(False)
            with _blocked(self.btn_brush):
                self.btn_brush.setChecked(False)
            return
        self.show_message("")
        self.editor.set_brush(on, value)

    def _on_style_changed(self) -> None:
        s = self.style_
        self.title.setFont(s.font(17, bold=True))
        self.message.setFont(s.font(12))
        set_style_sheet(self.message, f"color: {s.theme.error};")
        self._lay.setSpacing(s.px(6))
        # Folded tools (a lesson, presenting) are restyled when shown again, not on
        # every rescale of the stage: 24 fonts a panel, each a relayout, for nothing seen.
        self._tools_stale = True
        if not self.tools_box.isHidden():
            self._style_tools()

    def _style_tools(self) -> None:
        """Fonts and gaps of the size, preset and brush tools under the grid."""
        self._tools_stale = False
        s = self.style_
        # Tools grow at half the zoom's rate: on a projector the grid matters more.
        small = s.font(11.5 * (0.5 + 0.5 / s.scale))
        self.times.setFont(small)
        for w in (self.rows, self.cols, *self._tools):
            w.setFont(small)
        self.brush_value.setFixedWidth(s.px(64))
        self.tools.set_spacing(s.px(6))

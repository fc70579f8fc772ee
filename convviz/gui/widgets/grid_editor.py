"""Editing a grid: typing, mouse painting and the clipboard, as Session calls.

:class:`GridEditor` binds a :class:`~.grid_widget.GridWidget` to one of the
:class:`~convviz.model.Session`'s grids. The display is
:mod:`.grid_widget`, the tools around it :mod:`.grid_panel`, the colour
scale :mod:`.color_bar`; they are re-exported here for older imports.
"""

from __future__ import annotations

import contextlib

import numpy as np
from PySide6.QtCore import (
    QEvent,
    QObject,
    QPoint,
    QRect,
    QRectF,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPen,
)
from PySide6.QtWidgets import (
    QApplication,
    QLineEdit,
    QToolTip,
    QWidget,
)

from ...model.session import LIMITS, Session
from ...model.values import (
    ValueProblem,
    format_block,
    format_number,
    format_numpy,
    parse_block,
)
from ..style import Style
from ._util import connect_model
from .grid_widget import (
    _GRID_KEYS,
    _START_CHARS,
    MIN_DIGIT_PX,
    GridName,
    GridWidget,
    cell_text,
)


# ======================================================================= editor
class GridEditor(GridWidget):
    """A :class:`GridWidget` bound to one Session grid, editing it.

    Type to edit (double-click, Enter or F2 opens the cell; a digit or '-'
    starts with that character), arrows/Tab move, Delete clears to 0,
    Ctrl+C/Ctrl+V copy and paste, and in brush mode a mouse drag paints the
    brush value (one undo step per drag). Keys it has no use for (Space,
    PageUp/PageDown, Home/End, and arrows while nothing is selected) go on
    to the parent, which steps the animation.
    """

    sig_message = Signal(str)  # payload: a problem to show the user; "" clears it

    def __init__(
        self, session: Session, name: GridName, style: Style, parent: QWidget | None = None
    ) -> None:
        super().__init__(style, parent)
        if name not in LIMITS:
            raise ValueError(f"name must be 'input' or 'kernel', not {name!r}")
        self.session = session
        self.name: GridName = name
        self._sel: tuple[int, int] | None = None
        self._anchor: tuple[int, int] | None = None
        self._editor: QLineEdit | None = None
        self._edit_cell: tuple[int, int] | None = None
        self._edit_typed = False
        self._brush = False
        self.brush_value = 1.0
        self._gesture: contextlib.ExitStack | None = None
        self._last_paint: tuple[int, int] | None = None
        self._dragging = False
        self._shared_limit: float | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip("")
        connect_model(session.changed, self._on_session_changed)
        self._refresh()

    # --------------------------------------------------------------- model
    def refresh(self) -> None:
        """Show the session's grid again (after a preview showed another's)."""
        self._refresh()

    def _refresh(self) -> None:
        a = self.session.grid(self.name)
        self.set_values(a, limit=self._shared_limit)
        if self._sel is not None:
            self._sel = (min(self._sel[0], a.shape[0] - 1), min(self._sel[1], a.shape[1] - 1))
        if self._anchor is not None:
            self._anchor = (
                min(self._anchor[0], a.shape[0] - 1),
                min(self._anchor[1], a.shape[1] - 1),
            )
        if self._editor is not None and self._edit_cell is not None:
            r, c = self._edit_cell
            if r >= a.shape[0] or c >= a.shape[1]:
                self._close_editor()
            else:
                self._place_editor()

    def _on_session_changed(self, parts: frozenset) -> None:
        if self.name in parts or "undo" in parts:
            self._refresh()

    def set_shared_limit(self, limit: float | None) -> None:
        """The colour scale's half-width shared with the other grids (None: own)."""
        self._shared_limit = limit
        self.set_limit(limit)

    # ----------------------------------------------------------- selection
    @property
    def selected(self) -> tuple[int, int] | None:
        return self._sel

    def selection(self) -> tuple[int, int, int, int] | None:
        """(top, left, bottom, right) inclusive, or None."""
        if self._sel is None:
            return None
        a = self._anchor or self._sel
        return (
            min(a[0], self._sel[0]),
            min(a[1], self._sel[1]),
            max(a[0], self._sel[0]),
            max(a[1], self._sel[1]),
        )

    def select(self, r: int, c: int, *, extend: bool = False) -> None:
        h, w = self.shape()
        r, c = max(0, min(r, h - 1)), max(0, min(c, w - 1))
        self._sel = (r, c)
        if not extend:
            self._anchor = (r, c)
        self.update()

    def clear_selection(self) -> None:
        self._sel = self._anchor = None
        self.update()

    def _move(self, dr: int, dc: int, *, extend: bool = False, wrap: bool = False) -> None:
        if self._sel is None:
            self.select(0, 0)
            return
        h, w = self.shape()
        r, c = self._sel[0] + dr, self._sel[1] + dc
        if wrap:
            if c >= w:
                r, c = (r + 1) % h, 0
            elif c < 0:
                r, c = (r - 1) % h, w - 1
        self.select(r, c, extend=extend)

    def _paint_extra(self, p: QPainter, cell: float, x0: float, y0: float) -> None:
        sel = self.selection()
        if sel is None:
            return
        t, left, b, right = sel
        tl = self.cell_rect(t, left)
        br = self.cell_rect(b, right)
        rect = QRectF(tl.topLeft(), br.bottomRight())
        focused = self.hasFocus() or self._editor is not None
        width = max(2.0, min(float(self.style_.px(4)), cell / 5))
        inset = width / 2 + 1
        rect = rect.adjusted(inset, inset, -inset, -inset)
        if t != b or left != right:
            tint = self.style_.color("accent2")
            tint.setAlpha(50)
            p.fillRect(rect, tint)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(self.style_.color("base"), width + 2))
        p.drawRect(rect)
        pen = QPen(self.style_.color("accent2" if focused else "muted"), width)
        if not focused:
            pen.setStyle(Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.drawRect(rect)

    def focusInEvent(self, event) -> None:
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event) -> None:
        self.update()
        super().focusOutEvent(event)

    # ------------------------------------------------------------- editing
    @property
    def editing(self) -> bool:
        return self._editor is not None

    @property
    def line_edit(self) -> QLineEdit | None:
        return self._editor

    def edit(self, r: int, c: int, initial: str | None = None) -> QLineEdit:
        """Open the in-place editor on (r, c), with ``initial`` text if typing started it."""
        if self._editor is not None:
            self._close_editor()
        self.select(r, c)
        ed = QLineEdit(self)
        ed.setAlignment(Qt.AlignmentFlag.AlignCenter)
        ed.setFrame(False)
        ed.installEventFilter(self)
        self._editor = ed
        self._edit_cell = (r, c)
        self._edit_typed = initial is not None
        if initial is not None:
            ed.setText(initial)
            ed.setCursorPosition(len(initial))
        else:
            ed.setText(format_number(float(self.session.grid(self.name)[r, c]), digits=12))
            ed.selectAll()
        self._style_editor()
        self._place_editor()
        ed.show()
        ed.setFocus(Qt.FocusReason.OtherFocusReason)
        return ed

    def _style_editor(self) -> None:
        if self._editor is None:
            return
        t = self.style_.theme
        self._editor.setStyleSheet(
            f"QLineEdit {{ background: {t.base}; color: {t.text}; "
            f"border: {self.style_.px(3)}px solid {t.accent2}; }}"
        )

    def _place_editor(self) -> None:
        if self._editor is None or self._edit_cell is None:
            return
        rect = self.cell_rect(*self._edit_cell)
        min_w = self.style_.px(110)
        w = max(rect.width(), min_w)
        h = max(rect.height(), self.style_.px(40))
        x = rect.center().x() - w / 2
        y = rect.center().y() - h / 2
        x = max(0.0, min(x, self.width() - w))
        y = max(0.0, min(y, self.height() - h))
        self._editor.setGeometry(QRect(int(x), int(y), int(w), int(h)))
        f = self.style_.font(bold=True)
        f.setPixelSize(max(MIN_DIGIT_PX + 4, int(min(h, self.style_.px(60)) * 0.5)))
        self._editor.setFont(f)

    def commit(self) -> bool:
        """Write the open editor's text to the model; on a problem keep it open and say why."""
        if self._editor is None or self._edit_cell is None:
            return True
        r, c = self._edit_cell
        text = self._editor.text()
        try:
            self.session.set_cell(self.name, r, c, text)
        except ValueProblem as exc:
            self._problem(str(exc), (r, c))
            self._editor.selectAll()
            return False
        self.sig_message.emit("")
        self._close_editor()
        return True

    def cancel(self) -> None:
        """Close the editor, leaving the cell as it was."""
        self._close_editor()
        self.sig_message.emit("")

    def _close_editor(self) -> None:
        ed, self._editor, self._edit_cell = self._editor, None, None
        if ed is not None:
            ed.removeEventFilter(self)
            had_focus = ed.hasFocus()
            ed.hide()
            ed.deleteLater()
            if had_focus:
                self.setFocus(Qt.FocusReason.OtherFocusReason)
        QToolTip.hideText()
        self.update()

    def _problem(self, message: str, cell: tuple[int, int] | None = None) -> None:
        self.sig_message.emit(message)
        if cell is not None and self.isVisible():
            rect = self.cell_rect(*cell)
            pos = self.mapToGlobal(QPoint(int(rect.left()), int(rect.bottom())))
            QToolTip.showText(pos, message, self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is not self._editor:
            return False
        et = event.type()
        if et == QEvent.Type.ShortcutOverride:
            # While a cell is being edited every plain key belongs to it (not to stepping).
            ctrl = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
            if not event.modifiers() & ctrl:  # type: ignore[attr-defined]
                event.accept()
                return True
            return False
        if et == QEvent.Type.KeyPress:
            if self._editor_key(event):  # type: ignore[arg-type]
                return True
            # Everything else is the line edit's, and goes no further (no stepping).
            self._editor.event(event)
            event.accept()
            return True
        if et == QEvent.Type.FocusOut and self._editor is not None:
            reason = event.reason()  # type: ignore[attr-defined]
            if reason not in (
                Qt.FocusReason.PopupFocusReason,
                Qt.FocusReason.ActiveWindowFocusReason,
            ):
                # Clicking elsewhere keeps a good value; a bad one stays open, text intact.
                self.commit()
        return False

    def _editor_key(self, e: QKeyEvent) -> bool:
        k = e.key()
        mods = e.modifiers()
        if k in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.commit():
                self._move(-1 if mods & Qt.KeyboardModifier.ShiftModifier else 1, 0)
            return True
        if k == Qt.Key.Key_Escape:
            self.cancel()
            return True
        if k in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            back = k == Qt.Key.Key_Backtab or bool(mods & Qt.KeyboardModifier.ShiftModifier)
            if self.commit():
                self._move(0, -1 if back else 1, wrap=True)
            return True
        moves = {Qt.Key.Key_Up: (-1, 0), Qt.Key.Key_Down: (1, 0)}
        if self._edit_typed:  # typing started it: left/right leave the cell, as in a spreadsheet
            moves.update({Qt.Key.Key_Left: (0, -1), Qt.Key.Key_Right: (0, 1)})
        if k in moves:
            if self.commit():
                self._move(*moves[k])
            return True
        return False

    # --------------------------------------------------------------- keys
    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ShortcutOverride and self._editor is None:
            # Keys the grid uses itself win over the view's stepping shortcuts.
            ke: QKeyEvent = e  # type: ignore[assignment]
            if ke.matches(QKeySequence.StandardKey.Copy) or ke.matches(
                QKeySequence.StandardKey.Paste
            ):
                e.accept()
                return True
            if self._sel is not None and self._wants_key(ke):
                e.accept()
                return True
        if e.type() == QEvent.Type.KeyPress and self._editor is None and self._sel is not None:
            ke = e  # type: ignore[assignment]
            if ke.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
                back = ke.key() == Qt.Key.Key_Backtab
                self._move(0, -1 if back else 1, wrap=True)
                return True
        return super().event(e)

    def _wants_key(self, e: QKeyEvent) -> bool:
        """True for the keys a selected grid handles (arrows, Enter, digits...)."""
        if e.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            return False
        text = e.text()
        return e.key() in _GRID_KEYS or bool(text and text in _START_CHARS)

    def keyPressEvent(self, e: QKeyEvent) -> None:
        if self._editor is not None:
            e.accept()  # keys belong to the open editor
            return
        if e.matches(QKeySequence.StandardKey.Copy):
            self.copy()
            return
        if e.matches(QKeySequence.StandardKey.Paste):
            self.paste_clipboard()
            return
        k = e.key()
        mods = e.modifiers()
        text = e.text()
        if self._sel is None:
            if k in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2) or (
                text and text in _START_CHARS
            ):
                self.select(0, 0)
            else:
                e.ignore()  # arrows etc. belong to the parent view until a cell is chosen
                return
        assert self._sel is not None
        if (
            text
            and text in _START_CHARS
            and not mods & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
        ):
            self.edit(*self._sel, initial=text)
            return
        if k in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2):
            self.edit(*self._sel)
            return
        extend = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        arrows = {
            Qt.Key.Key_Up: (-1, 0),
            Qt.Key.Key_Down: (1, 0),
            Qt.Key.Key_Left: (0, -1),
            Qt.Key.Key_Right: (0, 1),
        }
        if k in arrows and not mods & Qt.KeyboardModifier.ControlModifier:
            self._move(*arrows[k], extend=extend)
            return
        if k in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.clear_cells()
            return
        if k == Qt.Key.Key_Escape:
            self.clear_selection()
            self.sig_message.emit("")
            e.ignore()
            return
        e.ignore()

    def clear_cells(self) -> None:
        """Set the selected cells to 0 (one undo step)."""
        sel = self.selection()
        if sel is None:
            return
        t, left, b, right = sel
        cells = [(r, c) for r in range(t, b + 1) for c in range(left, right + 1)]
        with self.session.gesture():
            self.session.paint(self.name, cells, 0.0)

    # ----------------------------------------------------------- clipboard
    def copy(self) -> str:
        """Copy the selection (several cells) or the whole grid as tab-separated rows."""
        text = format_block(self._copy_block())
        QApplication.clipboard().setText(text)
        return text

    def copy_numpy(self) -> str:
        """Copy the same block as ``[[1, -1]]``-style text for Python."""
        text = format_numpy(self._copy_block())
        QApplication.clipboard().setText(text)
        return text

    def _copy_block(self) -> np.ndarray:
        a = np.asarray(self.session.grid(self.name))
        sel = self.selection()
        if sel is not None and (sel[0] != sel[2] or sel[1] != sel[3]):
            t, left, b, right = sel
            return a[t : b + 1, left : right + 1]
        return a

    def paste_clipboard(self) -> bool:
        """Paste the clipboard's block at the selected cell (top-left if none)."""
        return self.paste_text(QApplication.clipboard().text())

    def paste_text(self, text: str) -> bool:
        sel = self.selection()
        r, c = (sel[0], sel[1]) if sel is not None else (0, 0)  # the selection's top-left
        try:
            block = parse_block(text)
            with self.session.gesture():
                rows, cols = self.session.paste(self.name, r, c, block)
        except ValueProblem as exc:
            self._problem(f"Nothing was pasted. {exc}", (r, c))
            return False
        self.select(r, c)
        self.select(r + rows - 1, c + cols - 1, extend=True)
        self.sig_message.emit("")
        return True

    # --------------------------------------------------------------- brush
    @property
    def brush(self) -> bool:
        return self._brush

    def set_brush(self, on: bool, value: float | None = None) -> None:
        self._brush = bool(on)
        if value is not None:
            self.brush_value = float(value)
        self.setCursor(Qt.CursorShape.CrossCursor if on else Qt.CursorShape.ArrowCursor)

    def _paint_to(self, cell: tuple[int, int]) -> None:
        """Paint the cells on the line from the last painted cell to ``cell``."""
        start = self._last_paint or cell
        n = max(abs(cell[0] - start[0]), abs(cell[1] - start[1]))
        cells = {
            (
                round(start[0] + (cell[0] - start[0]) * i / max(n, 1)),
                round(start[1] + (cell[1] - start[1]) * i / max(n, 1)),
            )
            for i in range(n + 1)
        }
        self._last_paint = cell
        try:
            self.session.paint(self.name, sorted(cells), self.brush_value)
        except ValueProblem as exc:
            self._problem(str(exc))

    def _end_gesture(self) -> None:
        if self._gesture is not None:
            g, self._gesture = self._gesture, None
            g.close()
        self._last_paint = None

    # --------------------------------------------------------------- mouse
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._editor is not None and not self.commit():
            return
        cell = self.cell_at(event.position())
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        if cell is None:
            self.clear_selection()
            return
        if event.button() == Qt.MouseButton.LeftButton:
            self.sig_cell_clicked.emit(*cell)
            if self._brush:
                self._end_gesture()
                self._gesture = contextlib.ExitStack()
                self._gesture.enter_context(self.session.gesture())
                self._paint_to(cell)
            else:
                extend = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                self.select(*cell, extend=extend)
                self._dragging = True
                self.sig_message.emit("")

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        if not event.buttons() & Qt.MouseButton.LeftButton:
            return
        cell = self.cell_at(event.position())
        if cell is None:
            return
        if self._gesture is not None:
            if cell != self._last_paint:
                self._paint_to(cell)
        elif self._dragging and cell != self._sel:
            self.select(*cell, extend=True)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._end_gesture()
        self._dragging = False
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        cell = self.cell_at(event.position())
        if cell is not None and not self._brush:
            self.edit(*cell)

    def hideEvent(self, event) -> None:
        self._end_gesture()
        super().hideEvent(event)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_editor()

    def _cell_cap_changed(self) -> None:
        self._place_editor()

    def _on_style_changed(self) -> None:
        super()._on_style_changed()
        self._style_editor()
        self._place_editor()


def __getattr__(name: str):
    """Older imports (``from .grid_editor import GridPanel``) still work, lazily: no cycle."""
    if name == "ColorBar":
        from .color_bar import ColorBar

        return ColorBar
    if name == "GridPanel":
        from .grid_panel import GridPanel

        return GridPanel
    raise AttributeError(name)


__all__ = ["GridEditor", "GridName", "GridWidget", "cell_text"]

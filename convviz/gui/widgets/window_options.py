"""The sliding-window view's options form: bias, padding, stride, dilation, and
cross-correlation or convolution (sections 6.2.1 and 6.2.5).

:class:`OptionsForm` applies each option to the :class:`~convviz.model.Session`
as it is set; a value the session refuses (a stride of 0) is shown under the
form and the field goes back to the session's value. The view that holds the
form writes the session's options into it (:meth:`OptionsForm.show_options`)
when the session announces them; the form never reads them on its own.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QButtonGroup,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...model.session import Options, Session
from ...model.values import ValueProblem, format_number
from ..style import Style
from ._util import blocked, set_style_sheet
from .flow import FlowLayout


class _HandsKeysBack:
    """An option field: Enter or Esc hands the keys back to ``home`` (the view's
    stepping keys work again at once), and Ctrl+Z reaches the window's Undo."""

    _home: QWidget

    def keyPressEvent(self, e: QKeyEvent) -> None:
        super().keyPressEvent(e)  # type: ignore[misc]
        if e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape):
            self._home.setFocus(Qt.FocusReason.OtherFocusReason)

    def event(self, e: QEvent) -> bool:
        return _pass_undo(e) or bool(super().event(e))  # type: ignore[misc]


class OptionSpin(_HandsKeysBack, QSpinBox):
    """An option's spin box: applied on Enter or the arrows."""

    def __init__(self, lo: int, hi: int, home: QWidget) -> None:
        super().__init__()
        self.setRange(lo, hi)
        self.setKeyboardTracking(False)
        self._home = home


class OptionDoubleSpin(_HandsKeysBack, QDoubleSpinBox):
    """A number option (bias, speed) shown without trailing zeros: 0.5, not 0.5000."""

    def __init__(self, home: QWidget) -> None:
        super().__init__()
        self.setKeyboardTracking(False)
        self._home = home

    def textFromValue(self, value: float) -> str:
        return format_number(value, digits=6)


def _pass_undo(e: QEvent) -> bool:
    """Let Ctrl+Z / Ctrl+Shift+Z reach the window's Undo/Redo instead of a text field."""
    if e.type() == QEvent.Type.ShortcutOverride and (
        e.matches(QKeySequence.StandardKey.Undo)  # type: ignore[attr-defined]
        or e.matches(QKeySequence.StandardKey.Redo)  # type: ignore[attr-defined]
    ):
        e.ignore()
        return True
    return False


class OptionsForm(QWidget):
    """The layer's options in one flowing row, and a line for a refused value.

    ``home`` gets the keyboard back when Enter leaves a field (the view's
    stepping keys work again at once).
    """

    def __init__(self, session: Session, style: Style, home: QWidget) -> None:
        super().__init__()
        self.session = session
        self.style_ = style
        self.bias = OptionDoubleSpin(home)
        self.bias.setRange(-1e6, 1e6)
        self.bias.setDecimals(4)
        self.bias.setSingleStep(0.5)
        self.bias.setToolTip("The scalar bias b added to every output cell")
        self.pad_r, self.pad_c = OptionSpin(0, 16, home), OptionSpin(0, 16, home)
        self.stride_r, self.stride_c = OptionSpin(1, 16, home), OptionSpin(1, 16, home)
        self.dil_r, self.dil_c = OptionSpin(1, 16, home), OptionSpin(1, 16, home)
        self.mode_corr = QRadioButton("Cross-correlation")
        self.mode_conv = QRadioButton("Convolution (flip K)")
        self.mode_corr.setToolTip("What deep-learning libraries compute (section 6.2.1)")
        self.mode_conv.setToolTip("Strict convolution: the kernel flipped in both axes (6.2.5)")
        self.mode_group = QButtonGroup(self)
        self.mode_group.addButton(self.mode_corr, 0)
        self.mode_group.addButton(self.mode_conv, 1)
        for b in (self.mode_corr, self.mode_conv):
            b.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.message = QLabel()  # a value the session refused, and why
        self.message.setWordWrap(True)
        self.message.hide()

        self.fields = QWidget()  # folds with the grids' edit tools; the message stays
        self.flow = FlowLayout(self.fields)
        self._labels: list[QLabel] = []
        for label, widgets, tip in (
            ("Bias b", (self.bias,), "added after the sum"),
            ("Padding", (self.pad_r, self.pad_c), "rows, columns of zeros around the input"),
            ("Stride", (self.stride_r, self.stride_c), "rows, columns the window moves"),
            ("Dilation", (self.dil_r, self.dil_c), "gaps between the kernel's taps"),
            ("", (self.mode_corr, self.mode_conv), ""),
        ):
            g = QWidget()
            gl = QHBoxLayout(g)
            gl.setContentsMargins(0, 0, 0, 0)
            if label:
                lab = QLabel(label)
                lab.setToolTip(tip)
                self._labels.append(lab)
                gl.addWidget(lab)
            for i, w in enumerate(widgets):
                if i and isinstance(w, QAbstractSpinBox):
                    x = QLabel("×")
                    self._labels.append(x)
                    gl.addWidget(x)
                gl.addWidget(w)
                if isinstance(w, QAbstractSpinBox):
                    w.setToolTip(f"{label}: {tip}" if tip else label)
            self.flow.addWidget(g)
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.addWidget(self.fields)
        root.addWidget(self.message)

        self.bias.valueChanged.connect(lambda v: self.set_options(bias=float(v)))
        for w in (self.pad_r, self.pad_c):
            w.valueChanged.connect(
                lambda _: self.set_options(padding=(self.pad_r.value(), self.pad_c.value()))
            )
        for w in (self.stride_r, self.stride_c):
            w.valueChanged.connect(
                lambda _: self.set_options(stride=(self.stride_r.value(), self.stride_c.value()))
            )
        for w in (self.dil_r, self.dil_c):
            w.valueChanged.connect(
                lambda _: self.set_options(dilation=(self.dil_r.value(), self.dil_c.value()))
            )
        self.mode_group.idToggled.connect(self._on_mode_toggled)
        self._fields_stale = True  # the fields' fonts lag the style (see _on_style_changed)
        style.sig_changed.connect(self._on_style_changed)
        self._on_style_changed()
        self.show_options(session.options)

    def set_options(self, **changes: object) -> None:
        """Apply ``changes`` to the session; a refused value is explained and put back."""
        try:
            self.session.set_options(**changes)
        except ValueProblem as exc:
            self.show_message(str(exc))
            self.show_options(self.session.options)
            return
        self.show_message("")

    def show_options(self, o: Options) -> None:
        """Put the session's options into the fields without applying them again."""
        spins = (self.pad_r, self.pad_c, self.stride_r, self.stride_c, self.dil_r, self.dil_c)
        with blocked(self.bias, *spins, self.mode_group, self.mode_corr, self.mode_conv):
            # Only values that changed: a spin box re-sets its text (a relayout) even for
            # the value it has, and every slide shows its options again.
            if self.bias.value() != o.bias:
                self.bias.setValue(o.bias)
            for spin, value in zip(spins, (*o.padding, *o.stride, *o.dilation), strict=True):
                if spin.value() != value:
                    spin.setValue(value)
            (self.mode_conv if o.convolution else self.mode_corr).setChecked(True)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _on_mode_toggled(self, button_id: int, checked: bool) -> None:
        if checked:
            self.set_options(convolution=button_id == 1)

    def set_fields_visible(self, on: bool) -> None:
        """Fold or show the option fields (they fold with the grids' edit tools)."""
        if on and self._fields_stale:
            self._style_fields()
        self.fields.setVisible(on)

    def _on_style_changed(self) -> None:
        s = self.style_
        self.message.setFont(s.font(12))
        set_style_sheet(self.message, f"color: {s.theme.error};")
        # Folded fields are restyled when shown again, not on every rescale of the stage.
        self._fields_stale = True
        if not self.fields.isHidden():
            self._style_fields()

    def _style_fields(self) -> None:
        """Fonts and gaps of the option fields."""
        self._fields_stale = False
        s = self.style_
        opt = s.font(13)
        for w in (
            self.bias, self.pad_r, self.pad_c, self.stride_r, self.stride_c, self.dil_r,
            self.dil_c, self.mode_corr, self.mode_conv, *self._labels,
        ):  # fmt: skip
            w.setFont(opt)
        self.flow.set_spacing(s.px(18))

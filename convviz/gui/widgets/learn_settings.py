"""The learning view's settings form, and the number box it is built from.

Data, kernel shape, loss, learning rate, steps, start, seed and bias: the
widgets only. The learning view fills them from the model's settings and
reads them back (it owns what an edit means: restart or carry on).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QWidget,
)

from ...model.learning import LOSS_NAMES, MAX_STEPS
from ...model.values import ValueProblem, format_number, parse_number
from ..style import Style
from ._util import blocked


class NumberEdit(QLineEdit):
    """A box for one number (``0.03``, ``1e-6``); :attr:`sig_value` on Enter or leaving it."""

    sig_value = Signal(float)  # payload: the number, once typed and checked

    def __init__(self, value: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._value = float(value)
        self.setText(format_number(value, 6))
        self.editingFinished.connect(self._on_edited)

    def value(self) -> float:
        return self._value

    def set_value(self, v: float) -> None:
        self._value = float(v)
        with blocked(self):
            self.setText(format_number(v, 6))
        self.setProperty("bad", False)
        self.setStyleSheet("")

    def _on_edited(self) -> None:
        try:
            v = parse_number(self.text())
        except ValueProblem as exc:
            self.setStyleSheet("border: 2px solid #b00020;")
            self.setToolTip(str(exc))
            return
        self.setStyleSheet("")
        self.setToolTip("")
        if v != self._value:
            self._value = v
            self.sig_value.emit(v)


class SettingsForm(QScrollArea):
    """The settings, as a form in a frameless scroll area (shown on request only)."""

    def __init__(self, style: Style, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.style_ = style
        box = QWidget()
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.combo_source = QComboBox()
        self.combo_source.addItem("chapter: 6×8 image, K = [1, −1]", "chapter")
        self.combo_source.addItem("session: its input; its kernel made Y", "current")
        self.spin_rows, self.spin_cols = _spin(1, 15), _spin(1, 15)
        shape = QHBoxLayout()
        shape.addWidget(self.spin_rows)
        shape.addWidget(QLabel("×"))
        shape.addWidget(self.spin_cols)
        self.combo_loss = QComboBox()
        for key, name in LOSS_NAMES.items():
            self.combo_loss.addItem(name, key)
        self.edit_lr = NumberEdit(0.03)
        self.lr_hint = QLabel()
        self.lr_hint.setWordWrap(True)
        self.spin_steps = _spin(1, MAX_STEPS)
        self.spin_steps.setGroupSeparatorShown(True)
        self.combo_init = QComboBox()
        for key, name in (
            ("uniform", "uniform in ±scale"),
            ("normal", "normal, σ = scale"),
            ("typed", "typed below"),
            ("book", "the book's start"),  # replays the printed run (1×2 only)
        ):
            self.combo_init.addItem(name, key)
        self.edit_scale = NumberEdit(0.07)
        self.edit_typed = QLineEdit("0, 0")
        self.edit_typed.setToolTip("The start kernel: rows on separate lines or [[1, -1]]")
        self.spin_seed = _spin(0, 2**31 - 1)
        self.btn_seed = _button("New seed", "Draw a new random start")
        seed = QHBoxLayout()
        seed.addWidget(self.spin_seed, 1)
        seed.addWidget(self.btn_seed)
        self.check_bias = QCheckBox("learn a bias b too")
        form.addRow(_label("Data"), self.combo_source)
        form.addRow(_label("Kernel"), shape)
        form.addRow(_label("Loss"), self.combo_loss)
        form.addRow(_label("Learning rate"), self.edit_lr)
        form.addRow("", self.lr_hint)
        form.addRow(_label("Steps per Train"), self.spin_steps)
        form.addRow(_label("Start"), self.combo_init)
        form.addRow(_label("Scale"), self.edit_scale)
        form.addRow(_label("Typed start"), self.edit_typed)
        form.addRow(_label("Seed"), seed)
        form.addRow("", self.check_bias)
        self.settings_problem = QLabel()
        self.settings_problem.setWordWrap(True)
        form.addRow(self.settings_problem)
        self.setWidget(box)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.inner = box


def _button(text: str, tip: str) -> QPushButton:
    b = QPushButton(text)
    b.setToolTip(tip)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys keep driving the view
    return b


def _label(text: str) -> QLabel:
    return QLabel(text)


def _spin(lo: int, hi: int) -> QSpinBox:
    s = QSpinBox()
    s.setRange(lo, hi)
    s.setKeyboardTracking(False)
    return s

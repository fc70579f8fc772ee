"""The learning view's transport bar: train, step, reset, run until, pace, editions.

Widgets only, in a row that wraps like words (:class:`~.flow.FlowLayout`);
the learning view wires each button to what it does. Presenting folds the
whole bar away (only the stage is projected).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFrame, QLabel, QPushButton, QWidget

from ..style import Style
from .flow import FlowLayout
from .learn_settings import NumberEdit


class TrainingBar(QWidget):
    """Train / Step / Reset / Run until, the pace, the two editions and Settings…"""

    def __init__(
        self, style: Style, threshold: float, paces: dict, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        flow = FlowLayout(self, spacing=style.px(6))
        self.btn_train = _button("▶ Train", "Train for the number of steps set (Space)")
        self.btn_step = _button("Step", "Take one gradient step (→ or Page Down)")
        self.btn_reset = _button(
            "⟲ Reset", "Back to the same start: the same seed replays the same run (Home)"
        )
        self.btn_until = _button("Run until loss ≤", "Train until the loss is this small")
        self.edit_threshold = NumberEdit(threshold)
        self.edit_threshold.setToolTip("The loss at which 'Run until' stops")
        self.combo_pace = QComboBox()
        for name, val in paces.items():
            self.combo_pace.addItem(name, val)
        self.combo_pace.setToolTip(
            "How fast the run is shown: auto spreads a press of Train over about 2 s; "
            "fastest trains as fast as the window allows"
        )
        self.btn_mxnet = _button(
            "MXNet edition", "Squared error summed, lr 0.03, uniform ±0.07 start, 10 steps"
        )
        self.btn_djl = _button(
            "DJL edition", "L2 loss (half the mean of squares), lr 0.40, normal σ 0.01, 10 steps"
        )
        self.btn_settings = _button("Settings…", "Show or hide the settings")
        self.btn_settings.setCheckable(True)
        for w in (
            self.btn_train,
            self.btn_step,
            self.btn_reset,
            self.btn_until,
            self.edit_threshold,
            QLabel("pace"),
            self.combo_pace,
            _vline(),
            self.btn_mxnet,
            self.btn_djl,
            _vline(),
            self.btn_settings,
        ):
            flow.addWidget(w)


def _button(text: str, tip: str) -> QPushButton:
    b = QPushButton(text)
    b.setToolTip(tip)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys keep driving the view
    return b


def _vline() -> QFrame:
    f = QFrame()
    f.setFrameShape(QFrame.Shape.VLine)
    f.setFrameShadow(QFrame.Shadow.Sunken)
    return f

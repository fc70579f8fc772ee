"""The sliding-window view (placeholder until the grid editor lands)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ...model import Session
from ..style import Style


class WindowView(QWidget):
    def __init__(self, session: Session, style: Style) -> None:
        super().__init__()
        self.session = session
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("The sliding-window view is being built."))

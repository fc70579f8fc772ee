"""Dropping a picture file: one handler pair shared by the edge view and the main window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QDragEnterEvent, QDropEvent

from ...model.images import IMAGE_SUFFIXES


def dropped_path(mime: QMimeData) -> str | None:
    """The first local file in a drag, if it looks like a picture (or has no suffix)."""
    if not mime.hasUrls():
        return None
    for url in mime.urls():
        if url.isLocalFile():
            p = url.toLocalFile()
            suffix = Path(p).suffix.lower()
            if not suffix or suffix in IMAGE_SUFFIXES or Path(p).is_file():
                return p
    return None


class ImageDrops:
    """Mixin for a QWidget with ``open_image(path)``: accept a dropped picture and open it.

    Listed before the Qt base class so its handlers take the place of Qt's."""

    def open_image(self, path: str | None = None) -> None:
        raise NotImplementedError

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_path(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = dropped_path(event.mimeData())
        if path is not None:
            event.acceptProposedAction()
            self.open_image(path)

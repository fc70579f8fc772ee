"""What a test compares before and after: the scene on screen, and the session's bookkeeping."""

from __future__ import annotations

from convviz.model import Session


def scene(s: Session) -> tuple:
    """What the views show: grids, options, step, what is hidden, the attached states."""
    grids = (s.input.tobytes(), s.input.shape, s.kernel.tobytes(), s.kernel.shape)
    attached = (s.edges.name, s.edges.show_kt, s.learning.settings)
    return (*grids, s.options, s.step, s.hidden, *attached)


def snapshot(s: Session) -> tuple:
    """The scene plus undo and ``modified``: what a refused input must leave unchanged."""
    return (*scene(s), s.modified, s.can_undo)

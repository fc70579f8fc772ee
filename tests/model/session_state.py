"""What a refused input must leave unchanged, compared before and after."""

from __future__ import annotations

from convviz.model import Session


def snapshot(s: Session) -> tuple:
    """Everything a user could see change: grids, options, step, attached states, undo."""
    return (
        s.input.tobytes(),
        s.input.shape,
        s.kernel.tobytes(),
        s.kernel.shape,
        s.options,
        s.step,
        s.hidden,
        s.learning.settings,
        s.edges.name,
        s.modified,
        s.can_undo,
    )

"""What the window and a lesson ask of every view: one typed contract, no probing.

A view is a ``QWidget`` in :mod:`convviz.gui.widgets` that draws part of the
:class:`~convviz.model.Session` and listens to its events (nobody calls into
a view to say the model changed). Besides that, the window and the lesson
controller need the three calls below from each one, so they call them
directly instead of asking whether a view has them. A view with nothing to
fold or nothing running implements them as no-ops and says so.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class View(Protocol):
    """The calls :class:`~.main_window.MainWindow` and the lesson controller make on a view."""

    def set_controls_visible(self, on: bool) -> None:
        """View ▸ Hide controls and presenting: only what the class must read stays."""

    def set_tools_visible(self, on: bool) -> None:
        """Show or fold the editing tools (a lesson folds them: the class needs the grids)."""

    def pause(self) -> None:
        """Stop anything the view runs by itself (playing, training): the slide changes."""

    def hold(self) -> None:
        """A lesson click is about to show another view: until :meth:`release`, draw
        nothing for model changes, as if hidden (the lesson sets the model up before it
        switches views, and what this view drew would be hidden unseen)."""

    def release(self) -> None:
        """The click is over: a view still on screen shows what it held back."""

"""Edge maps (section 6.2.3 and exercise 1): a picture, its transpose, and the kernel.

:class:`EdgeState` holds the picture being looked at and derives, lazily and
in float32, the maps the chapter talks about::

    corr2d(X, K)     corr2d(Xᵀ, K)          always
    corr2d(X, Kᵀ)    corr2d(Xᵀ, Kᵀ)         when "show Kᵀ" is on

``K`` is the :class:`~convviz.model.Session`'s kernel, the one the other
views edit. The maps are *plain* cross-correlations: the session's padding,
stride, dilation, bias and convolution flip are not applied here, so the
maps are exactly the chapter's ``corr2d``.

Only ``corr2d(X, K)`` and ``corr2d(Xᵀ, K)`` are computed by the engine; the
other two are their transposes, because transposing both the picture and the
kernel transposes the output::

    corr2d(Xᵀ, Kᵀ) = corr2d(X, K)ᵀ        corr2d(X, Kᵀ) = corr2d(Xᵀ, K)ᵀ

(``Y[i, j] = Σ X[i+a, j+b]·K[a, b]``; swap every pair of indices.) That is
also the answer to the exercise's last question, and it halves the work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..engine import WindowStep, corr2d, geometry, window_steps
from ..resources import resource
from . import presets
from .colormap import symmetric_limit
from .events import Event
from .images import DEFAULT_MAX_SIDE, ImageInfo, check_max_side, load_image

if TYPE_CHECKING:
    from .session import Session

#: The four maps, in the order the view lays them out.
MAP_KEYS = ("XK", "XtK", "XKt", "XtKt")
#: Which picture and which kernel each map correlates.
MAP_PARTS = {"XK": ("X", "K"), "XtK": ("Xᵀ", "K"), "XKt": ("X", "Kᵀ"), "XtKt": ("Xᵀ", "Kᵀ")}
#: The maps that exist only while "show Kᵀ" is on.
KT_KEYS = ("XKt", "XtKt")
#: Each Kᵀ map is the transpose of an engine-computed one.
TRANSPOSE_OF = {"XKt": "XtK", "XtKt": "XK"}


# ----------------------------------------------------------------- pictures
@dataclass(frozen=True)
class PictureSource:
    """A picture the view offers by name: a built-in grid or a sample file."""

    name: str
    make: Callable[[], np.ndarray] | None = None  # built-in grids
    sample: str | None = None  # a file in resources/images/

    @property
    def path(self) -> Path | None:
        return resource("images", self.sample) if self.sample else None


CHAPTER = "Chapter 6.2.3: 6×8, dark band"

PICTURES: dict[str, PictureSource] = {
    p.name: p
    for p in (
        PictureSource(CHAPTER, presets.edge_image),
        PictureSource("Exercise 1: diagonal edge (8×8)", presets.diagonal),
        PictureSource("Checkerboard (8×8)", presets.checkerboard),
        PictureSource("Disc (9×9)", presets.disc),
        PictureSource("Sample: house front", sample="facade.png"),
        PictureSource("Sample: coin", sample="coin.png"),
        PictureSource("Sample: letters", sample="letters.png"),
        PictureSource("Sample: checker in uneven light", sample="checker.png"),
        PictureSource("Sample: wood grain", sample="texture.png"),
    )
}


def as_picture(values: object) -> np.ndarray:
    """A finite, non-empty 2-D float32 copy of ``values``, or ValueError."""
    a = np.array(values, dtype=np.float32)
    if a.ndim != 2 or a.size == 0:
        raise ValueError(f"A picture must be a non-empty 2-D grid, not shape {a.shape}.")
    if not np.isfinite(a).all():
        raise ValueError("A picture must hold finite numbers only.")
    return np.ascontiguousarray(a)


# --------------------------------------------------------------------- maps
@dataclass(frozen=True)
class EdgeMap:
    """One map, its name and shape, and whether it is entirely zero.

    ``values`` is None when the kernel does not fit the picture; ``error``
    then says why in words.
    """

    key: str
    values: np.ndarray | None
    error: str | None = None

    @property
    def image(self) -> str:
        return MAP_PARTS[self.key][0]

    @property
    def kernel(self) -> str:
        return MAP_PARTS[self.key][1]

    @property
    def name(self) -> str:
        return f"corr2d({self.image}, {self.kernel})"

    @property
    def shape(self) -> tuple[int, int] | None:
        if self.values is None:
            return None
        return int(self.values.shape[0]), int(self.values.shape[1])

    @property
    def vanishes(self) -> bool:
        """True when every value is exactly 0 (the chapter: "As expected, it vanishes")."""
        return self.values is not None and not self.values.any()

    @property
    def transpose_of(self) -> str | None:
        """For the Kᵀ maps: the name of the map whose transpose this is."""
        src = TRANSPOSE_OF.get(self.key)
        return None if src is None else "corr2d({}, {})".format(*MAP_PARTS[src])

    def caption(self) -> str:
        if self.shape is None:
            return self.name
        return f"{self.name} — {self.shape[0]}×{self.shape[1]}"


# -------------------------------------------------------------------- state
class EdgeState:
    """The picture, the "show Kᵀ" switch and the scale-down limit; maps on demand.

    Nothing is computed until :meth:`map` or :meth:`maps` is called, so
    building a Session never runs compiled code. :attr:`changed` is emitted
    with a frozenset drawn from ``{"picture", "maps", "show_kt", "max_side",
    "hidden"}``; a kernel edit in the session arrives as ``{"maps"}``, and a
    lesson hiding or revealing maps (``Session.hidden``) as ``{"hidden"}``, so
    the edge view listens to this one event and redraws once per change.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.changed = Event()  # payload: frozenset[str] of parts that changed
        self._picture = as_picture(presets.edge_image())
        self._picture_t: np.ndarray | None = None
        self._name = CHAPTER
        self._info: ImageInfo | None = None
        self._path: str | None = None
        self._max_side = DEFAULT_MAX_SIDE
        self._show_kt = False
        self._maps: dict[str, EdgeMap] = {}
        self._kernel_used: np.ndarray | None = None
        #: False until the maps are first looked at (or a lesson chose what they show).
        self.looked = False
        session.changed.connect(self._on_session_changed)

    # ----------------------------------------------------------- reading
    @property
    def picture(self) -> np.ndarray:
        """X, float32, read-only."""
        v = self._picture.view()
        v.flags.writeable = False
        return v

    @property
    def picture_t(self) -> np.ndarray:
        """Xᵀ as its own contiguous float32 array (made once per picture), read-only."""
        if self._picture_t is None:
            self._picture_t = np.ascontiguousarray(self._picture.T)
            self._picture_t.flags.writeable = False
        return self._picture_t

    def image(self, which: str) -> np.ndarray:
        """``"X"`` or ``"Xᵀ"``."""
        return self.picture if which == "X" else self.picture_t

    @property
    def kernel(self) -> np.ndarray:
        """K: the session's kernel as it is (no flip, no options), float32."""
        return np.asarray(self.session.kernel, dtype=np.float32)

    def kernel_as(self, which: str) -> np.ndarray:
        """``"K"`` or ``"Kᵀ"``."""
        return self.kernel if which == "K" else np.ascontiguousarray(self.kernel.T)

    @property
    def name(self) -> str:
        """What the picture is called: a preset's name or a file's name."""
        return self._name

    @property
    def info(self) -> ImageInfo | None:
        """How a file was read (sizes, conversion), or None for a built-in grid."""
        return self._info

    @property
    def path(self) -> str | None:
        """The file the picture came from, or None for a built-in grid."""
        return self._path

    @property
    def max_side(self) -> int:
        return self._max_side

    @property
    def show_kt(self) -> bool:
        return self._show_kt

    def shown_keys(self) -> tuple[str, ...]:
        """The maps on show: two, or four with "show Kᵀ"."""
        return MAP_KEYS if self._show_kt else MAP_KEYS[:2]

    # ----------------------------------------------------------- changing
    def set_picture(
        self,
        values: object,
        name: str,
        *,
        info: ImageInfo | None = None,
        path: str | Path | None = None,
    ) -> None:
        """Show a new picture; ValueError (picture unchanged) if it is not a 2-D grid."""
        pic = as_picture(values)
        self._picture = pic
        self._picture_t = None
        self._name = str(name)
        self._info = info
        self._path = str(path) if path is not None else None
        self._invalidate()
        self.changed.emit(frozenset({"picture", "maps"}))

    def load_preset(self, name: str) -> None:
        """A built-in grid by name, or a sample file read here (small, so quick)."""
        try:
            src = PICTURES[name]
        except KeyError:
            raise KeyError(f"No picture {name!r}; choose from {list(PICTURES)}") from None
        if src.make is not None:
            self.set_picture(src.make(), src.name)
        else:
            arr, info = load_image(src.path, self._max_side)  # type: ignore[arg-type]
            self.set_picture(arr, src.name, info=info, path=src.path)

    def load_file(self, path: str | Path) -> ImageInfo:
        """Read a picture file here and show it; ValueError (picture unchanged) if unreadable.

        The GUI calls :func:`~convviz.model.images.load_image` on a worker
        thread instead and hands the result to :meth:`set_picture`.
        """
        arr, info = load_image(path, self._max_side)
        self.set_picture(arr, info.name, info=info, path=path)
        return info

    def set_max_side(self, max_side: int) -> None:
        """Change the scale-down limit for pictures read from now on (ValueError if absurd)."""
        m = check_max_side(max_side)
        if m != self._max_side:
            self._max_side = m
            self.changed.emit(frozenset({"max_side"}))

    def set_show_kt(self, show: bool) -> None:
        show = bool(show)
        if show != self._show_kt:
            self._show_kt = show
            self.changed.emit(frozenset({"show_kt"}))

    def use_chapter_example(self) -> None:
        """The 6×8 picture and the kernel ``[[1, −1]]``: section 6.2.3 as printed."""
        self.load_preset(CHAPTER)
        self.session.set_grid("kernel", [[1.0, -1.0]])

    def first_look(self) -> bool:
        """Called when the maps are first shown: open on section 6.2.3 as printed.

        The app starts on Fig. 6.2.1's 2×2 kernel, whose maps of the band mean
        nothing; if the session still holds it untouched and the picture is the
        chapter's, the kernel becomes ``[[1, −1]]`` (one undo step; the session
        is not marked modified). True if it did.
        """
        if self.looked:
            return False
        self.looked = True
        s = self.session
        if (
            s.modified
            or self._name != CHAPTER
            or not np.array_equal(s.kernel, presets.fig_621_kernel())
            or not np.array_equal(s.input, presets.fig_621())
        ):
            return False
        s.set_grid("kernel", [[1.0, -1.0]])
        s.modified = False
        return True

    # ----------------------------------------------------------- computing
    def map(self, key: str) -> EdgeMap:
        """One map, computed by the engine on first use after a change."""
        if key not in MAP_PARTS:
            raise KeyError(f"No map {key!r}; choose from {MAP_KEYS}")
        self._check_kernel()
        m = self._maps.get(key)
        if m is None:
            m = self._compute(key)
            self._maps[key] = m
        return m

    def maps(self) -> dict[str, EdgeMap]:
        """The maps on show (see :meth:`shown_keys`), by key."""
        return {k: self.map(k) for k in self.shown_keys()}

    def limit(self) -> float:
        """Half-width of the one shared colour scale: picture, kernel and maps on show."""
        arrays = [self._picture, self.kernel]
        arrays += [m.values for m in self.maps().values() if m.values is not None]
        return symmetric_limit(*arrays)

    def window(self, key: str, row: int, col: int) -> WindowStep:
        """The window and arithmetic behind one cell of a map, as the engine steps it.

        Only the window's own patch is handed to :func:`window_steps`, so a
        click on a large picture costs as little as on the 6×8 one; ``rows``,
        ``cols``, ``out_pos`` and ``n`` are then moved back to where the
        window sits in the whole picture.
        """
        m = self.map(key)
        if m.shape is None:
            raise ValueError(m.error or "This map has no cells.")
        oh, ow = m.shape
        if not (0 <= row < oh and 0 <= col < ow):
            raise IndexError(f"cell ({row}, {col}) is outside {m.name} ({oh}×{ow})")
        K = self.kernel_as(m.kernel)
        kh, kw = K.shape
        patch = self.image(m.image)[row : row + kh, col : col + kw]
        step = window_steps(patch, K)[0]
        return replace(
            step,
            n=row * ow + col,
            out_pos=(row, col),
            rows=step.rows + row,
            cols=step.cols + col,
        )

    # ----------------------------------------------------------- internals
    def _compute(self, key: str) -> EdgeMap:
        src = TRANSPOSE_OF.get(key)
        if src is not None:
            base = self.map(src)
            if base.values is None:  # say it with this map's own shapes
                img, ker = MAP_PARTS[key]
                try:
                    geometry(self.image(img).shape, self.kernel_as(ker).shape)
                except ValueError as exc:
                    return EdgeMap(key, None, str(exc))
                return EdgeMap(key, None, base.error)
            t = base.values.T  # a view: transposing costs nothing
            return EdgeMap(key, t)
        img, _ = MAP_PARTS[key]
        try:
            Y = corr2d(self.image(img), self.kernel)
        except ValueError as exc:
            return EdgeMap(key, None, str(exc))
        Y.flags.writeable = False
        return EdgeMap(key, Y)

    def _check_kernel(self) -> None:
        """Drop cached maps whenever the session's kernel differs from the one used."""
        K = self.session.kernel
        if self._kernel_used is None or not (
            self._kernel_used.shape == K.shape and np.array_equal(self._kernel_used, K)
        ):
            self._maps.clear()
            self._kernel_used = np.array(K, copy=True)

    def _invalidate(self) -> None:
        self._maps.clear()
        self._kernel_used = None

    def _on_session_changed(self, parts: frozenset) -> None:
        mine = frozenset({"hidden"}) & parts
        if "kernel" in parts:
            self._invalidate()
            mine |= {"maps"}
        if mine:
            self.changed.emit(mine)

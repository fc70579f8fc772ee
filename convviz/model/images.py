"""Reading pictures from files into grey-scale float32 grids, with Pillow.

Qt-free, so the GUI calls :func:`load_image` on a worker thread and tests
call it directly. Anything that goes wrong becomes a :class:`ValueError`
whose text a lecturer can read out loud: which file, and what is wrong.
"""

from __future__ import annotations

import re
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .values import shorten

#: The scale-down limit offered by default, and the range a user may pick.
DEFAULT_MAX_SIDE = 1024
MIN_MAX_SIDE = 8
MAX_MAX_SIDE = 4096

#: File name patterns offered by an "Open image" dialog.
FILE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp);;All files (*)"
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"})

_WHAT_WE_READ = "PNG, JPEG or BMP"
#: Pictures with more pixels are refused from their header, before any decoding:
#: a 16-bit 88-megapixel PNG is 172 kB on disk and 1.9 GB once read. 50 megapixels
#: covers any camera a lecturer photographs a blackboard with.
MAX_PIXELS = 50_000_000
#: JPEGs are decoded at a reduced size (``draft``), so they may be larger.
MAX_JPEG_PIXELS = 200_000_000
_COLOUR_MODES = frozenset({"RGB", "RGBA", "RGBX", "RGBa", "CMYK", "YCbCr", "LAB", "HSV"})
_ORIENTATION = 0x0112  # the EXIF tag a camera writes when held upright


@dataclass(frozen=True)
class ImageInfo:
    """Where a picture came from and what was done to it on the way in.

    Sizes are ``(rows, columns)`` like every grid in convviz.
    """

    name: str
    path: str
    format: str
    mode: str
    original_shape: tuple[int, int]
    shape: tuple[int, int]
    max_side: int
    converted_to_grey: bool

    @property
    def scaled(self) -> bool:
        return self.shape != self.original_shape

    def describe(self) -> str:
        """One line for the status area, e.g. ``photo.jpg: JPEG 3000×4000, colour → grey, ...``."""
        r, c = self.original_shape
        parts = [f"{self.name}: {self.format or 'image'} {r}×{c}"]
        if self.converted_to_grey:
            parts.append("colour → grey")
        if self.scaled:
            nr, nc = self.shape
            parts.append(f"scaled down to {nr}×{nc} (max side {self.max_side})")
        return ", ".join(parts)


def check_max_side(max_side: object) -> int:
    """The scale-down limit as an int within the offered range, or ValueError.

    Typed strictly: ``"256"`` and ``256.9`` are refused, not converted.
    """
    if isinstance(max_side, (bool, np.bool_)) or not isinstance(max_side, (int, np.integer)):
        shown = repr(max_side)
        shown = shown if len(shown) <= 24 else shown[:23] + "…"
        raise ValueError(f"The largest side must be a whole number of pixels, not {shown}.")
    m = int(max_side)
    if not MIN_MAX_SIDE <= m <= MAX_MAX_SIDE:
        raise ValueError(
            f"The largest side must be between {MIN_MAX_SIDE} and {MAX_MAX_SIDE} pixels, not {m}."
        )
    return m


def scaled_shape(shape: tuple[int, int], max_side: int) -> tuple[int, int]:
    """``shape`` shrunk to fit ``max_side`` keeping its aspect; never enlarged."""
    r, c = shape
    big = max(r, c)
    if big <= max_side:
        return r, c
    f = max_side / big
    return max(1, round(r * f)), max(1, round(c * f))


def load_image(path: str | Path, max_side: int = DEFAULT_MAX_SIDE) -> tuple[np.ndarray, ImageInfo]:
    """Read a picture as a grey-scale float32 grid in [0, 1], at most ``max_side`` a side.

    Colour becomes grey by ITU-R 601 luma (Pillow's ``L`` conversion);
    transparent pixels are laid on white; a photograph's EXIF orientation is
    honoured; larger pictures are scaled down (Lanczos) and ``info`` says so.
    Raises ValueError, naming the file, for anything that is not a readable
    picture: a missing, empty, truncated or non-image file, or one so large
    it could be a decompression bomb.
    """
    max_side = check_max_side(max_side)
    p = Path(path)
    label = f"“{shorten(p.name, 80)}”"
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise ValueError(f"{label} does not exist (looked in {p.parent}).") from None
    except OSError as exc:
        raise ValueError(f"{label} cannot be read: {exc.strerror or exc}.") from None
    if p.is_dir():
        raise ValueError(f"{label} is a folder, not an image.")
    if size == 0:
        raise ValueError(f"{label} is empty (0 bytes): not an image.")
    try:
        with warnings.catch_warnings():
            # Pillow warns, then errs, on pictures big enough to exhaust memory.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(p) as im:  # reads the header only
                fmt = im.format or p.suffix.lstrip(".").upper()
                mode = im.mode
                w, h = im.size
                limit = MAX_JPEG_PIXELS if fmt == "JPEG" else MAX_PIXELS
                if w * h > limit:
                    raise ValueError(
                        f"{label} is too large to open safely: {h}×{w} pixels "
                        f"({w * h / 1e6:.4g} megapixels); convviz opens pictures of at most "
                        f"{limit / 1e6:.4g} megapixels. Scale it down first."
                    )
                turned = im.getexif().get(_ORIENTATION, 1) in (5, 6, 7, 8)
                original = (w, h) if turned else (h, w)
                im.draft("L", (max_side, max_side))  # JPEG: decode at a reduced size, fast
                im = ImageOps.exif_transpose(im)
                grey_im, colour = _to_grey(im)
                colour = colour or mode in _COLOUR_MODES  # draft() may have dropped it already
                target = scaled_shape((grey_im.height, grey_im.width), max_side)
                if target != (grey_im.height, grey_im.width):
                    grey_im = grey_im.resize(
                        (target[1], target[0]), Image.Resampling.LANCZOS, reducing_gap=3.0
                    )
                arr = np.asarray(grey_im, dtype=np.float32)
                if grey_im.mode == "L":
                    arr = arr / np.float32(255.0)
    except ValueError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        limit = Image.MAX_IMAGE_PIXELS or 0
        m = re.search(r"\((\d+) pixels\)", str(exc))
        size = f"{int(m.group(1)) / 1e6:.4g} megapixels" if m else "too many pixels"
        raise ValueError(
            f"{label} is too large to open safely ({size}): convviz refuses pictures "
            f"of more than {limit / 1e6:.4g} megapixels, which could exhaust the memory "
            "(a “decompression bomb”)."
        ) from None
    except UnidentifiedImageError:
        raise ValueError(f"{label} is not an image convviz can read ({_WHAT_WE_READ}).") from None
    except MemoryError:
        raise ValueError(f"{label} is too large to read into memory.") from None
    except (OSError, SyntaxError, EOFError, IndexError, KeyError, struct.error) as exc:
        reason = str(exc) or type(exc).__name__
        raise ValueError(
            f"{label} is damaged or incomplete and cannot be read ({reason})."
        ) from None

    if arr.ndim != 2 or arr.size == 0:
        raise ValueError(f"{label} has no pixels convviz can show.")
    arr = np.clip(arr, 0.0, 1.0)
    info = ImageInfo(
        name=p.name,
        path=str(p),
        format=fmt,
        mode=mode,
        original_shape=(int(original[0]), int(original[1])),
        shape=(int(arr.shape[0]), int(arr.shape[1])),
        max_side=max_side,
        converted_to_grey=colour,
    )
    return np.ascontiguousarray(arr, dtype=np.float32), info


def _to_grey(im: Image.Image) -> tuple[Image.Image, bool]:
    """``im`` as an ``L`` image (0..255) or an ``F`` image in [0, 1]; True if colour was dropped."""
    mode = im.mode
    if mode.startswith("I;16"):  # float32 throughout: half the memory of float64
        a = np.asarray(im).astype(np.float32)
        a *= np.float32(1.0 / 65535.0)
        return _float_image(a), False
    if mode in ("I", "F"):
        a = np.nan_to_num(np.asarray(im, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
        lo, hi = float(a.min()), float(a.max())
        if mode == "I" and lo >= 0 and hi <= 65535:
            a = a / (255.0 if hi <= 255 else 65535.0)
        elif not (lo >= 0.0 and hi <= 1.0):
            a = (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)
        return _float_image(a), False
    colour = mode not in ("1", "L", "LA", "La")
    if mode == "P":
        pal = np.asarray(im.getpalette() or [0, 0, 0]).reshape(-1, 3)
        colour = not bool(np.all(pal == pal[:, :1]))
    if mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in im.info:
        rgba = im.convert("RGBA")
        im = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba)
    # ITU-R 601-2 luma: L = R·299/1000 + G·587/1000 + B·114/1000
    return im.convert("L"), colour


def _float_image(a: np.ndarray) -> Image.Image:
    return Image.fromarray(np.ascontiguousarray(a, dtype=np.float32))

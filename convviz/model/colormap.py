"""One diverging colour scale for every grid and map, centred on zero.

Blue for negative, white for zero, orange for positive: the blue-orange pair
stays distinct for the common colour-vision deficiencies (unlike red-green),
and every view also prints a sign or a number so colour is never the only cue.
Qt-free (plain RGB arrays) so exports render the same colours as the screen.
"""

from __future__ import annotations

import numpy as np

# Anchor colours from ColorBrewer's PuOr-like blue/orange diverging scheme,
# darkest negative -> white -> darkest positive.
_ANCHORS = np.array(
    [
        (33, 102, 172),  # -1  strong blue
        (103, 169, 207),  # -0.5
        (247, 247, 247),  #  0  near white
        (244, 165, 96),  # +0.5
        (202, 88, 12),  # +1  strong orange
    ],
    dtype=np.float64,
)
_POS = np.linspace(-1.0, 1.0, len(_ANCHORS))


def lut(n: int = 256) -> np.ndarray:
    """An (n, 3) uint8 lookup table from -1 to +1."""
    t = np.linspace(-1.0, 1.0, n)
    return np.stack([np.interp(t, _POS, _ANCHORS[:, k]) for k in range(3)], 1).astype(np.uint8)


def symmetric_limit(*arrays: np.ndarray) -> float:
    """The shared scale's half-width: the largest magnitude, never 0."""
    m = 0.0
    for a in arrays:
        if a is not None and np.size(a):
            m = max(m, float(np.max(np.abs(a))))
    return m if m > 0 else 1.0


def to_rgb(values: np.ndarray, limit: float | None = None) -> np.ndarray:
    """Map values to (..., 3) uint8 colours on the scale [-limit, +limit]."""
    v = np.asarray(values, dtype=np.float64)
    lim = symmetric_limit(v) if limit is None else float(limit) or 1.0
    t = np.clip(v / lim, -1.0, 1.0)
    table = lut(256)
    idx = np.rint((t + 1.0) * 127.5).astype(np.intp)
    return table[idx]


def text_color(rgb: tuple[int, int, int] | np.ndarray) -> tuple[int, int, int]:
    """Black or white, whichever reads better on ``rgb`` (WCAG relative luminance)."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    c = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    lum = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
    return (0, 0, 0) if lum > 0.22 else (255, 255, 255)

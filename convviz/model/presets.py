"""The chapter's examples and a small library of kernels, by name.

Functions, not constants, so every caller gets a fresh array it may edit.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


# ------------------------------------------------------------------ inputs
def fig_621() -> np.ndarray:
    """Fig. 6.2.1: the 3x3 input 0..8."""
    return np.arange(9.0).reshape(3, 3)


def edge_image() -> np.ndarray:
    """Section 6.2.3: 6x8 ones with the middle four columns 0 (a dark band)."""
    X = np.ones((6, 8))
    X[:, 2:6] = 0
    return X


def edge_image_t() -> np.ndarray:
    """The 6.2.3 image transposed: its edges are horizontal."""
    return edge_image().T.copy()


def diagonal(n: int = 8) -> np.ndarray:
    """Exercise 1: ones on and below the diagonal, a diagonal edge."""
    return np.tril(np.ones((n, n)))


def checkerboard(rows: int = 8, cols: int = 8, block: int = 2) -> np.ndarray:
    r = np.arange(rows)[:, None] // block
    c = np.arange(cols)[None, :] // block
    return ((r + c) % 2).astype(np.float64)


def disc(n: int = 9) -> np.ndarray:
    y, x = np.mgrid[:n, :n] - (n - 1) / 2
    return (x * x + y * y <= ((n - 1) / 2 + 0.3) ** 2).astype(np.float64)


def random_input(rows: int = 6, cols: int = 6, seed: int | None = None) -> np.ndarray:
    """Small integers 0..9, so the arithmetic stays readable."""
    return np.random.default_rng(seed).integers(0, 10, (rows, cols)).astype(np.float64)


# ----------------------------------------------------------------- kernels
def fig_621_kernel() -> np.ndarray:
    """Fig. 6.2.1: the 2x2 kernel 0..3."""
    return np.arange(4.0).reshape(2, 2)


def random_kernel(rows: int = 3, cols: int = 3, seed: int | None = None) -> np.ndarray:
    """Small integers -2..2."""
    return np.random.default_rng(seed).integers(-2, 3, (rows, cols)).astype(np.float64)


INPUTS: dict[str, Callable[[], np.ndarray]] = {
    "Fig. 6.2.1 (3×3, 0..8)": fig_621,
    "Edge image (6×8, dark band)": edge_image,
    "Edge image transposed (8×6)": edge_image_t,
    "Diagonal edge (8×8)": diagonal,
    "Checkerboard (8×8)": checkerboard,
    "Disc (9×9)": disc,
    "Random (6×6)": random_input,
}

KERNELS: dict[str, Callable[[], np.ndarray]] = {
    "Fig. 6.2.1 (2×2, 0..3)": fig_621_kernel,
    "Edge [1, −1]": lambda: np.array([[1.0, -1.0]]),
    "Edge transposed [1; −1]": lambda: np.array([[1.0], [-1.0]]),
    "Second derivative [1, −2, 1]": lambda: np.array([[1.0, -2.0, 1.0]]),
    "Laplacian (4-neighbour)": lambda: np.array([[0.0, 1, 0], [1, -4, 1], [0, 1, 0]]),
    "Laplacian (8-neighbour)": lambda: np.array([[1.0, 1, 1], [1, -8, 1], [1, 1, 1]]),
    "Box / integral (3×3)": lambda: np.ones((3, 3)),
    "Sobel x": lambda: np.array([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
    "Sobel y": lambda: np.array([[-1.0, -2, -1], [0, 0, 0], [1, 2, 1]]),
    "Identity (3×3)": lambda: np.array([[0.0, 0, 0], [0, 1, 0], [0, 0, 0]]),
    "Random (3×3)": random_kernel,
}


def input_preset(name: str) -> np.ndarray:
    """A fresh copy of the named input; KeyError names the choices."""
    try:
        return np.array(INPUTS[name](), dtype=np.float64)
    except KeyError:
        raise KeyError(f"No input preset {name!r}; choose from {list(INPUTS)}") from None


def kernel_preset(name: str) -> np.ndarray:
    """A fresh copy of the named kernel; KeyError names the choices."""
    try:
        return np.array(KERNELS[name](), dtype=np.float64)
    except KeyError:
        raise KeyError(f"No kernel preset {name!r}; choose from {list(KERNELS)}") from None

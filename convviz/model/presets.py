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


def disc_with_margin(n: int = 9) -> np.ndarray:
    """A disc one cell clear of the frame, so padding 1 shows its Laplacian's whole ± ring."""
    return np.pad(disc(n - 2), 1)


def powers(n: int = 7, degree: int = 3) -> np.ndarray:
    """Rows 1, x, x², x³ at x = 0..n−1: what a derivative kernel must cancel or keep."""
    return np.arange(float(n))[None, :] ** np.arange(degree + 1)[:, None]


def mixed_x2y(rows: int = 5, cols: int = 6) -> np.ndarray:
    """f = x²·y with x across (columns) and y down (rows): ∂²ₓ∂ᵧ f = 2 everywhere."""
    y, x = np.mgrid[:rows, :cols].astype(np.float64)
    return x * x * y


def integral_image(X: np.ndarray) -> np.ndarray:
    """S[i, j] = the sum of X above and left of (i, j), with a zero first row and column.

    Any box sum is then four corners of S: S[i+h, j+w] − S[i, j+w] − S[i+h, j] + S[i, j].
    """
    S = np.zeros((X.shape[0] + 1, X.shape[1] + 1))
    S[1:, 1:] = np.cumsum(np.cumsum(X, axis=0), axis=1)
    return S


def edge_integral() -> np.ndarray:
    """The 6.2.3 image's integral image (7×9)."""
    return integral_image(edge_image())


def edge_running_sum() -> np.ndarray:
    """The 6.2.3 image summed along each row: [1, 2, 2, 2, 2, 2, 3, 4]."""
    return np.cumsum(edge_image(), axis=1)


def im2col(X: np.ndarray, kernel_shape: tuple[int, int]) -> np.ndarray:
    """One row per window, the window's cells read row by row: ``im2col(X) @ K.ravel()``
    is the correlation's output, read row by row."""
    kh, kw = kernel_shape
    oh, ow = X.shape[0] - kh + 1, X.shape[1] - kw + 1
    return np.array(
        [X[i : i + kh, j : j + kw].ravel() for i in range(oh) for j in range(ow)],
        dtype=np.float64,
    )


def fig_621_patches() -> np.ndarray:
    """Fig. 6.2.1's four 2×2 windows as the rows of a 4×4 matrix (im2col)."""
    return im2col(fig_621(), (2, 2))


def random_input(rows: int = 6, cols: int = 6, seed: int | None = None) -> np.ndarray:
    """Small integers 0..9, so the arithmetic stays readable."""
    return np.random.default_rng(seed).integers(0, 10, (rows, cols)).astype(np.float64)


# ----------------------------------------------------------------- kernels
def fig_621_kernel() -> np.ndarray:
    """Fig. 6.2.1: the 2x2 kernel 0..3."""
    return np.arange(4.0).reshape(2, 2)


def box_corners(h: int = 3, w: int = 3) -> np.ndarray:
    """The four corners that turn an integral image into h×w box sums."""
    K = np.zeros((h + 1, w + 1))
    K[0, 0] = K[h, w] = 1.0
    K[0, w] = K[h, 0] = -1.0
    return K


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
    "Disc with a margin (9×9)": disc_with_margin,
    "Powers 1, x, x², x³ (4×7)": powers,
    "Mixed x²·y (5×6)": mixed_x2y,
    "Edge image, running sums (6×8)": edge_running_sum,
    "Edge image, integral image (7×9)": edge_integral,
    "Fig. 6.2.1 as patches (im2col, 4×4)": fig_621_patches,
    "Random (6×6)": random_input,
}

KERNELS: dict[str, Callable[[], np.ndarray]] = {
    "Fig. 6.2.1 (2×2, 0..3)": fig_621_kernel,
    "Edge [1, −1]": lambda: np.array([[1.0, -1.0]]),
    "Edge transposed [1; −1]": lambda: np.array([[1.0], [-1.0]]),
    "Second derivative [1, −2, 1]": lambda: np.array([[1.0, -2.0, 1.0]]),
    "Third derivative [1, −3, 3, −1]": lambda: np.array([[1.0, -3.0, 3.0, -1.0]]),
    "Mixed ∂²ₓ∂ᵧ (2×3)": lambda: np.outer([1.0, -1.0], [1.0, -2.0, 1.0]),
    "No zero 2×2 (1..4)": lambda: np.arange(1.0, 5.0).reshape(2, 2),
    "No zero 2×2, as a row (1×4)": lambda: np.arange(1.0, 5.0).reshape(1, 4),
    "Laplacian (4-neighbour)": lambda: np.array([[0.0, 1, 0], [1, -4, 1], [0, 1, 0]]),
    "Laplacian (8-neighbour)": lambda: np.array([[1.0, 1, 1], [1, -8, 1], [1, 1, 1]]),
    "Box / integral (3×3)": lambda: np.ones((3, 3)),
    "Box sum from an integral image (4×4)": box_corners,
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

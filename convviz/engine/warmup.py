"""Compile (or load from numba's cache) every engine loop once.

A cached numba function still costs about 0.25 s on its first call in a new
process, so the GUI calls :func:`warm_up` on a worker thread after the window
is shown. Idempotent and thread-safe.
"""

from __future__ import annotations

import threading
import time

import numpy as np

_lock = threading.Lock()
_done = False


def warm_up() -> float:
    """Touch every compiled path with tiny inputs; return the seconds it took."""
    global _done
    with _lock:
        if _done:
            return 0.0
        from .correlate import corr2d, corr_matrix, window_steps
        from .learn import KernelTrainer, kernel_grad

        t0 = time.perf_counter()
        X = np.arange(9.0).reshape(3, 3)
        K = np.arange(4.0).reshape(2, 2)
        for dtype in (np.float64, np.float32):
            corr2d(X.astype(dtype), K)
            corr2d(X.astype(dtype), K, stride=2, padding=1)
        # big enough for the parallel loops and the parallel NaN/inf scan
        big = np.zeros((513, 513), np.float32)
        for dtype in (np.float32, np.float64):
            corr2d(big.astype(dtype), np.ones((3, 3), dtype))
            corr2d(big.astype(dtype), np.ones((3, 3), dtype), stride=2)
        window_steps(X, K)[0]
        corr_matrix((3, 3), K)
        kernel_grad(X, np.ones((2, 2)), (2, 2))
        KernelTrainer(X, corr2d(X, K), np.zeros((2, 2)), b0=0.0).run(1)
        _done = True
        return time.perf_counter() - t0

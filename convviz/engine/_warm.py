"""Make every engine loop ready: load it from numba's on-disk cache, or compile it.

Nothing needs this to be correct: each loop is compiled on its first use.
It exists so that the first use is fast: the GUI runs :func:`warm_up` on a
worker thread after the window is shown (the GUI thread meanwhile answers
from numpy, see :mod:`._jit`), and ``scripts/setup.sh`` runs
``python -m convviz.engine.warmup`` once at install time, so that even the
first launch in front of a class finds numba's cache full.

With the cache full, loading every loop costs well under a second of CPU;
with it empty, compiling them all costs several seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from . import _jit

_lock = threading.Lock()

#: ``progress(done, total, loop_name, how)`` after each loop; ``how`` is
#: "ready", "loaded" (from numba's cache) or "compiled".
Progress = Callable[[int, int, str, str], None]


def warm_up(progress: Progress | None = None) -> float:
    """Make every loop ready; return the seconds it took. Idempotent, any thread.

    Loops that another thread is already compiling are waited for, never
    compiled twice by this function (numba serialises compiles anyway).
    """
    with _lock:
        t0 = time.perf_counter()
        keys = _jit.all_keys()
        for n, (name, dtype) in enumerate(keys, 1):
            how = _jit.prepare(name, dtype)
            if progress is not None:
                progress(n, len(keys), name, how)
        return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    """``python -m convviz.engine.warmup``: fill numba's cache at install time."""
    counts = {"ready": 0, "loaded": 0, "compiled": 0}

    def note(done: int, total: int, name: str, how: str) -> None:
        counts[how] += 1

    cpu0 = time.process_time()
    seconds = warm_up(note)
    cpu = time.process_time() - cpu0
    print(
        f"convviz engine: {counts['compiled']} loops compiled, {counts['loaded']} loaded "
        f"from numba's cache in {seconds:.1f} s ({cpu:.1f} s of CPU)."
    )
    return 0

"""Which compiled loops this process has ready, and which threads must never wait for one.

numba compiles (or loads from its cache) a loop on its first call in a
process, holding one lock for the whole process while it does: a thread that
calls a loop another thread is compiling, or *any* not-yet-loaded loop while
another thread compiles anything, waits. The GUI thread must never wait, so:

- a thread that called :func:`never_wait_in_this_thread` (the GUI's) is told
  by :func:`ensure` that a loop is not ready instead of compiling it; the
  caller then answers from plain numpy, and the loop is compiled on a
  background thread for the next call;
- every other thread compiles what it needs on first use (one loop per
  call: the caller picks the loop in plain Python) and carries on.

A loop counts as ready once it has been called in this process with the
argument types every call site uses (read-only C-contiguous inputs, see
:mod:`._kernels`), so calling it again never reaches numba's compiler.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable

import numpy as np

from . import _kernels

Key = tuple[str, str]  # (loop name, dtype name)

_ready: set[Key] = set()
_requested: set[Key] = set()
_no_wait: set[int] = set()
_threads: list[threading.Thread] = []  # background compiles, for wait_for_requests
_lock = threading.Lock()


def readonly(a: np.ndarray) -> np.ndarray:
    """A read-only view: every compiled call passes its inputs so, for one signature."""
    v = a.view()
    v.flags.writeable = False
    return v


def _corr_example(name: str, dtype: np.dtype) -> tuple:
    kshape = {"block_3x3": (3, 3), "block_w7": (2, 7)}.get(name, (2, 2))
    X = readonly(np.arange(40, dtype=dtype).reshape(5, 8))
    K = readonly(np.ones(kshape, dtype))
    state = np.zeros(2, np.int64)
    if name == "block_general":
        out = np.empty((2, 4), dtype)
        return (X, K, 2, 2, 1, 1, out, 1, state, dtype.type(0))
    out = np.empty((6 - kshape[0], 9 - kshape[1]), dtype)
    return (X, K, out, 1, state, dtype.type(0))


def _train_example(name: str, dtype: np.dtype) -> tuple:
    Xp = readonly(np.ones((3, 3)))
    Y = readonly(np.zeros((2, 2)))
    K = np.zeros((2, 2))
    return (
        Xp,
        Y,
        K,
        readonly(K),
        0.0,
        0.1,
        1,
        0,
        False,
        1,
        1,
        1,
        1,
        np.empty(1),
        np.empty((2, 2)),
        np.empty((2, 2)),
    )


#: Every compiled entry point, the dtypes it runs in, and tiny arguments of
#: exactly the types the real call sites pass.
LOOPS: dict[str, tuple[tuple[str, ...], Callable[[str, np.dtype], tuple]]] = {
    # the shape specialisations in float32 only, the large pictures' dtype (float64
    # takes block_any, see correlate._stride1_loop)
    "block_3x3": (("float32",), _corr_example),
    "block_any": (("float64", "float32"), _corr_example),
    "block_general": (("float64", "float32"), _corr_example),
    "block_w7": (("float32",), _corr_example),
    "train_steps": (("float64",), _train_example),
    # the row pool's hand-over of a job to its helper threads
    "pool_sync": (("int64",), lambda name, dtype: (np.zeros(32, np.int64), 5, 0, 0)),
}


def all_keys() -> list[Key]:
    """Every (loop, dtype) the engine can use, the GUI's float64 ones first."""
    keys = [(name, dt) for name, (dts, _) in LOOPS.items() for dt in dts]
    return sorted(keys, key=lambda k: k[1] != "float64")


def cache_is_warm() -> bool | None:
    """Whether numba's on-disk cache holds every loop for this source (None: cannot tell).

    Only for telling the user the truth (loading, or compiling once); it reads
    numba's cache index through a private API, so any surprise means "cannot tell".
    """
    try:
        for name, (dtypes, _) in LOOPS.items():
            index = getattr(_kernels, name)._cache._cache_file._load_index()
            if len(index) < len(dtypes):
                return False
        return True
    except Exception:
        return None


def never_wait_in_this_thread(on: bool = True) -> None:
    """Mark the calling thread (the GUI's) as one that must never wait for a compile."""
    ident = threading.get_ident()
    with _lock:
        if on:
            _no_wait.add(ident)
        else:
            _no_wait.discard(ident)


#: dtype names by type code: ``dtype.name`` runs Python code inside numpy, which
#: cost 25-45 us per call right after a loop streamed megabytes through the
#: caches (``dtype.char`` about 4); 'f' and 'd' are float32/float64 in any byte order.
_NAMES = {"f": "float32", "d": "float64", np.dtype(np.int64).char: "int64"}


def _name(dtype: np.dtype | str) -> str:
    try:
        return _NAMES[dtype.char]  # type: ignore[union-attr]
    except (AttributeError, KeyError):
        return np.dtype(dtype).name


def may_wait() -> bool:
    return threading.get_ident() not in _no_wait


def is_ready(name: str, dtype: np.dtype | str) -> bool:
    return (name, _name(dtype)) in _ready


_numba_set_up = False
_set_up_lock = threading.Lock()


def _set_up_numba() -> None:
    """Load numba's implementations without its scipy probe (once, before the first loop).

    The first loop a process loads makes numba import all its implementations
    of numpy functions; one of those modules asks whether scipy's BLAS can be
    imported, for ``np.dot`` (which no loop here uses), and where scipy is
    installed that import alone took 0.27 s of the 1.0-1.1 s of CPU a warm
    launch cost (import plus every loop). ``scipy.linalg`` is hidden while
    that module loads, unless something imported it already (then it is free);
    numba then uses its own loop for ``np.vdot``, and imports scipy's BLAS
    itself if a ``np.dot`` is ever compiled.
    """
    global _numba_set_up
    with _set_up_lock:
        if _numba_set_up:
            return
        _numba_set_up = True
        if "numba.np.arraymath" in sys.modules or "scipy.linalg" in sys.modules:
            return
        sys.modules["scipy.linalg"] = None  # type: ignore[assignment]
        try:
            import numba.np.arraymath  # noqa: F401
        except Exception:  # pragma: no cover - numba loads it again on the first loop
            pass
        finally:
            if sys.modules.get("scipy.linalg", False) is None:
                del sys.modules["scipy.linalg"]


def prepare(name: str, dtype: np.dtype | str) -> str:
    """Make one loop ready now, waiting for numba if it must.

    Returns ``"ready"`` if it already was, ``"loaded"`` if it came from
    numba's on-disk cache, ``"compiled"`` if numba had to compile it.
    """
    dt = np.dtype(dtype)
    key = (name, dt.name)
    if key in _ready:
        return "ready"
    if not _numba_set_up:
        _set_up_numba()
    _, example = LOOPS[name]
    fn = getattr(_kernels, name)
    stats = getattr(fn, "stats", None)
    misses = sum(stats.cache_misses.values()) if stats is not None else 0
    fn(*example(name, dt))
    compiled = stats is not None and sum(stats.cache_misses.values()) > misses
    with _lock:
        _ready.add(key)
        _requested.discard(key)
    return "compiled" if compiled else "loaded"


def ensure(name: str, dtype: np.dtype) -> bool:
    """True if the loop may be called now: it is ready, or this thread may wait for it.

    On a thread that must never wait, a loop that is not ready is compiled on
    a background thread instead, and False tells the caller to use numpy.
    """
    key = (name, _name(dtype))
    if key in _ready:
        return True
    if threading.get_ident() not in _no_wait:
        prepare(name, dtype)
        return True
    request(name, dtype)
    return False


def request(name: str, dtype: np.dtype) -> None:
    """Compile one loop on a background thread, unless that is already under way."""
    key = (name, np.dtype(dtype).name)
    with _lock:
        if key in _ready or key in _requested:
            return
        _requested.add(key)

    def run() -> None:
        try:
            prepare(name, dtype)
        finally:
            with _lock:
                _requested.discard(key)

    t = threading.Thread(target=run, name=f"convviz-compile-{name}", daemon=True)
    with _lock:
        _threads[:] = [u for u in _threads if u.is_alive()] + [t]
    t.start()


def wait_for_requests(timeout: float | None = None) -> bool:
    """Wait for the background compiles :func:`request` started; True if all finished."""
    with _lock:
        pending = list(_threads)
    for t in pending:
        t.join(timeout)
    return not any(t.is_alive() for t in pending)


def forget_all() -> None:
    """Tests only: treat every loop as not yet loaded (numba keeps what it compiled)."""
    with _lock:
        _ready.clear()

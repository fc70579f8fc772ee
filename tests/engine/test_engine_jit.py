"""Compile on first use, one loop a call; a thread that must not wait is answered from numpy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, **env_extra: str) -> str:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(env_extra)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


NEVER_WAIT = """
import json, threading
import numpy as np
import scipy.signal
from numba.core.compiler_lock import global_compiler_lock
import convviz.engine as e
from convviz.engine import _jit

# Another thread holds numba's process-wide compile lock, as the warm-up does
# while it compiles: any compile or cache load on this thread would block.
held, release = threading.Event(), threading.Event()
def compiling():
    with global_compiler_lock:
        held.set()
        release.wait(300)
threading.Thread(target=compiling, daemon=True).start()
held.wait()

e.never_wait_in_this_thread()
rng = np.random.default_rng(0)
X, K = rng.standard_normal((6, 8)), rng.standard_normal((3, 3))
P = rng.standard_normal((300, 280)).astype(np.float32)
out = {}
out["corr"] = bool(np.allclose(e.corr2d(X, K), scipy.signal.correlate2d(X, K, "valid")))
out["picture"] = bool(np.allclose(
    e.corr2d(P, [[1, -1]]), scipy.signal.correlate2d(P, [[1, -1]], "valid"), atol=1e-5))
out["strided"] = e.corr2d(X, K, stride=2, padding=1, bias=1.5).tolist()
s = e.window_steps(X, K, padding=1)
out["step"] = bool(s[3].result == s.output()[0, 3])
Xe = np.ones((6, 8)); Xe[:, 2:6] = 0
res = e.train_kernel(Xe, e.corr2d(Xe, [[1, -1]]), [[0.3, 0.1]], steps=30)
out["losses"] = res.losses.tolist()
try:
    e.corr2d(np.full((3, 3), 1e308), np.ones((2, 2)))
except ValueError as exc:
    out["overflow"] = str(exc)
out["answered_while_locked"] = not release.is_set()
out["ready_while_locked"] = sorted(k for k in _jit._ready)
release.set()
out["requests_done"] = _jit.wait_for_requests(300)
out["ready_after"] = sorted("/".join(k) for k in _jit._ready)
# and now the compiled loops answer the same
e.never_wait_in_this_thread(False)
out["strided_compiled"] = e.corr2d(X, K, stride=2, padding=1, bias=1.5).tolist()
out["losses_compiled"] = e.train_kernel(
    Xe, e.corr2d(Xe, [[1, -1]]), [[0.3, 0.1]], steps=30).losses.tolist()
print(json.dumps(out))
"""


def test_a_thread_that_must_not_wait_is_answered_while_numba_compiles():
    out = json.loads(run_python(NEVER_WAIT))
    assert out["corr"] and out["picture"] and out["step"]
    assert "result overflows" in out["overflow"]
    assert out["answered_while_locked"] and out["ready_while_locked"] == []
    # each loop asked for was compiled in the background once the lock was free
    assert out["requests_done"]
    assert out["ready_after"] == [
        "block_any/float32",
        "block_any/float64",
        "block_general/float64",
        "train_steps/float64",
    ]
    import numpy as np

    np.testing.assert_allclose(out["strided"], out["strided_compiled"], rtol=1e-12)
    np.testing.assert_allclose(out["losses"], out["losses_compiled"], rtol=1e-9)


ONE_LOOP = """
import json, numpy as np
import convviz.engine as e
from convviz.engine import _kernels
e.corr2d(np.ones((6, 8)), [[1.0, -1.0]])
e.window_steps(np.ones((6, 8)), [[1.0, -1.0]])[0]
compiled = {n: len(getattr(_kernels, n).signatures)
            for n in ("block_3x3", "block_any", "block_general", "train_steps")}
print(json.dumps(compiled))
"""


def test_the_opening_screen_compiles_one_loop_in_one_signature():
    """corr2d of the chapter's example and its first window step: one loop, nothing else."""
    assert json.loads(run_python(ONE_LOOP)) == {
        "block_3x3": 0,
        "block_any": 1,
        "block_general": 0,
        "train_steps": 0,
    }


WARM = """
import json, sys
import convviz.engine as e
from convviz.engine import _jit, _kernels
seen = []
e.warm_up(lambda done, total, name, how: seen.append((done, total, name, how)))
again = e.warm_up(lambda *a: seen.append(a[3]))
sigs = {n: len(getattr(_kernels, n).signatures) for n in _jit.LOOPS}
# numba's probe for scipy's BLAS was skipped, and scipy still imports afterwards
scipy_loaded = "scipy.linalg" in sys.modules
import scipy.linalg
print(json.dumps({"seen": seen, "sigs": sigs, "scipy_loaded": scipy_loaded,
                  "solve": scipy.linalg.solve([[2.0]], [4.0]).tolist()}))
"""


def test_warm_up_readies_every_loop_once_in_one_signature_per_dtype(tmp_path):
    out = json.loads(run_python(WARM, NUMBA_CACHE_DIR=str(tmp_path)))
    first, second = out["seen"][:8], out["seen"][8:]
    assert [(d, t) for d, t, _, _ in first] == [(i, 8) for i in range(1, 9)]
    assert {how for *_, how in first} == {"compiled"}  # an empty cache: all compiled
    assert second == ["ready"] * 8
    assert out["sigs"] == {
        "block_3x3": 1,  # the shape specialisations: float32 only, the large pictures' dtype
        "block_any": 2,
        "block_general": 2,
        "block_w7": 1,
        "train_steps": 1,
        "pool_sync": 1,  # the row pool's hand-over to its helpers
    }
    assert out["scipy_loaded"] is False and out["solve"] == [2.0]
    # a second process finds them all in the cache
    again = json.loads(run_python(WARM, NUMBA_CACHE_DIR=str(tmp_path)))
    assert {how for *_, how in again["seen"][:8]} == {"loaded"}
    # and so does the install-time entry point scripts/setup.sh runs
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-W", "error", "-m", "convviz.engine.warmup"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("convviz engine: 0 loops compiled, 8 loaded from numba's cache")

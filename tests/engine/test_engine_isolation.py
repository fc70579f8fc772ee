"""The engine in a fresh process: no Qt, and the same answers with numba's JIT off."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, **env_extra: str) -> str:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(env_extra)
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_importing_and_using_the_engine_loads_no_qt():
    code = (
        "import sys\n"
        "import numpy as np\n"
        "import convviz.engine as e\n"
        "e.corr2d(np.ones((6, 8)), [[1.0, -1.0]])\n"
        "e.train_kernel(np.ones((6, 8)), np.zeros((6, 7)), [[0.1, 0.2]], steps=2)\n"
        "bad = sorted(m for m in sys.modules\n"
        "             if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6'))\n"
        "print(','.join(bad))\n"
    )
    assert run_python(code).strip() == ""


PURE_PYTHON_CASES = """
import json
import numpy as np
import numba
import convviz.engine as e
from convviz.engine import correlate

assert numba.config.DISABLE_JIT
rng = np.random.default_rng(0)
X = rng.standard_normal((9, 10))
out = {}
for kshape in [(1, 2), (2, 1), (2, 2), (3, 3), (2, 3), (1, 5), (2, 7), (2, 6)]:
    K = rng.standard_normal(kshape)
    out[f"corr {kshape}"] = e.corr2d(X, K).tolist()
    correlate.PARALLEL_MIN_WORK = 0   # in blocks, on the pool's threads
    out[f"corr {kshape} par"] = e.corr2d(X, K).tolist()
    correlate.PARALLEL_MIN_WORK = 10**15
out["strided"] = e.corr2d(X, np.ones((2, 3)), stride=(2, 1), dilation=(1, 2), padding=1).tolist()
out["f32"] = e.corr2d(X.astype(np.float32), np.ones((3, 3), np.float32)).tolist()
try:
    e.corr2d([[1.0, float("nan")]], [[1.0]])
except ValueError as exc:
    out["nan"] = str(exc)
Xe = np.ones((6, 8)); Xe[:, 2:6] = 0
res = e.train_kernel(Xe, e.corr2d(Xe, [[1, -1]]), [[0.01, -0.02]], steps=4)
out["losses"] = res.losses.tolist()
out["matrix"] = e.corr_matrix((3, 3), np.arange(4.0).reshape(2, 2), padding=1).tolist()
print(json.dumps(out))
"""


def test_pure_python_execution_gives_the_same_answers():
    """NUMBA_DISABLE_JIT must be set before numba is imported, so in a fresh process."""
    pure = json.loads(run_python(PURE_PYTHON_CASES, NUMBA_DISABLE_JIT="1"))
    jit = json.loads(run_python(PURE_PYTHON_CASES.replace("assert numba", "assert not numba")))
    assert pure.keys() == jit.keys()
    for key in pure:
        if isinstance(pure[key], str):
            assert pure[key] == jit[key]
            assert "not a finite number" in pure[key]
        else:
            np.testing.assert_allclose(pure[key], jit[key], rtol=1e-6, atol=1e-9, err_msg=key)


THREAD_CPU = """
import json, os
import numpy as np
import convviz.engine as e
from convviz.engine import correlate

def cpu_ticks():
    ticks = {}
    for tid in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{tid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks[int(tid)] = int(fields[11]) + int(fields[12])  # utime + stime
    return ticks

def cpu_of(threads, calls, **kw):
    e.set_num_threads(threads)
    # measure the sharing itself: never choosing one thread on a busy test machine
    correlate.POOL.share = lambda key: True
    e.corr2d(X, K, **kw)  # compile or load first: only the loops are counted
    before = cpu_ticks()
    for _ in range(calls):
        e.corr2d(X, K, **kw)
    after = cpu_ticks()
    gains = {t: after[t] - before.get(t, 0) for t in after}
    main = gains.pop(os.getpid())
    return main, sum(gains.values())

X = np.random.default_rng(0).random((1030, 1030)).astype(np.float32)
K = np.ones((7, 7), np.float32)
print(json.dumps({
    "fast": cpu_of(1, 200),
    "fast_parallel": cpu_of(2, 300),
    "rows": cpu_of(1, 150, stride=(2, 1)),
    "rows_parallel": cpu_of(2, 300, stride=(2, 1)),
}))
"""


@pytest.mark.skipif(
    not Path("/proc/self/task").is_dir() or (os.cpu_count() or 1) < 2,
    reason="needs Linux /proc and two cores",
)
def test_parallel_paths_really_use_other_threads():
    """With two threads, a good share of the work runs off the calling thread; with one, none.

    Counted in CPU time per thread, read from /proc, in a fresh process,
    twice so that the second loads everything from numba's on-disk cache.
    """
    for _ in range(2):
        # Another busy process (a parallel test run, a screenshot tool) can
        # starve the helper thread for a whole measurement; a path that
        # really runs serially fails every attempt, so take the best of three.
        for attempt in range(3):
            ticks = json.loads(run_python(THREAD_CPU))
            shares = [ticks[n][1] / max(1, ticks[n][0]) for n in ("fast_parallel", "rows_parallel")]
            if min(shares) >= 0.3 or attempt == 2:
                break
        for name in ("fast_parallel", "rows_parallel"):
            main, others = ticks[name]
            assert main + others >= 10, (name, ticks)  # enough 10 ms ticks to judge
            assert others >= 0.3 * main, (name, ticks)
        for name in ("fast", "rows"):
            main, others = ticks[name]
            assert main >= 10, (name, ticks)
            assert others <= 0.1 * main, (name, ticks)

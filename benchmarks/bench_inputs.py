"""How long does convviz take to answer hostile text, idle and on a busy machine?

Run ``python benchmarks/bench_inputs.py`` (about a minute). For every text
input path (a cell, a number box, a paste, a lesson file, a session file) and
a set of adversarial inputs up to 1 MB, it prints the best-of-N time of the
answer (accepted or refused), its cost per MB, and the same with two busy
processes started by this script (each stops itself after 120 s at most).

Peers, for scale: ``numpy.loadtxt`` reading the same paste text,
``json.loads`` and ``tomllib.loads`` parsing the same file text (they only
parse; convviz checks limits first, then parses and validates). The ratio
``peer / ours`` above 1 means convviz answers faster than the peer parses.
The last line times the old quadratic regex of ``parse_number`` on 4,000
digits, for comparison with the new parser on 1,000,000.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import subprocess
import sys
import time
import tomllib
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

# "s per MB" is shown for inputs of 100 kB or more; below that fixed costs dominate.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from convviz.model import Session  # noqa: E402
from convviz.model import files as F  # noqa: E402, N812
from convviz.model import lessons as L  # noqa: E402, N812
from convviz.model.values import ValueProblem, parse_block, parse_number  # noqa: E402

MB = 1_000_000
LESSON = 'title = "bench"\n[[slide]]\ntitle = "one"\ncaption = "c"\n'
SESSION = '{"format": "convviz-session", "version": 1, "kernel": [[1]], "input": %s}'


def answer(fn: Callable[[], object]) -> str:
    try:
        fn()
    except (ValueProblem, L.LessonError, F.SessionFileError) as exc:
        return "refused: " + str(exc)[:60]
    return "accepted"


def best(fn: Callable[[], object], budget: float = 0.4, most: int = 50) -> float:
    """Best wall time of ``fn`` over repeated calls within about ``budget`` seconds."""
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < most and (not times or time.perf_counter() - start < budget):
        t = time.perf_counter()
        with contextlib.suppress(Exception):
            fn()
        times.append(time.perf_counter() - t)
    return min(times)


def cases() -> list[tuple[str, str, Callable[[], object], Callable[[], object] | None]]:
    """(path, input, ours, peer) for each adversarial input (and a few good ones)."""
    s = Session()
    out = []
    for label, text in [
        ("1 MB of digits", "1" * MB),
        ("16,000 digits + x", "1" * 16_000 + "x"),
        ("a long exponent", "1e" + "9" * 60),
    ]:
        out.append(("cell", label, lambda t=text: s.set_cell("input", 0, 0, t), None))
        out.append(("number box", label, lambda t=text: parse_number(t), None))
    grid = "\n".join("\t".join(repr(float(v)) for v in row) for row in np.random.rand(64, 64))
    for label, text in [
        ("64x64 tab-separated (accepted)", grid),
        (
            "[[...]] 64x64 (accepted)",
            "[" + ",".join("[" + ",".join(["0.5"] * 64) + "]" for _ in range(64)) + "]",
        ),
        ("1 MB of tabs and ones", ("1\t" * (MB // 2))),
        ("1 MB of [", "[" * MB),
        ("200 kB one row", ",".join(["1"] * 100_000)),
        ("64x64 with decimal commas", "\n".join(" ".join(["0,25"] * 64) for _ in range(64))),
    ]:
        peer = None
        if "accepted" in label and "\t" in text:
            peer = lambda t=text: np.loadtxt(io.StringIO(t), delimiter="\t")  # noqa: E731
        out.append(("paste", label, lambda t=text: s.paste("input", 0, 0, parse_block(t)), peer))
    for label, text in [
        ("the chapter's lesson (accepted)", L.lesson_path("6.2").read_text()),
        ("1,000-deep arrays", LESSON + "input = " + "[" * 1000 + "]" * 1000),
        ("250 kB of digits", LESSON + "step = " + "1" * 250_000),
        ("250 kB string field", LESSON + 'notes = "' + "x" * 250_000 + '"'),
        ("1 MB file", LESSON + "#" * MB),
    ]:
        peer = lambda t=text: tomllib.loads(t)  # noqa: E731
        out.append(("lesson", label, lambda t=text: L.parse_lesson(t, file="b.toml"), peer))
    grid_json = json.dumps(np.random.rand(64, 64).tolist())
    for label, text in [
        ("64x64 input (accepted)", SESSION % grid_json),
        ("1,000-deep lists", SESSION % ("[" * 1000 + "]" * 1000)),
        ("1 MB one row", SESSION % ("[[" + ",".join(["1"] * (MB // 2)) + "]]")),
        ("400-digit integer", SESSION % ("[[1" + "0" * 400 + "]]")),
        ("1 MB of backslashes in a string", SESSION % ('"' + "\\\\" * (MB // 2) + '"')),
        ("2 MB + 1 file", " " * (F.MAX_BYTES + 1)),
    ]:
        peer = None if len(text) > F.MAX_BYTES else (lambda t=text: json.loads(t))

        def ours(t=text):
            data = F.parse_session(t, name="b.convviz.json")
            F.apply(Session(), data)

        out.append(("session", label, ours, peer))
    return out


def busy(n: int, seconds: float) -> list[subprocess.Popen]:
    code = f"import time\nt = time.time() + {seconds}\nwhile time.time() < t: pass\n"
    return [subprocess.Popen([sys.executable, "-c", code]) for _ in range(n)]


def table(title: str, rows) -> dict[tuple[str, str], float]:
    print(f"\n{title}")
    print(f"  {'path':<11}{'input':<34}{'size':>9}{'ours':>10}{'s per MB':>10}  peer/ours  answer")
    times = {}
    for path, label, ours, peer in rows:
        size = 0
        t = best(ours)
        times[(path, label)] = t
        text_size = _size(path, label)
        size = text_size or 1
        ratio = f"{best(peer) / t:9.2f}" if peer is not None else "        -"
        per_mb = f"{t / size * MB:.3f}s" if size >= 100_000 else "-"
        print(
            f"  {path:<11}{label:<34}{size / 1e3:>7.0f}kB{t * 1e3:>8.2f}ms"
            f"{per_mb:>10} {ratio}  {answer(ours)}"
        )
    return times


_SIZES: dict[tuple[str, str], int] = {}


def _size(path: str, label: str) -> int:
    return _SIZES.get((path, label), 0)


def main() -> None:
    warnings.simplefilter("ignore")
    rows = cases()
    # sizes, for the s-per-MB column: measured from each case's own text
    for path, label, ours, _ in rows:
        t = ours.__defaults__[0] if ours.__defaults__ else ""
        _SIZES[(path, label)] = len(t.encode("utf-8")) if isinstance(t, str) else 0
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}")
    idle = table("Idle machine", rows)
    procs = busy(2, 120)
    try:
        time.sleep(0.5)
        loaded = table("With two busy processes", rows)
    finally:
        for p in procs:
            p.kill()
            p.wait()
    big = [k for k in loaded if _SIZES[k] >= 100_000]
    worst = max(big, key=lambda k: loaded[k] / _SIZES[k])
    slowest = max(loaded, key=lambda k: loaded[k])
    print(
        f"\nwith two busy processes: slowest answer per MB among inputs of 100 kB or more "
        f"{loaded[worst] / _SIZES[worst] * MB:.3f} s ({worst[0]}, {worst[1]}); "
        f"slowest answer of all {loaded[slowest] * 1e3:.0f} ms ({slowest[0]}, {slowest[1]})"
    )
    old = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?", re.IGNORECASE)
    t = best(lambda: old.fullmatch("1" * 4000 + "x"), budget=2, most=3)
    new = idle[("number box", "1 MB of digits")]
    print(f"old parse_number regex, 4,000 digits + x: {t * 1e3:.1f} ms")
    print(f"new parse_number, 1,000,000 digits: {new * 1e3:.3f} ms")


if __name__ == "__main__":
    main()

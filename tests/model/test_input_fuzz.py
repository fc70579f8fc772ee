"""Every text input path, fed random and adversarial strings up to 1 MB.

Paths: a grid cell, a paste, a number box, a lesson field and a session
field. For each answer, accepted or refused, the test asserts:

- the refusal is the path's own error (never RecursionError, OverflowError...);
- the work is bounded: the number of function calls (Python and C, counted
  with ``sys.setprofile``) is at most linear in the input's size *capped at
  the path's limit*, so a 1 MB text costs no more than the largest text the
  path reads, and text beyond the limit is refused after a handful of calls;
- peak memory (tracemalloc) is under 20× the input's size (with a 64 kB floor);
- a refusal leaves the session exactly as it was.

Timings are a benchmark's job: ``python benchmarks/bench_inputs.py``.
"""

from __future__ import annotations

import gc
import json
import sys
import tracemalloc
from collections.abc import Callable

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from session_state import snapshot

from convviz.model import Session
from convviz.model import files as F  # noqa: N812
from convviz.model import lessons as L  # noqa: N812
from convviz.model.values import (
    MAX_CELL_CHARS,
    MAX_PASTE_CHARS,
    ValueProblem,
    parse_block,
    parse_number,
)

MB = 1_000_000

# Building blocks of the inputs that broke the old parsers (and of new ones).
PIECES = [
    "1", "9", "0", "-", "+", ".", "e", "E", "1.", "1e", "e5", "1/", "/", ",", ";", "0,25",
    " ", "\t", "\n", "\r\n", "[", "]", "[1,", "],", "[[", "]]", "{", "}", "(", ")",
    "nan", "inf", "−", "1e309", "9" * 20, "array(", '"', "'", "\\", "#", '"""', "'''",
    "a = ", "a.", "=", "\x00", "é", "🙂", "\u00a0", "0x10", "1_000",
]  # fmt: skip

adversarial = st.builds(
    lambda pre, piece, n, post: pre + (piece * n)[: MB - len(pre) - len(post)] + post,
    st.text(max_size=8),
    st.sampled_from(PIECES),
    st.integers(1, MB),
    st.text(max_size=8),
)
texts = st.one_of(st.text(max_size=300), adversarial)


def measured(fn: Callable[[], object]) -> tuple[object, int, int]:
    """Run ``fn``; return (its result or the exception it raised, calls made, peak bytes)."""
    calls = 0

    def count(frame, event, arg):
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    sys.setprofile(count)
    try:
        out: object = fn()
    except Exception as exc:
        out = exc
    finally:
        sys.setprofile(None)
        peak = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
    return out, calls, peak


def check(text: str, fn, errors, *, limit: int, per_char: int, fixed: int) -> object:
    out, calls, peak = measured(fn)
    if isinstance(out, Exception) and not isinstance(out, errors):
        raise AssertionError(f"escaped as {type(out).__name__}: {out}") from out
    size = len(text.encode("utf-8", "surrogatepass"))
    assert calls <= per_char * min(len(text), limit) + fixed, (calls, len(text))
    assert peak <= 20 * max(size, 64_000), (peak, size)
    if isinstance(out, Exception):
        assert len(str(out)) < 1000  # the refusal quotes, it does not echo
    return out


SETTINGS = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@SETTINGS
@given(texts)
@example("1" * 16_000 + "x")
@example("1" * MB)
def test_cell(text):
    s = Session()
    before = snapshot(s)
    out = check(
        text,
        lambda: s.set_cell("input", 0, 0, text),
        ValueProblem,
        limit=MAX_CELL_CHARS,
        per_char=4,
        fixed=400,
    )
    if isinstance(out, Exception):
        assert snapshot(s) == before


@SETTINGS
@given(texts)
@example("1" * 16_000 + "x")
def test_number_box(text):
    check(
        text, lambda: parse_number(text), ValueProblem, limit=MAX_CELL_CHARS, per_char=4, fixed=100
    )


@SETTINGS
@given(texts)
@example("\t".join(["1"] * 100) + "\n" * 20_000)
@example("[[" + "1, " * 300_000 + "]]")
@example("[" * MB)
@example(("1\t" * 64 + "\n") * 64)
def test_paste(text):
    s = Session()
    before = snapshot(s)

    def paste():
        return s.paste("input", 0, 0, parse_block(text))

    out = check(text, paste, ValueProblem, limit=MAX_PASTE_CHARS, per_char=2, fixed=150_000)
    if isinstance(out, Exception):
        assert snapshot(s) == before


LESSON = 'title = "fuzz"\n[[slide]]\ntitle = "one"\ncaption = "c"\n'


@SETTINGS
@given(
    texts,
    st.sampled_from(["quoted", "raw", "file"]),
    st.sampled_from(["input", "kernel", "options", "edges", "step"]),
)
@example("[" * MB, "raw", "input")
@example("1" * 5000, "raw", "step")
@example("{b = " * 2000, "raw", "options")
@example("0,25" * 15_269, "quoted", "kernel")  # a preset's name: 20 bytes a character once
def test_lesson_field(text, how, field):
    if how == "quoted":
        doc = LESSON + f"{field} = {json.dumps(text)}\n"
    elif how == "raw":
        doc = LESSON + f"{field} = {text}\n"
    else:
        doc = text
    check(
        doc,
        lambda: L.parse_lesson(doc, file="fuzz.toml"),
        L.LessonError,
        limit=L.MAX_LESSON_BYTES,
        per_char=40,
        fixed=50_000,
    )


SESSION = {
    "format": '"convviz-session"',
    "version": "1",
    "input": "[[1, 2], [3, 4]]",
    "kernel": "[[1]]",
}


@SETTINGS
@given(
    texts,
    st.sampled_from(["quoted", "raw", "file"]),
    st.sampled_from(["input", "kernel", "options", "view", "step", "learning", "edges"]),
)
@example("[" * MB, "raw", "input")
@example("1" * 5000, "raw", "step")
@example("[[" + "1," * 400_000 + "1]]", "raw", "input")
def test_session_field(text, how, field):
    if how == "file":
        doc = text
    else:
        value = json.dumps(text) if how == "quoted" else text
        if field == "options":
            value = '{"bias": ' + value + "}"
        elif field == "learning":
            value = '{"lr": ' + value + "}"
        elif field == "edges":
            value = '{"picture": ' + value + ', "path": ' + value + "}"
        doc = "{" + ", ".join(f'"{k}": {v}' for k, v in {**SESSION, field: value}.items()) + "}"
    s = Session()
    before = snapshot(s)

    def load():
        F.apply(s, F.parse_session(doc, name="fuzz.convviz.json"))

    out = check(doc, load, F.SessionFileError, limit=F.MAX_BYTES, per_char=4, fixed=150_000)
    if isinstance(out, Exception):
        assert snapshot(s) == before
        assert "fuzz.convviz.json" in str(out)


def test_a_long_preset_name_is_refused_before_it_is_normalised():
    """A 60 kB kernel name ("0,25,25,...") took 20 bytes a character to normalise
    for comparison, at the fuzz test's memory bound; longer than any preset's
    name, it is refused as it is."""
    name = "0,25" * 15_269
    out, _, peak = measured(lambda: L.find_preset("kernel", name))
    assert isinstance(out, KeyError)
    assert peak < len(name)
    assert L.find_preset("kernel", "edge [1, −1]") == "Edge [1, −1]"  # (still forgiving)

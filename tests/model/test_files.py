"""Session files: exact round trips, clear refusals, and writes that never half-happen."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from session_state import snapshot

from convviz.model import Session
from convviz.model import files as F  # noqa: N812
from convviz.model.edges import CHAPTER
from convviz.model.learning import djl_edition
from convviz.model.values import MAX_ABS_VALUE


def edited_session() -> Session:
    s = Session()
    s.set_grid("input", [[0.1, -1 / 3, 2.5e-7], [1e6, -0.0, 7], [3, 2, 1]])
    s.set_grid("kernel", [[1, -2], [np.pi, 1e-300]])
    s.set_options(bias=-0.125, padding=(1, 2), stride=(2, 1), dilation=(1, 2), convolution=True)
    s.set_step(2)
    s.learning.set_settings(djl_edition(lr=0.123456789, seed=7))
    return s


def test_round_trip_is_exact(tmp_path):
    s = edited_session()
    assert s.modified
    path = F.save_session(s, tmp_path / "a.convviz.json", view="matrix")
    assert not s.modified  # saved: nothing left to lose
    t = Session()
    data = F.load_session(t, path)
    assert data.view == "matrix"
    assert F.capture(t) == F.capture(s)
    assert t.input.tobytes() == s.input.tobytes() and t.kernel.tobytes() == s.kernel.tobytes()
    assert t.options == s.options and t.step == 2
    assert t.learning.settings == s.learning.settings
    assert not t.modified
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["format"] == "convviz-session" and doc["version"] == 1
    assert t.can_undo  # opening a file is one undoable step
    t.undo()
    assert t.input.shape == (3, 3) and t.input[0, 1] == 1


finite = st.floats(-MAX_ABS_VALUE, MAX_ABS_VALUE, allow_nan=False, allow_subnormal=True)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    X=arrays(np.float64, st.tuples(st.integers(1, 7), st.integers(1, 7)), elements=finite),
    K=arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 4)), elements=finite),
    bias=finite,
    pad=st.tuples(st.integers(0, 16), st.integers(0, 16)),
    stride=st.tuples(st.integers(1, 16), st.integers(1, 16)),
    dil=st.tuples(st.integers(1, 16), st.integers(1, 16)),
    conv=st.booleans(),
    step=st.integers(-1, 50),
)
def test_round_trip_random(tmp_path, X, K, bias, pad, stride, dil, conv, step):
    s = Session()
    s.set_grid("input", X)
    s.set_grid("kernel", K)
    s.set_options(bias=bias, padding=pad, stride=stride, dilation=dil, convolution=conv)
    s.set_step(step)
    p = F.save_session(s, tmp_path / "r.convviz.json")
    t = Session()
    F.load_session(t, p)
    assert t.input.tobytes() == s.input.tobytes() and t.input.shape == s.input.shape
    assert t.kernel.tobytes() == s.kernel.tobytes() and t.kernel.shape == s.kernel.shape
    assert t.options == s.options and t.step == s.step and t.error == s.error


def test_with_suffix():
    assert F.with_suffix("lesson").name == "lesson.convviz.json"
    assert F.with_suffix("a.convviz.json").name == "a.convviz.json"
    assert F.with_suffix("a.json").name == "a.json"


# ---------------------------------------------------------------- refusals
def good_doc() -> dict:
    return json.loads(F.dumps(F.capture(Session())))


def write(tmp_path, content: bytes | str | dict | list, name: str = "x.convviz.json"):
    p = tmp_path / name
    if isinstance(content, (dict, list)):
        content = json.dumps(content)
    if isinstance(content, str):
        content = content.encode("utf-8")
    p.write_bytes(content)
    return p


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "is empty"),
        (b"{not json", "is damaged: it is not valid JSON at line 1"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "it is not text"),
        ({"hello": 1}, "is not a convviz session file"),
        ([1, 2, 3], "is not a convviz session file"),
        ({"format": "convviz-session", "version": 2}, "saved by a newer convviz"),
        ({"format": "convviz-session", "version": "1"}, "invalid format version '1'"),
        ({"format": "convviz-session", "version": 1}, "The input grid is missing"),
    ],
)
def test_broken_and_foreign_files(tmp_path, content, expected):
    p = write(tmp_path, content)
    s = edited_session()
    before = snapshot(s)
    with pytest.raises(F.SessionFileError, match=r"x\.convviz\.json") as exc:
        F.load_session(s, p)
    assert expected in str(exc.value)
    assert isinstance(exc.value, ValueError)
    assert snapshot(s) == before


def test_truncated_file(tmp_path):
    text = F.dumps(F.capture(edited_session()))
    p = write(tmp_path, text[: len(text) // 2])
    s = Session()
    before = snapshot(s)
    with pytest.raises(F.SessionFileError, match=r"ends too early \(truncated\?\)"):
        F.load_session(s, p)
    assert snapshot(s) == before


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"input": [[1, "2"]]}, "The input has '2' at row 1, column 2"),
        ({"input": [[1, 2], [3]]}, "rows have different lengths"),
        ({"input": [[True]]}, "not a number"),
        ({"input": [[1e7]]}, "values must be finite and between"),
        ({"input": [[0] * 65]}, "at most 64×64"),
        ({"kernel": []}, "The kernel must be a list of rows"),
        ({"options": {"padding": [-1, 0]}}, "Padding must be between 0 and 16"),
        ({"options": {"bias": "1"}}, "The bias must be a number"),
        ({"options": {"colour": 1}}, "unknown fields: colour"),
        ({"step": -2}, "The step must be a whole number from -1"),
        ({"step": 1.5}, "The step must be a whole number"),
        ({"learning": {"lr": -1}}, "The learning rate must be a number above 0"),
        ({"learning": {"speed": 1}}, "unknown fields: speed"),
        ({"edges": {"show_kt": "yes"}}, "show_kt must be true or false"),
        ({"edges": {"max_side": 3}}, "The largest side must be between 8 and 4096"),
        ({"edges": {"values": [[1, 2], [3]]}}, "rows have different lengths"),
        ({"surprise": 1}, "unknown fields: surprise"),
    ],
)
def test_invalid_contents_leave_the_session_untouched(tmp_path, change, expected):
    doc = good_doc()
    doc.update(change)
    p = write(tmp_path, doc)
    s = edited_session()
    before = snapshot(s)
    with pytest.raises(F.SessionFileError) as exc:
        F.load_session(s, p)
    assert expected in str(exc.value) and "Nothing was loaded" in str(exc.value)
    assert snapshot(s) == before


def test_nan_in_a_file_is_refused(tmp_path):
    text = F.dumps(F.capture(Session())).replace("0.0, 1.0, 2.0", "NaN, 1.0, 2.0")
    with pytest.raises(F.SessionFileError, match="NaN, which is not a number"):
        F.read_session_file(write(tmp_path, text))


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(F.SessionFileError, match="does not exist"):
        F.read_session_file(tmp_path / "nope.convviz.json")
    with pytest.raises(F.SessionFileError, match="is a folder"):
        F.read_session_file(tmp_path)


# ---------------------------------------------------------- atomic writes
@pytest.mark.parametrize("fail_at", ["fsync", "replace", "write"])
def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch, fail_at):
    p = tmp_path / "keep.convviz.json"
    old = Session()
    F.save_session(old, p)
    old_bytes = p.read_bytes()
    s = edited_session()

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    if fail_at == "fsync":
        monkeypatch.setattr(F.os, "fsync", boom)
    elif fail_at == "replace":
        monkeypatch.setattr(F.os, "replace", boom)
    else:
        real_fdopen = os.fdopen

        class HalfFile:
            def __init__(self, f):
                self.f = f

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.f.close()

            def write(self, data):
                self.f.write(data[: len(data) // 2])  # half of it lands, then the disk is full
                boom()

        monkeypatch.setattr(F.os, "fdopen", lambda fd, mode: HalfFile(real_fdopen(fd, mode)))
    with pytest.raises(F.SessionFileError, match=r"No space left on device.*unchanged"):
        F.save_session(s, p)
    assert p.read_bytes() == old_bytes
    assert sorted(x.name for x in tmp_path.iterdir()) == ["keep.convviz.json"]  # no temp left
    assert s.modified  # still unsaved
    monkeypatch.undo()
    F.save_session(s, p)
    assert F.read_session_file(p) == F.capture(s)


def test_save_keeps_file_mode(tmp_path):
    p = tmp_path / "m.convviz.json"
    F.save_session(Session(), p)
    os.chmod(p, 0o640)
    F.save_session(Session(), p)
    assert p.stat().st_mode & 0o777 == 0o640


# ------------------------------------------------ the other views' states
def test_edge_state_round_trips(tmp_path):
    s = Session()
    s.edges.load_preset("Exercise 1: diagonal edge (8×8)")
    s.edges.set_show_kt(True)
    s.edges.set_max_side(256)
    p = F.save_session(s, tmp_path / "e.convviz.json")
    assert json.loads(p.read_text())["edges"] == {
        "picture": "Exercise 1: diagonal edge (8×8)",
        "show_kt": True,
        "max_side": 256,
    }
    t = Session()
    F.load_session(t, p)
    assert t.edges.name == "Exercise 1: diagonal edge (8×8)" and t.edges.show_kt
    assert t.edges.max_side == 256
    np.testing.assert_array_equal(t.edges.picture, s.edges.picture)


def test_edge_picture_from_a_file_and_from_numbers(tmp_path):
    from PIL import Image

    img = tmp_path / "pic.png"
    Image.fromarray(np.tile(np.arange(0, 250, 25, dtype=np.uint8), (6, 1))).save(img)
    s = Session()
    s.edges.load_file(img)
    p = F.save_session(s, tmp_path / "f.convviz.json")
    assert json.loads(p.read_text())["edges"]["path"] == str(img)
    t = Session()
    F.load_session(t, p)
    assert t.edges.name == "pic.png"
    np.testing.assert_array_equal(t.edges.picture, s.edges.picture)

    img.unlink()  # the picture moved: the rest still opens, with a warning
    u = Session()
    data = F.load_session(u, p)
    assert "could not be read again" in data.warnings[0]
    assert u.edges.name == CHAPTER
    assert u.edges.picture.shape == (6, 8)  # the chapter's picture

    s.edges.set_picture(np.eye(3) * 0.5, "painted")
    p = F.save_session(s, tmp_path / "g.convviz.json")
    v = Session()
    F.load_session(v, p)
    assert v.edges.name == "painted"
    np.testing.assert_array_equal(v.edges.picture, np.eye(3, dtype=np.float32) * 0.5)

"""Edge maps (section 6.2.3, exercise 1): the chapter's numbers, lazily, in float32."""

from __future__ import annotations

import numpy as np
import pytest

from convviz.engine import corr2d
from convviz.model import Session
from convviz.model import edges as edges_module
from convviz.model.edges import (
    CHAPTER,
    KT_KEYS,
    PICTURES,
    EdgeMap,
)
from convviz.model.images import MAX_MAX_SIDE
from convviz.model.values import display_number, step_text

#: The chapter's printed ``corr2d(X, K)`` for the 6×8 image and K = [[1, -1]].
CHAPTER_Y = np.array([[0, 1, 0, 0, 0, -1, 0]] * 6, dtype=np.float32)


@pytest.fixture
def session():
    s = Session()
    s.set_grid("kernel", [[1, -1]])
    return s


def test_attached_to_the_session_and_lazy(monkeypatch):
    monkeypatch.setattr(edges_module, "corr2d", lambda *a, **k: pytest.fail("computed"))
    s = Session()  # nothing computed by the constructor
    assert s.edges.session is s
    assert s.edges.name == CHAPTER
    assert s.edges.picture.dtype == np.float32
    assert s.edges.picture.shape == (6, 8)


def test_chapter_example(session):
    e = session.edges
    maps = e.maps()
    assert list(maps) == ["XK", "XtK"]
    Y = maps["XK"].values
    assert Y.dtype == np.float32
    np.testing.assert_array_equal(Y, CHAPTER_Y)
    assert maps["XK"].caption() == "corr2d(X, K) — 6×7"
    assert not maps["XK"].vanishes
    # "Let's apply the kernel to the transposed image. As expected, it vanishes."
    t = maps["XtK"]
    assert t.shape == (8, 5) and t.caption() == "corr2d(Xᵀ, K) — 8×5"
    assert t.vanishes
    np.testing.assert_array_equal(t.values, np.zeros((8, 5)))


def test_transposed_kernel_maps(session):
    e = session.edges
    e.set_show_kt(True)
    maps = e.maps()
    assert list(maps) == ["XK", "XtK", "XKt", "XtKt"]
    # Kᵀ = [[1], [-1]] detects the horizontal edges of Xᵀ: 1 at row 1, -1 at row 5.
    Ytt = maps["XtKt"].values
    assert maps["XtKt"].shape == (7, 6)
    expected = np.zeros((7, 6), np.float32)
    expected[1], expected[5] = 1, -1
    np.testing.assert_array_equal(Ytt, expected)
    assert maps["XKt"].vanishes and maps["XKt"].shape == (5, 8)
    assert maps["XtKt"].transpose_of == "corr2d(X, K)"
    # The derived maps are exactly what the engine computes directly.
    X, K = e.picture, e.kernel
    np.testing.assert_array_equal(maps["XKt"].values, corr2d(X, K.T))
    np.testing.assert_array_equal(maps["XtKt"].values, corr2d(X.T, K.T))


def test_transpose_identity_on_random_floats():
    s = Session()
    rng = np.random.default_rng(1)
    s.set_grid("kernel", rng.normal(size=(3, 4)))
    s.edges.set_picture(rng.random((40, 31)), "noise")
    s.edges.set_show_kt(True)
    X, K = s.edges.picture, s.edges.kernel
    np.testing.assert_allclose(s.edges.map("XKt").values, corr2d(X, K.T), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(s.edges.map("XtKt").values, corr2d(X.T, K.T), rtol=1e-5, atol=1e-5)


def test_diagonal_edges_exercise_1(session):
    """A diagonal edge is seen by K, by Kᵀ, and in the transposed picture: nothing vanishes."""
    e = session.edges
    e.load_preset("Exercise 1: diagonal edge (8×8)")
    e.set_show_kt(True)
    maps = e.maps()
    assert not any(m.vanishes for m in maps.values())
    n = 8
    # X = tril(ones): X[i, j] - X[i, j+1] is 1 exactly where j == i.
    np.testing.assert_array_equal(maps["XK"].values, np.eye(n, n - 1, dtype=np.float32))
    # Xᵀ = triu(ones): the edge flips sign, just below the diagonal.
    np.testing.assert_array_equal(maps["XtK"].values, -np.eye(n, n - 1, k=-1, dtype=np.float32))
    # Transposing both transposes the map.
    np.testing.assert_array_equal(maps["XtKt"].values, maps["XK"].values.T)


def test_kernel_edit_recomputes_and_notifies(session):
    e = session.edges
    seen = []
    e.changed.connect(seen.append)
    before = e.map("XK").values.copy()
    session.set_cell("kernel", 0, 1, 1.0)  # K = [[1, 1]]: a blur, not an edge detector
    assert seen[-1] == frozenset({"maps"})
    after = e.map("XK").values
    assert not np.array_equal(before, after)
    np.testing.assert_array_equal(after, corr2d(e.picture, np.array([[1, 1]], np.float32)))
    assert not e.map("XtK").vanishes
    session.undo()
    np.testing.assert_array_equal(e.map("XK").values, CHAPTER_Y)


def test_cache_follows_the_kernel_even_without_an_event(session):
    e = session.edges
    first = e.map("XK")
    assert e.map("XK") is first  # cached
    # Inside a batch the event waits for the end: the cache compares the kernel itself.
    with session.batch():
        session.set_grid("kernel", [[2.0, -2.0]])
        np.testing.assert_array_equal(e.map("XK").values, 2 * CHAPTER_Y)


def test_kernel_larger_than_picture_says_so(session):
    e = session.edges
    e.set_picture(np.ones((3, 3)), "tiny")
    session.set_grid("kernel", np.ones((4, 2)))
    e.set_show_kt(True)
    m = e.map("XK")
    assert m.values is None and m.shape is None and not m.vanishes
    assert "larger than the input" in m.error
    assert m.caption() == "corr2d(X, K)"
    assert "4x2" in e.map("XK").error
    assert "2x4" in e.map("XKt").error  # each map speaks of its own kernel


def test_presets_and_samples_load(session):
    e = session.edges
    for name, src in PICTURES.items():
        e.load_preset(name)
        assert e.name == name
        assert e.picture.dtype == np.float32
        assert e.picture.min() >= 0 and e.picture.max() <= 1
        if src.sample:
            assert e.info is not None and e.path is not None
            assert e.picture.shape == (256, 256)
        else:
            assert e.info is None and e.path is None
            assert set(np.unique(e.picture)) <= {0.0, 1.0}
    with pytest.raises(KeyError, match="choose from"):
        e.load_preset("nope")


def test_picture_and_switch_events(session):
    e = session.edges
    seen = []
    e.changed.connect(seen.append)
    e.set_show_kt(True)
    e.set_show_kt(True)
    e.set_max_side(512)
    e.set_picture(np.zeros((4, 4)), "zeros")
    assert seen == [
        frozenset({"show_kt"}),
        frozenset({"max_side"}),
        frozenset({"picture", "maps"}),
    ]
    assert e.map("XK").vanishes  # a blank picture has no edges at all


def test_bad_pictures_and_limits_are_refused(session):
    e = session.edges
    with pytest.raises(ValueError, match="2-D"):
        e.set_picture(np.ones(5), "row")
    with pytest.raises(ValueError, match="finite"):
        e.set_picture([[1, np.nan]], "nan")
    assert e.name == CHAPTER
    with pytest.raises(ValueError, match="between"):
        e.set_max_side(MAX_MAX_SIDE + 1)
    with pytest.raises(ValueError, match="whole number"):
        e.set_max_side("big")


def test_use_chapter_example_sets_picture_and_kernel():
    s = Session()
    s.edges.load_preset("Disc (9×9)")
    s.edges.use_chapter_example()
    assert s.edges.name == CHAPTER
    np.testing.assert_array_equal(s.kernel, [[1, -1]])
    assert s.edges.map("XtK").vanishes
    assert s.can_undo  # an ordinary kernel edit


def test_window_and_arithmetic(session):
    e = session.edges
    st = e.window("XK", 3, 1)
    assert st.out_pos == (3, 1) and st.n == 3 * 7 + 1
    assert list(st.rows) == [3] and list(st.cols) == [1, 2]
    assert st.result == 1.0
    assert step_text(st) == "1×1 + 0×(−1) = 1"
    assert step_text(e.window("XK", 0, 5)) == "0×1 + 1×(−1) = −1"
    e.set_show_kt(True)
    st = e.window("XtKt", 5, 2)  # Xᵀ with Kᵀ = [[1], [-1]]
    assert list(st.rows) == [5, 6] and list(st.cols) == [2]
    assert st.result == e.map("XtKt").values[5, 2] == -1
    with pytest.raises(IndexError):
        e.window("XK", 6, 0)


def test_window_on_a_large_picture_matches_the_map():
    s = Session()
    rng = np.random.default_rng(3)
    s.set_grid("kernel", rng.integers(-2, 3, (3, 3)))
    s.edges.set_picture(rng.random((300, 200)), "noise")
    Y = s.edges.map("XK").values
    st = s.edges.window("XK", 250, 120)
    assert list(st.rows) == [250, 251, 252] and list(st.cols) == [120, 121, 122]
    assert st.result == pytest.approx(float(Y[250, 120]), rel=1e-5)


def test_limit_is_shared_and_symmetric(session):
    e = session.edges
    assert e.limit() == 1.0
    session.set_grid("kernel", [[3, -3]])
    assert e.limit() == 3.0


def test_display_number():
    assert display_number(-1.0) == "−1"
    assert display_number(0.25) == "0.25"
    assert EdgeMap("XK", None).name == "corr2d(X, K)"
    assert set(KT_KEYS) == {"XKt", "XtKt"}

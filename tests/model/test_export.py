"""Exports: exact grids, the book's arithmetic in LaTeX, code that runs, a GIF per step."""

from __future__ import annotations

import contextlib
import io
import itertools
import sys

import numpy as np
import pytest
from PIL import Image

from convviz.model import Session, presets
from convviz.model import export as E  # noqa: N812
from convviz.model.values import step_text


def scene(**options) -> Session:
    s = Session()
    if options:
        s.set_options(**options)
    return s


# ------------------------------------------------------------------ grids
def test_csv_is_exact_and_npy_round_trips(tmp_path):
    s = Session()
    s.set_grid("input", [[0.1, -1 / 3, 2], [1e-7, 123456.789, -4]])
    paths = E.export_grids(s, tmp_path / "scene.csv")
    assert [p.name for p in paths] == ["scene-input.csv", "scene-kernel.csv", "scene-output.csv"]
    back = np.loadtxt(paths[0], delimiter=",", ndmin=2)
    assert back.tobytes() == np.asarray(s.input).tobytes()
    assert paths[0].read_text().splitlines()[0] == "0.1,-0.3333333333333333,2"
    np.testing.assert_array_equal(np.loadtxt(paths[2], delimiter=",", ndmin=2), s.output)
    npy = E.export_grids(s, tmp_path / "scene-input.npy")  # a grid's own name is dropped
    assert [p.name for p in npy] == ["scene-input.npy", "scene-kernel.npy", "scene-output.npy"]
    assert np.load(npy[1]).tobytes() == np.asarray(s.kernel).tobytes()
    with pytest.raises(ValueError, match=r"\.csv or \.npy"):
        E.export_grids(s, tmp_path / "scene.xlsx")


def test_no_output_file_when_the_kernel_does_not_fit(tmp_path):
    s = Session()
    s.set_grid("kernel", np.ones((5, 5)))
    assert [p.name for p in E.export_grids(s, tmp_path / "a.csv")] == [
        "a-input.csv",
        "a-kernel.csv",
    ]


# ------------------------------------------------------------- arithmetic
def test_latex_reproduces_equation_621():
    s = Session()
    got = []
    while s.step_forward():
        got.append(E.session_latex(s))
    assert got == [
        r"0\times0 + 1\times1 + 3\times2 + 4\times3 = 19",
        r"1\times0 + 2\times1 + 4\times2 + 5\times3 = 25",
        r"3\times0 + 4\times1 + 6\times2 + 7\times3 = 37",
        r"4\times0 + 5\times1 + 7\times2 + 8\times3 = 43",
    ]


def test_latex_parenthesises_negatives_and_the_bias():
    s = Session()
    s.set_grid("input", presets.edge_image())
    s.set_grid("kernel", [[1, -1]])
    s.set_options(bias=-0.5)
    s.set_step(1)
    assert E.session_latex(s) == r"1\times1 + 0\times(-1) + (-0.5) = 0.5"
    s.set_options(bias=2)
    s.set_step(5)
    assert E.session_latex(s) == r"0\times1 + 1\times(-1) + 2 = 1"
    s.to_start()
    with pytest.raises(ValueError, match="has not started"):
        E.session_latex(s)


def test_plain_text_arithmetic_is_shortened():
    s = Session()
    s.set_grid("input", np.arange(225.0).reshape(15, 15))
    s.set_grid("kernel", np.ones((15, 15)))
    s.set_step(0)
    text = step_text(s.current, max_chars=60)
    assert len(text) <= 60 and "…" in text and text.endswith("= 25200")


# ------------------------------------------------------------------- code
SCENES = [
    {},
    {"bias": -0.5},
    {"padding": (1, 2), "stride": (2, 1), "dilation": (1, 2), "bias": 1.25},
    {"convolution": True},
    {"convolution": True, "padding": 1, "stride": 2},
]


@pytest.mark.parametrize("options", SCENES)
def test_numpy_snippet_runs_and_prints_the_same_output(options):
    s = scene(**options)
    code = E.numpy_snippet(s)
    out = io.StringIO()
    ns: dict = {}
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<snippet>", "exec"), ns)
    np.testing.assert_array_equal(ns["Y"], s.output)
    assert out.getvalue() == str(s.output) + "\n"


def test_numpy_snippet_on_an_edited_scene():
    s = Session()
    s.set_grid("input", np.random.default_rng(1).normal(size=(6, 7)))
    s.set_grid("kernel", [[0.1, -1 / 3], [2, 1e-3]])
    s.set_options(padding=1, stride=(1, 2))
    ns: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(E.numpy_snippet(s), ns)
    np.testing.assert_allclose(ns["Y"], s.output, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(ns["X"], s.input)  # literals are exact


@pytest.mark.parametrize("options", SCENES)
def test_pytorch_snippet_is_valid_and_complete(options):
    s = scene(**options)
    code = E.pytorch_snippet(s)
    compile(code, "<torch>", "exec")
    o = s.options
    assert "F.conv2d(" in code and "X[None, None]" in code
    assert f"stride={o.stride}," in code and f"padding={o.padding}," in code
    assert f"dilation={o.dilation}," in code
    assert ("torch.flip(K, dims=(0, 1))" in code) == o.convolution
    assert ("bias=None" in code) == (o.bias == 0)
    if o.bias:
        assert f"torch.tensor([{o.bias!r}], dtype=torch.float64)" in code


def test_snippets_refuse_an_impossible_scene():
    s = Session()
    s.set_grid("kernel", np.ones((5, 5)))
    for fn in (E.numpy_snippet, E.pytorch_snippet):
        with pytest.raises(ValueError, match=r"nothing to export.*larger than the input"):
            fn(s)


# -------------------------------------------------------------- animation
@pytest.mark.parametrize(
    ("inp", "ker", "options", "n_steps"),
    [
        (presets.fig_621(), presets.fig_621_kernel(), {}, 4),
        (presets.edge_image(), [[1, -1]], {}, 42),
        (presets.fig_621(), presets.fig_621_kernel(), {"padding": 1, "dilation": 2}, 9),
    ],
)
def test_gif_has_one_frame_per_step_plus_the_start(tmp_path, inp, ker, options, n_steps):
    s = Session()
    s.set_grid("input", inp)
    s.set_grid("kernel", ker)
    if options:
        s.set_options(**options)
    assert s.n_steps == n_steps
    p = tmp_path / "anim.gif"
    assert E.save_gif(s, p) == n_steps + 1
    with Image.open(p) as im:
        assert im.format == "GIF" and im.n_frames == n_steps + 1
        assert im.info.get("loop") == 0


def test_frames_show_the_window_moving():
    frames = E.render_frames(Session())
    assert len(frames) == 5 and all(f.size == frames[0].size for f in frames)
    arrays = [np.asarray(f) for f in frames]
    for a, b in itertools.pairwise(arrays):
        assert (a != b).any()


def test_too_long_animations_are_refused():
    s = Session()
    s.set_grid("input", np.zeros((40, 40)))
    s.set_grid("kernel", [[1]])
    with pytest.raises(ValueError, match="1601 frames; at most 600"):
        E.render_frames(s)


def test_mp4_without_pyav_says_so(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "av", None)  # as if the mp4 extra were not installed
    assert not E.mp4_available()
    with pytest.raises(E.ExportUnavailable, match=r"needs the PyAV package.*convviz\[mp4\]"):
        E.save_mp4(Session(), tmp_path / "a.mp4")
    assert not list(tmp_path.iterdir())


def test_mp4_decodes_back_to_the_frames(tmp_path):
    """A real H.264 file through PyAV's own encoder (no system ffmpeg), read back frame by frame."""
    import av  # the mp4 extra, part of the test extra

    s = Session()
    frames = E.render_frames(s)
    out = tmp_path / "a.mp4"
    assert E.save_mp4(s, out) == 5
    with av.open(str(out)) as c:
        got = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    assert len(got) == 5 + 2  # the last frame held twice more
    h, w = np.asarray(frames[0]).shape[:2]
    for k, a in enumerate(got):
        want = np.asarray(frames[min(k, 4)], dtype=float)
        assert a.shape[:2] == (h + h % 2, w + w % 2)
        assert np.abs(a[:h, :w].astype(float) - want).mean() < 3  # lossy, but the same picture
    # each frame is closer to its own picture than to its neighbours'
    for k in range(1, 4):
        d = [np.abs(got[k][:h, :w].astype(float) - np.asarray(f, float)).mean() for f in frames]
        assert int(np.argmin(d)) == k
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.mp4"]


def test_gif_frames_match_the_rendered_frames(tmp_path):
    s = Session()
    s.set_options(padding=1)
    frames = E.render_frames(s)
    p = tmp_path / "a.gif"
    assert E.save_gif(s, p) == len(frames)
    with Image.open(p) as im:
        for k, f in enumerate(frames):
            im.seek(k)
            diff = np.abs(np.asarray(im.convert("RGB"), float) - np.asarray(f, float))
            assert diff.mean() < 4 and np.percentile(diff, 99) < 60

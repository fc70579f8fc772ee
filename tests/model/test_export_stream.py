"""Long animations stream to the encoder: memory stays flat, and Cancel leaves the file alone."""

from __future__ import annotations

import os

import numpy as np
import pytest
from PIL import Image

from convviz.model import Session
from convviz.model import export as E  # noqa: N812

MB = 1 << 20


def rss() -> int:
    """This process's resident memory now, in bytes (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def long_scene() -> Session:
    """2,000 steps (a 40×50 input, a 1×1 kernel): 2,001 frames."""
    s = Session()
    s.set_grid("input", np.arange(2000.0).reshape(40, 50) % 7)
    s.set_grid("kernel", [[1]])
    assert s.n_steps == 2000
    return s


@pytest.mark.parametrize("save", [E.save_gif, E.save_mp4], ids=["gif", "mp4"])
def test_2000_frames_stream_with_flat_memory(tmp_path, save):
    s = long_scene()
    seen: list[tuple[int, int, int]] = []
    base = rss()

    def progress(done: int, total: int) -> None:
        if done % 50 == 0 or done == total:
            seen.append((done, total, rss()))

    out = tmp_path / f"long.{save.__name__[-3:]}"
    assert save(s, out, cell=3, progress=progress) == 2001
    assert seen[-1][:2] == (2001, 2001)
    peak = max(m for _, _, m in seen)
    assert peak - base < 200 * MB
    # flat: the last 1,500 frames add next to nothing to what the first 500 took
    at_500 = next(m for d, _, m in seen if d >= 500)
    assert peak - at_500 < 48 * MB
    if out.suffix == ".gif":
        with Image.open(out) as im:
            assert im.n_frames == 2001
    else:
        import av

        with av.open(str(out)) as c:
            assert sum(1 for _ in c.decode(video=0)) == 2001 + 2


@pytest.mark.parametrize("save", [E.save_gif, E.save_mp4], ids=["gif", "mp4"])
def test_cancel_mid_way_leaves_the_old_file(tmp_path, save):
    out = tmp_path / "anim.bin"
    out.write_bytes(b"the lecturer's old export")
    calls = []

    def progress(done: int, total: int) -> None:
        calls.append(done)
        if done == 700:
            raise E.Cancelled("stop")

    with pytest.raises(E.Cancelled):
        save(long_scene(), out, cell=3, progress=progress)
    assert calls[-1] == 700  # stopped there, not at the end
    assert out.read_bytes() == b"the lecturer's old export"
    assert [p.name for p in tmp_path.iterdir()] == ["anim.bin"]  # no temporary file left


def test_frame_count_is_checked_before_the_first_frame(tmp_path):
    s = long_scene()
    drawn = []
    with pytest.raises(ValueError, match="2001 frames; at most 2000"):
        E.save_gif(s, tmp_path / "a.gif", max_frames=2000, progress=lambda d, t: drawn.append(d))
    assert drawn == [] and not list(tmp_path.iterdir())


def test_the_scene_is_captured_so_later_edits_do_not_leak_in(tmp_path):
    s = Session()
    scene = E.AnimationScene.of(s)
    s.set_grid("input", np.ones((5, 5)))  # the user edits while the worker renders
    frames = E.render_frames(scene)
    assert len(frames) == 5  # the 3×3 scene's 4 steps, not the 5×5 one's 16
    assert E.save_gif(scene, tmp_path / "a.gif") == 5


def test_the_largest_values_the_editor_allows_cannot_overflow():
    """1e6 everywhere, a 15×15 kernel and bias: the output stays finite, so nothing shows inf."""
    s = Session()
    s.set_grid("input", np.full((20, 20), 1e6))
    s.set_grid("kernel", np.full((15, 15), -1e6))
    s.set_options(bias=1e6)
    assert s.output is not None and np.isfinite(s.output).all()
    assert s.output.min() == -225 * 1e12 + 1e6


def test_an_overflowing_output_is_reported_not_drawn(tmp_path):
    s = Session()
    s._output = np.full(s.output_shape, np.inf)  # as if the arithmetic had overflowed
    with pytest.raises(ValueError, match="overflows"):
        E.save_gif(s, tmp_path / "a.gif")
    assert not list(tmp_path.iterdir())

"""Reading picture files: grey-scale float32 in [0, 1], scaled down, clear refusals."""

from __future__ import annotations

import os

import numpy as np
import pytest
from PIL import Image

from convviz.model.edges import PICTURES
from convviz.model.images import ImageInfo, load_image, scaled_shape
from convviz.resources import resource


def _save(path, arr, **kw):
    Image.fromarray(arr).save(path, **kw)
    return path


@pytest.mark.parametrize("name", [p.sample for p in PICTURES.values() if p.sample])
def test_each_sample_loads(name):
    arr, info = load_image(resource("images", name))
    assert arr.dtype == np.float32 and arr.shape == (256, 256)
    assert 0 <= arr.min() < arr.max() <= 1
    assert arr.std() > 0.05  # a picture, not a blank
    assert not info.scaled and not info.converted_to_grey
    assert info.format == "PNG" and info.name == name
    assert resource("images", name).stat().st_size < 64 * 1024


def test_samples_readme_names_every_sample():
    text = resource("images", "README.md").read_text(encoding="utf-8")
    assert "CC0" in text
    for p in PICTURES.values():
        if p.sample:
            assert p.sample in text


def test_grey_png_values(tmp_path):
    a = np.array([[0, 51, 255]], np.uint8)
    arr, info = load_image(_save(tmp_path / "g.png", a))
    np.testing.assert_allclose(arr, [[0, 0.2, 1]], atol=1e-6)
    assert info.shape == info.original_shape == (1, 3)
    assert info.describe() == "g.png: PNG 1×3"


def test_colour_becomes_grey_by_luma(tmp_path):
    rgb = np.zeros((2, 3, 3), np.uint8)
    rgb[0, 0] = (255, 0, 0)
    rgb[0, 1] = (0, 255, 0)
    rgb[0, 2] = (0, 0, 255)
    rgb[1] = 255
    for ext in ("png", "bmp"):
        arr, info = load_image(_save(tmp_path / f"c.{ext}", rgb))
        assert arr.shape == (2, 3) and info.converted_to_grey
        # ITU-R 601: 0.299 R + 0.587 G + 0.114 B
        np.testing.assert_allclose(arr[0], [0.299, 0.587, 0.114], atol=1 / 255)
        np.testing.assert_allclose(arr[1], 1.0)
        assert "colour → grey" in info.describe()


def test_jpeg_and_transparency(tmp_path):
    rgb = np.full((40, 60, 3), 200, np.uint8)
    arr, info = load_image(_save(tmp_path / "p.jpg", rgb, quality=95))
    assert info.format == "JPEG" and info.converted_to_grey
    assert abs(float(arr.mean()) - 200 / 255) < 0.02
    rgba = np.zeros((4, 4, 4), np.uint8)  # fully transparent black: shown as white paper
    rgba[:2, :, 3] = 255  # top half opaque black
    arr, _ = load_image(_save(tmp_path / "t.png", rgba))
    np.testing.assert_allclose(arr[:2], 0)
    np.testing.assert_allclose(arr[2:], 1)


def test_sixteen_bit_grey(tmp_path):
    a = np.array([[0, 32768, 65535]], np.uint16)
    arr, info = load_image(_save(tmp_path / "d.png", a))
    np.testing.assert_allclose(arr, [[0, 0.5, 1]], atol=1e-4)
    assert not info.converted_to_grey


def test_oversized_picture_is_scaled_to_the_limit(tmp_path):
    a = (np.random.default_rng(0).random((300, 500)) * 255).astype(np.uint8)
    arr, info = load_image(_save(tmp_path / "big.png", a), max_side=100)
    assert arr.shape == (60, 100) and arr.dtype == np.float32
    assert info.scaled
    assert info.original_shape == (300, 500) and info.shape == (60, 100)
    assert "scaled down to 60×100 (max side 100)" in info.describe()
    assert "PNG 300×500" in info.describe()
    assert arr.min() >= 0 and arr.max() <= 1


def test_oversized_jpeg_uses_draft_and_still_reports_the_file_size(tmp_path):
    rgb = (np.random.default_rng(1).random((800, 1200, 3)) * 255).astype(np.uint8)
    arr, info = load_image(_save(tmp_path / "big.jpg", rgb), max_side=150)
    assert arr.shape == (100, 150)
    assert info.original_shape == (800, 1200)


def test_scaled_shape():
    assert scaled_shape((6, 8), 1024) == (6, 8)
    assert scaled_shape((3000, 4000), 1024) == (768, 1024)
    assert scaled_shape((5000, 2), 100) == (100, 1)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("noise.png", os.urandom(2048), "is not an image convviz can read (PNG, JPEG or BMP)"),
        ("notes.txt", b"Lecture notes\n" * 20, "“notes.txt” is not an image"),
        ("empty.png", b"", "“empty.png” is empty"),
    ],
)
def test_broken_files_raise_clear_value_errors(tmp_path, name, content, message):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_image(p)


@pytest.mark.parametrize("ext", ["png", "jpg", "bmp"])
def test_truncated_files(tmp_path, ext):
    a = (np.random.default_rng(2).random((64, 64)) * 255).astype(np.uint8)
    full = _save(tmp_path / f"full.{ext}", a).read_bytes()
    p = tmp_path / f"cut.{ext}"
    p.write_bytes(full[: len(full) // 2])
    with pytest.raises(ValueError, match=r"“cut\.\w+” is damaged or incomplete"):
        load_image(p)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ValueError, match=r"“gone\.png” does not exist"):
        load_image(tmp_path / "gone.png")
    with pytest.raises(ValueError, match="is a folder"):
        load_image(tmp_path)


def test_decompression_bomb_refused(tmp_path, monkeypatch):
    p = _save(tmp_path / "bomb.png", np.zeros((200, 200), np.uint8))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)  # errs above twice this
    with pytest.raises(ValueError, match=r"too large to open safely.*decompression bomb"):
        load_image(p)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 30_000)  # warns between 1x and 2x
    with pytest.raises(ValueError, match="too large to open safely"):
        load_image(p)


def test_bad_max_side(tmp_path):
    p = _save(tmp_path / "g.png", np.zeros((4, 4), np.uint8))
    with pytest.raises(ValueError, match="between"):
        load_image(p, max_side=2)


def test_info_is_plain_data():
    info = ImageInfo("a.png", "/x/a.png", "PNG", "L", (10, 20), (5, 10), 10, False)
    assert info.scaled and "scaled down to 5×10" in info.describe()

"""Render the sample pictures in ``resources/images/`` (grey-scale PNGs, our own work, CC0).

Every picture is drawn from numbers with numpy and Pillow, from a fixed seed,
so running this again gives the same files byte for byte (for a given
Pillow version) and nothing is downloaded::

    python scripts/make_sample_images.py            # write resources/images/*.png
    python scripts/make_sample_images.py --check    # only say whether they differ

Each is chosen to show something about edge detection at a glance:
vertical and horizontal edges (facade), a round edge all around (coin),
thin strokes in every direction (letters), edges under uneven light
(checker), and edges that are everywhere and nowhere (texture).
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

OUT = Path(__file__).resolve().parent.parent / "resources" / "images"
N = 256


def _smooth_noise(rng: np.random.Generator, shape: tuple[int, int], scale: float) -> np.ndarray:
    """Gaussian-filtered white noise (via the FFT), rescaled to [0, 1]."""
    h, w = shape
    noise = rng.standard_normal(shape)
    fy = np.fft.fftfreq(h)[:, None]
    fx = np.fft.rfftfreq(w)[None, :]
    filt = np.exp(-2 * (np.pi * scale) ** 2 * (fx * fx + fy * fy))
    out = np.fft.irfft2(np.fft.rfft2(noise) * filt, s=shape)
    out -= out.min()
    return out / max(out.max(), 1e-12)


def _to_image(a: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(np.rint(a * 255), 0, 255).astype(np.uint8))


def facade(rng: np.random.Generator) -> Image.Image:
    """A house front in daylight: wall, gable roof, windows, a door, soft noise."""
    y, x = np.mgrid[:N, :N] / (N - 1)
    sky = 0.85 - 0.25 * y
    img = sky.copy()
    wall_top, left, right = 0.42, 0.12, 0.88
    wall = (y >= wall_top) & (x >= left) & (x <= right)
    bricks = 0.03 * np.sign(np.sin(y * N * np.pi / 6))  # faint horizontal courses
    img[wall] = (0.62 + bricks + 0.05 * _smooth_noise(rng, (N, N), 12) - 0.03)[wall]
    # Gable roof: its two slopes are the picture's diagonal edges.
    roof = (y < wall_top) & (y > wall_top - 0.3 + np.abs(x - 0.5) * 0.75) & (x > 0.06)
    roof &= x < 0.94
    img[roof] = 0.28 + 0.04 * np.sin(x[roof] * 90)
    # Windows with frames and a lighter sill, two rows of three.
    for r0, cols in ((0.50, (0.19, 0.44, 0.69)), (0.72, (0.19, 0.69))):
        for c0 in cols:
            frame = (y >= r0) & (y < r0 + 0.14) & (x >= c0) & (x < c0 + 0.13)
            glass = (y >= r0 + 0.015) & (y < r0 + 0.125) & (x >= c0 + 0.015) & (x < c0 + 0.115)
            img[frame] = 0.95
            img[glass] = 0.15 + 0.25 * (x[glass] - c0)  # a reflection across the pane
            bar = glass & (np.abs(x - (c0 + 0.065)) < 0.006)
            img[bar] = 0.95
            sill = (y >= r0 + 0.14) & (y < r0 + 0.155) & (x >= c0 - 0.01) & (x < c0 + 0.14)
            img[sill] = 0.8
    door = (y >= 0.76) & (x >= 0.44) & (x < 0.56) & wall
    img[door] = 0.2
    ground = y > 0.96
    img[ground] = 0.45
    img += 0.015 * rng.standard_normal(img.shape)
    return _to_image(img).filter(ImageFilter.GaussianBlur(0.6))


def coin(rng: np.random.Generator) -> Image.Image:
    """A shaded coin with a raised rim and a numeral on a cloth-like background."""
    y, x = (np.mgrid[:N, :N] - (N - 1) / 2) / (N / 2)
    r = np.hypot(x, y)
    img = 0.25 + 0.12 * _smooth_noise(rng, (N, N), 3)  # woven cloth
    R = 0.78
    inside = r <= R
    light = 0.5 + 0.35 * (-x - y) / np.sqrt(2) / R  # lit from the top left
    img[inside] = (0.55 + 0.3 * light)[inside]
    rim = inside & (r >= R - 0.09)
    img[rim] = (0.75 + 0.2 * light)[rim]
    groove = inside & (np.abs(r - (R - 0.1)) < 0.012)
    img[groove] = 0.45
    face = _to_image(img)
    d = ImageDraw.Draw(face)
    font = ImageFont.load_default(size=120)
    d.text((N / 2 + 3, N / 2 + 5), "2", fill=90, font=font, anchor="mm")  # shadow
    d.text((N / 2, N / 2), "2", fill=235, font=font, anchor="mm")
    return face.filter(ImageFilter.GaussianBlur(0.8))


def letters(rng: np.random.Generator) -> Image.Image:
    """Dark text on paper, in three sizes: strokes in every direction."""
    paper = 0.93 - 0.06 * _smooth_noise(rng, (N, N), 20)
    im = _to_image(paper)
    d = ImageDraw.Draw(im)
    d.text((N / 2, 58), "CNN", fill=20, font=ImageFont.load_default(size=78), anchor="mm")
    d.text((N / 2, 140), "Edges!", fill=40, font=ImageFont.load_default(size=52), anchor="mm")
    d.text(
        (N / 2, 208),
        "corr2d(X, K) = Y",
        fill=60,
        font=ImageFont.load_default(size=26),
        anchor="mm",
    )
    return im.filter(ImageFilter.GaussianBlur(0.5))


def checker(rng: np.random.Generator) -> Image.Image:
    """A 8×8 checkerboard under light that falls off from the left."""
    y, x = np.mgrid[:N, :N]
    board = ((y // 32 + x // 32) % 2).astype(np.float64)
    light = 0.35 + 0.65 * (1 - x / (N - 1)) ** 0.8
    img = (0.15 + 0.8 * board) * light
    img += 0.01 * rng.standard_normal(img.shape)
    return _to_image(img).filter(ImageFilter.GaussianBlur(0.7))


def texture(rng: np.random.Generator) -> Image.Image:
    """Wood grain: growth rings bent by smooth noise, plus fine grain along the fibres."""
    y, x = np.mgrid[:N, :N] / (N - 1)
    warp = 1.2 * _smooth_noise(rng, (N, N), 30) + 0.3 * _smooth_noise(rng, (N, N), 8)
    rings = 0.5 + 0.5 * np.sin(2 * np.pi * (7 * x + 0.8 * y * y + warp))
    rings = rings**3  # thin dark late-wood lines between wide light bands
    fibres = _smooth_noise(rng, (N, N // 8), 1.0)
    fibres = np.repeat(fibres, 8, axis=1)[:, :N]
    img = 0.78 - 0.45 * rings + 0.08 * (fibres - 0.5)
    return _to_image(img).filter(ImageFilter.GaussianBlur(0.6))


SAMPLES = {
    "facade.png": facade,
    "coin.png": coin,
    "letters.png": letters,
    "checker.png": checker,
    "texture.png": texture,
}


def render(name: str) -> bytes:
    """The PNG bytes of one sample, from its own fixed seed."""
    seed = sum(name.encode())  # stable across runs and machines
    im = SAMPLES[name](np.random.default_rng(seed)).convert("L")
    buf = io.BytesIO()
    im.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="report differences, write nothing")
    args = ap.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    differ = 0
    for name in SAMPLES:
        data = render(name)
        path = OUT / name
        same = path.exists() and path.read_bytes() == data
        if args.check:
            differ += not same
            print(f"{name}: {'same' if same else 'DIFFERS'}")
        elif not same:
            path.write_bytes(data)
            print(f"wrote {path.relative_to(OUT.parent.parent)} ({len(data) / 1024:.1f} KiB)")
        else:
            print(f"{name}: unchanged ({len(data) / 1024:.1f} KiB)")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())

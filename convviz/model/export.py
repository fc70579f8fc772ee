"""Taking a scene out of convviz: grids, arithmetic, code and the animation.

- grids as CSV (exact numbers, one row a line) or NumPy ``.npy``;
- the current step's arithmetic as LaTeX, for slides and worksheets;
- the scene as a short NumPy or PyTorch program that prints the same output;
- the sliding-window animation as an animated GIF drawn with Pillow (no Qt,
  so it looks the same on every machine), or MP4 when an ``ffmpeg`` is there.

Files are written atomically, like session files.
"""

from __future__ import annotations

import functools
import io
import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ..engine import WindowStep
from .colormap import symmetric_limit, text_color, to_rgb
from .files import atomic_write
from .session import Session
from .values import _exact, format_block, format_number

#: Longer animations are refused: thousands of frames make a GIF no one can open.
MAX_FRAMES = 600
GRID_NAMES = ("input", "kernel", "output")


class ExportUnavailable(RuntimeError):
    """This export needs something the machine does not have (the text says what)."""


def _scene_or_raise(session: Session) -> None:
    if session.steps is None:
        raise ValueError(f"There is nothing to export: {session.error}")


# ------------------------------------------------------------------ grids
def grids(session: Session) -> dict[str, np.ndarray]:
    """The input, the kernel and (when it can be computed) the output, by name."""
    out = {"input": np.array(session.input), "kernel": np.array(session.kernel)}
    if session.output is not None:
        out["output"] = np.array(session.output)
    return out


def grid_csv(arr: np.ndarray) -> str:
    """Comma-separated rows with every number written exactly (``0.1``, not ``0.1000``)."""
    return format_block(arr, ",") + "\n"


def save_grid(arr: np.ndarray, path: str | Path) -> Path:
    """One grid to ``.csv`` or ``.npy``, by the path's suffix."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".csv":
        data = grid_csv(arr).encode("utf-8")
    elif suffix == ".npy":
        buf = io.BytesIO()
        np.save(buf, np.asarray(arr, dtype=np.float64), allow_pickle=False)
        data = buf.getvalue()
    else:
        raise ValueError(f"Grids are exported as .csv or .npy, not “{p.suffix or p.name}”.")
    atomic_write(p, data)
    return p


def export_grids(session: Session, path: str | Path) -> list[Path]:
    """Save each grid beside ``path``: ``a.csv`` → ``a-input.csv``, ``a-kernel.csv``, ...

    Returns the paths written (no output file when the output cannot be computed).
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".csv", ".npy"):
        raise ValueError(f"Grids are exported as .csv or .npy, not “{p.suffix or p.name}”.")
    stem = p.name[: -len(p.suffix)]
    for name in GRID_NAMES:  # "scene-input.csv" chosen in the dialog: use "scene"
        if stem.endswith(f"-{name}"):
            stem = stem[: -len(name) - 1]
    return [
        save_grid(arr, p.with_name(f"{stem}-{name}{suffix}"))
        for name, arr in grids(session).items()
    ]


# ------------------------------------------------------------- arithmetic
def _tex_num(v: float, *, paren: bool = True) -> str:
    s = format_number(v)
    if s.startswith("-"):
        return f"({s})" if paren else s
    return s


def step_latex(step: WindowStep) -> str:
    r"""``0\times0 + 1\times1 + 3\times2 + 4\times3 = 19``: the products, the bias, the result.

    Negative numbers (and a negative bias) are in parentheses; input cells
    on the padding appear as the 0 they contribute.
    """
    terms = [
        rf"{_tex_num(v)}\times{_tex_num(k)}"
        for v, k in zip(step.values.ravel(), step.kernel.ravel(), strict=True)
    ]
    if step.bias:
        terms.append(_tex_num(step.bias))
    return " + ".join(terms) + f" = {_tex_num(step.result, paren=False)}"


def session_latex(session: Session) -> str:
    """The current step's arithmetic as LaTeX; ValueError when the window has not started."""
    _scene_or_raise(session)
    st = session.current
    if st is None:
        raise ValueError("The window has not started yet: step it once to get its arithmetic.")
    return step_latex(st)


def step_text(step: WindowStep, *, max_chars: int | None = None) -> str:
    """The same arithmetic in plain Unicode (``×`` and ``−``), shortened to ``max_chars``."""
    terms = [
        f"{_tex_num(v).replace('-', '−')}×{_tex_num(k).replace('-', '−')}"
        for v, k in zip(step.values.ravel(), step.kernel.ravel(), strict=True)
    ]
    tail = []
    if step.bias:
        tail.append(_tex_num(step.bias).replace("-", "−"))
    result = format_number(step.result).replace("-", "−")
    text = " + ".join(terms + tail) + f" = {result}"
    if max_chars is None or len(text) <= max_chars:
        return text
    keep = len(terms)
    while keep > 2:
        keep -= 1
        head = terms[: (keep + 1) // 2]
        end = terms[len(terms) - keep // 2 :]
        text = " + ".join([*head, "…", *end, *tail]) + f" = {result}"
        if len(text) <= max_chars:
            return text
    return f"sum of {len(terms)} products" + (f" + {tail[0]}" if tail else "") + f" = {result}"


# ------------------------------------------------------------------- code
def _np_literal(arr: np.ndarray, indent: str = "    ") -> str:
    rows = [", ".join(_exact(v) for v in row) for row in np.asarray(arr)]
    if len(rows) == 1:
        return f"[[{rows[0]}]]"
    body = ",\n".join(f"{indent}[{r}]" for r in rows)
    return f"[\n{body},\n]"


def _describe(session: Session) -> str:
    o = session.options
    H, W = session.input.shape
    h, w = session.kernel.shape
    kind = "convolution (kernel flipped)" if o.convolution else "cross-correlation"
    parts = [f"{H}x{W} input, {h}x{w} kernel, {kind}"]
    if o.bias:
        parts.append(f"bias {format_number(o.bias)}")
    for name in ("padding", "stride", "dilation"):
        v = getattr(o, name)
        if v != ((0, 0) if name == "padding" else (1, 1)):
            parts.append(f"{name} {v}")
    return ", ".join(parts)


def _plain(session: Session) -> bool:
    o = session.options
    return o.padding == (0, 0) and o.stride == (1, 1) and o.dilation == (1, 1)


def _bias_code(b: float) -> str:
    if not b:
        return ""
    return f" - {_exact(-b)}" if b < 0 else f" + {_exact(b)}"


def numpy_snippet(session: Session) -> str:
    """A runnable NumPy program that prints this scene's output (as Y)."""
    _scene_or_raise(session)
    o = session.options
    lines = [
        f"# convviz scene: {_describe(session)}",
        "import numpy as np",
        "",
        f"X = np.array({_np_literal(session.input)}, dtype=float)",
        f"K = np.array({_np_literal(session.kernel)}, dtype=float)",
    ]
    if o.convolution:
        lines.append("K = np.flip(K)  # true convolution turns the kernel by 180° (6.2.5)")
    lines.append("")
    if _plain(session):
        lines += [
            "",
            "def corr2d(X, K):",
            '    """Compute 2D cross-correlation (D2L 6.2.1)."""',
            "    h, w = K.shape",
            "    Y = np.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))",
            "    for i in range(Y.shape[0]):",
            "        for j in range(Y.shape[1]):",
            "            Y[i, j] = (X[i : i + h, j : j + w] * K).sum()",
            "    return Y",
            "",
            "",
            f"Y = corr2d(X, K){_bias_code(o.bias)}",
        ]
    else:
        lines += [
            "",
            "def corr2d(X, K, padding=(0, 0), stride=(1, 1), dilation=(1, 1)):",
            '    """2D cross-correlation with zero padding, stride and dilation."""',
            "    (ph, pw), (sh, sw), (dh, dw) = padding, stride, dilation",
            "    X = np.pad(X, ((ph, ph), (pw, pw)))",
            "    h, w = K.shape",
            "    eh, ew = dh * (h - 1) + 1, dw * (w - 1) + 1  # rows, columns one window spans",
            "    Y = np.zeros(((X.shape[0] - eh) // sh + 1, (X.shape[1] - ew) // sw + 1))",
            "    for i in range(Y.shape[0]):",
            "        for j in range(Y.shape[1]):",
            "            r, c = i * sh, j * sw",
            "            Y[i, j] = (X[r : r + eh : dh, c : c + ew : dw] * K).sum()",
            "    return Y",
            "",
            "",
            f"Y = corr2d(X, K, padding={o.padding}, stride={o.stride}, dilation={o.dilation})"
            + _bias_code(o.bias),
        ]
    lines.append("print(Y)")
    return "\n".join(lines) + "\n"


def pytorch_snippet(session: Session) -> str:
    """The same scene with ``torch.nn.functional.conv2d`` (itself a cross-correlation)."""
    _scene_or_raise(session)
    o = session.options
    lines = [
        f"# convviz scene: {_describe(session)}",
        "import torch",
        "import torch.nn.functional as F",
        "",
        f"X = torch.tensor({_np_literal(session.input)}, dtype=torch.float64)",
        f"K = torch.tensor({_np_literal(session.kernel)}, dtype=torch.float64)",
    ]
    if o.convolution:
        lines.append(
            "K = torch.flip(K, dims=(0, 1))  # conv2d does not flip: turn K by 180° (6.2.5)"
        )
    bias = f"torch.tensor([{_exact(o.bias)}], dtype=torch.float64)" if o.bias else "None"
    lines += [
        "",
        "# conv2d wants (batch, channels, height, width): one image, one channel",
        "Y = F.conv2d(",
        "    X[None, None],",
        "    K[None, None],",
        f"    bias={bias},",
        f"    stride={o.stride},",
        f"    padding={o.padding},",
        f"    dilation={o.dilation},",
        ")[0, 0]",
        "print(Y)",
    ]
    return "\n".join(lines) + "\n"


# -------------------------------------------------------------- animation
# The light theme of convviz.gui.style, repeated here because the model is Qt-free.
_BG = (255, 255, 255)
_TEXT = (0, 0, 0)
_MUTED = (64, 64, 64)
_ACCENT = (0, 0, 0)
_ACCENT2 = (0, 158, 115)
_GRID = (96, 96, 96)
_PADDED = (176, 176, 176)
_BLANK = (236, 236, 236)


@functools.lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def _text_w(draw: ImageDraw.ImageDraw, text: str, font) -> float:
    return draw.textlength(text, font=font)


class _Layout:
    """Where the padded input, the kernel and the output sit in a frame."""

    def __init__(self, session: Session) -> None:
        steps = session.steps
        assert steps is not None
        self.Xp = steps.Xp
        self.K = steps.kernel
        self.pad = steps.geometry.padding
        self.stride = steps.geometry.stride
        self.dilation = steps.geometry.dilation
        self.out_shape = steps.output_shape
        Hp, Wp = self.Xp.shape
        h, w = self.K.shape
        oh, ow = self.out_shape
        cols = Wp + w + ow + 3.2  # two operators and margins, in cells
        rows = max(Hp, h, oh)
        self.cell = int(max(8, min(72, 1100 / cols, 560 / rows)))
        c = self.cell
        self.margin = max(16, c // 2)
        self.label_h = 34
        top = self.margin + self.label_h
        gap = int(1.1 * c)
        self.x_in = self.margin
        self.x_k = self.x_in + Wp * c + gap
        self.x_out = self.x_k + w * c + gap
        self.top = top
        grid_h = rows * c
        self.width = self.x_out + ow * c + self.margin
        self.width = max(self.width, 640)
        self.text_y = top + grid_h + 18
        self.height = self.text_y + 74 + self.margin
        self.numbers = c >= 20
        self.num_font = _font(max(9, int(c * 0.36)))
        self.label_font = _font(22)
        self.line_font = _font(26)

    def cell_box(self, x0: int, r: int, c_: int) -> tuple[int, int, int, int]:
        c = self.cell
        return (x0 + c_ * c, self.top + r * c, x0 + (c_ + 1) * c, self.top + (r + 1) * c)


def _draw_cell(draw, lay: _Layout, x0, r, c, value, rgb, *, padded=False) -> None:
    box = lay.cell_box(x0, r, c)
    draw.rectangle(box, fill=tuple(int(v) for v in rgb), outline=_GRID, width=1)
    if padded:  # hatch the padding, as the app does
        x_a, y_a = box[0], box[1]
        for k in range(0, 2 * lay.cell, max(6, lay.cell // 4)):
            draw.line(
                (
                    x_a + max(0, k - lay.cell),
                    y_a + min(k, lay.cell),
                    x_a + min(k, lay.cell),
                    y_a + max(0, k - lay.cell),
                ),
                fill=(150, 150, 150),
                width=1,
            )
    if lay.numbers and value is not None:
        txt = format_number(value, 3).replace("-", "−")
        col = _MUTED if padded else text_color(np.asarray(rgb))
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        draw.text((cx, cy), txt, font=lay.num_font, fill=col, anchor="mm")


def _base_image(session: Session, lay: _Layout) -> Image.Image:
    img = Image.new("RGB", (lay.width, lay.height), _BG)
    d = ImageDraw.Draw(img)
    Xp, K = lay.Xp, lay.K
    (ph, pw), (H, W) = lay.pad, session.input.shape
    xin = to_rgb(Xp, symmetric_limit(session.input))
    for r in range(Xp.shape[0]):
        for c in range(Xp.shape[1]):
            on_pad = not (ph <= r < ph + H and pw <= c < pw + W)
            rgb = _PADDED if on_pad else xin[r, c]
            _draw_cell(d, lay, lay.x_in, r, c, Xp[r, c], rgb, padded=on_pad)
    kin = to_rgb(K)
    for r in range(K.shape[0]):
        for c in range(K.shape[1]):
            _draw_cell(d, lay, lay.x_k, r, c, K[r, c], kin[r, c])
    oh, ow = lay.out_shape
    for r in range(oh):
        for c in range(ow):
            _draw_cell(d, lay, lay.x_out, r, c, None, _BLANK)
    conv = session.options.convolution
    y = lay.margin
    d.text(
        (lay.x_in, y),
        "Input X" + (" (padded)" if ph or pw else ""),
        font=lay.label_font,
        fill=_TEXT,
    )
    d.text((lay.x_k, y), "K flipped" if conv else "Kernel K", font=lay.label_font, fill=_TEXT)
    d.text((lay.x_out, y), "Output Y", font=lay.label_font, fill=_TEXT)
    mid = lay.top + min(Xp.shape[0], max(K.shape[0], oh)) * lay.cell / 2
    size = max(18, int(lay.cell * 0.9))
    for x_left, x_right, sym, scale in (
        (lay.x_in + Xp.shape[1] * lay.cell, lay.x_k, "⋆", 1.8),  # D2L's cross-correlation
        (lay.x_k + K.shape[1] * lay.cell, lay.x_out, "=", 1.0),
    ):
        f = _font(int(size * scale))
        d.text(((x_left + x_right) / 2, mid), sym, font=f, fill=_TEXT, anchor="mm")
    return img


def _outline(draw, lay: _Layout, st: WindowStep) -> None:
    """The window on the padded input (each tap when dilated) and the output cell it makes."""
    c = lay.cell
    w = max(3, c // 10)
    i, j = st.out_pos
    (sh, sw), (dh, dw) = lay.stride, lay.dilation
    kh, kw = st.kernel.shape
    r0, c0 = i * sh, j * sw
    if (dh, dw) == (1, 1):
        x_a, y_a = lay.x_in + c0 * c, lay.top + r0 * c
        draw.rectangle((x_a, y_a, x_a + kw * c, y_a + kh * c), outline=_ACCENT, width=w)
    else:
        for a in range(kh):
            for b in range(kw):
                x_a, y_a = lay.x_in + (c0 + b * dw) * c, lay.top + (r0 + a * dh) * c
                draw.rectangle((x_a, y_a, x_a + c, y_a + c), outline=_ACCENT, width=w)
    draw.rectangle(lay.cell_box(lay.x_out, i, j), outline=_ACCENT, width=w)


def render_frames(
    session: Session, *, max_frames: int = MAX_FRAMES, progress: Callable[[int], None] | None = None
) -> list[Image.Image]:
    """The animation: the blank start, then one frame per step (``n_steps + 1`` frames)."""
    _scene_or_raise(session)
    steps = session.steps
    assert steps is not None
    n = len(steps)
    if n + 1 > max_frames:
        raise ValueError(
            f"The animation would have {n + 1} frames; at most {max_frames} can be exported. "
            "Use a smaller input, a larger stride or a larger kernel."
        )
    lay = _Layout(session)
    canvas = _base_image(session, lay)
    out = steps.output()
    out_rgb = to_rgb(out)
    frames = []
    max_chars = int((lay.width - 2 * lay.margin) / (getattr(lay.line_font, "size", 26) * 0.52))

    def caption(img: Image.Image, text: str, counter: str) -> None:
        d = ImageDraw.Draw(img)
        d.text((lay.margin, lay.text_y), text, font=lay.line_font, fill=_TEXT)
        d.text((lay.margin, lay.text_y + 40), counter, font=lay.label_font, fill=_MUTED)

    first = canvas.copy()
    caption(first, "The window starts at the top left.", f"step 0 / {n}")
    frames.append(first)
    draw_canvas = ImageDraw.Draw(canvas)
    for k in range(n):
        st = steps[k]
        i, j = st.out_pos
        _draw_cell(draw_canvas, lay, lay.x_out, i, j, out[i, j], out_rgb[i, j])
        frame = canvas.copy()
        _outline(ImageDraw.Draw(frame), lay, st)
        caption(frame, step_text(st, max_chars=max_chars), f"step {k + 1} / {n}")
        frames.append(frame)
        if progress is not None:
            progress(k + 1)
    return frames


def save_gif(
    session: Session, path: str | Path, *, frame_ms: int = 900, last_ms: int = 2500
) -> int:
    """Write the animation as a looping GIF; return the number of frames."""
    rgb = render_frames(session)
    # One palette for all frames, taken from the last (it has every colour): 8x faster
    # than Pillow quantising each frame on its own, and no colour flicker.
    palette = rgb[-1].quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    frames = [f.quantize(palette=palette, dither=Image.Dither.NONE) for f in rgb]
    durations = [frame_ms] * len(frames)
    durations[-1] = max(frame_ms, last_ms)
    buf = io.BytesIO()
    frames[0].save(
        buf,
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        duration=durations,
        loop=0,
        disposal=1,
    )
    atomic_write(Path(path), buf.getvalue())
    return len(frames)


def ffmpeg_path() -> str | None:
    """An ffmpeg to encode MP4 with: imageio-ffmpeg's own, else one on PATH."""
    try:
        import imageio_ffmpeg  # type: ignore[import-not-found]

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except Exception:  # not installed, or its binary is missing
        pass
    return shutil.which("ffmpeg")


def mp4_available() -> bool:
    return ffmpeg_path() is not None


MP4_UNAVAILABLE = (
    "MP4 export needs ffmpeg, which is not installed here. Export a GIF instead, or "
    "install ffmpeg (e.g. `apt install ffmpeg` or `pip install imageio-ffmpeg`)."
)


def save_mp4(
    session: Session, path: str | Path, *, frame_ms: int = 900, ffmpeg: str | None = None
) -> int:
    """Write the animation as an H.264 MP4 through ffmpeg; ExportUnavailable without it."""
    exe = ffmpeg or ffmpeg_path()
    if exe is None:
        raise ExportUnavailable(MP4_UNAVAILABLE)
    frames = render_frames(session)
    w, h = frames[0].size
    w2, h2 = w + w % 2, h + h % 2  # yuv420p wants even sides
    p = Path(path)
    tmp = p.with_name(f".{p.name}.part.mp4")
    fps = 1000.0 / frame_ms
    cmd: Sequence[str] = [
        exe, "-y", "-loglevel", "error",
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w2}x{h2}", "-framerate", f"{fps:.6g}",
        "-i", "-",
        "-c:v", "libx264", "-pix_fmt", "yuv420p", "-r", "25", "-movflags", "+faststart",
        str(tmp),
    ]  # fmt: skip
    data = bytearray()
    for f in frames + [frames[-1]] * 2:  # hold the last frame a little longer
        if (w2, h2) != (w, h):
            g = Image.new("RGB", (w2, h2), _BG)
            g.paste(f, (0, 0))
            f = g
        data += f.tobytes()
    try:
        proc = subprocess.run(cmd, input=bytes(data), capture_output=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ExportUnavailable(f"ffmpeg could not be run ({exc}).") from exc
    if proc.returncode != 0 or not tmp.exists():
        tmp.unlink(missing_ok=True)
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        raise ExportUnavailable(f"ffmpeg failed to write the MP4: {msg[0]}")
    os.replace(tmp, p)
    return len(frames)

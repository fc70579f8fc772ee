"""Taking a scene out of convviz: grids, arithmetic, code and the animation.

- grids as CSV (exact numbers, one row a line) or NumPy ``.npy``;
- the current step's arithmetic as LaTeX, for slides and worksheets;
- the scene as a short NumPy or PyTorch program that prints the same output;
- the sliding-window animation as an animated GIF drawn with Pillow (no Qt,
  so it looks the same on every machine), or an H.264 MP4 through PyAV (the
  optional ``mp4`` extra, which brings its own encoder).

Animations stream: frames are drawn, encoded and dropped one at a time, with
a progress callback that can cancel. Files are written atomically, like
session files, so a cancelled or failed export leaves the old file as it was.
"""

from __future__ import annotations

import functools
import importlib.util
import io
import itertools
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import GifImagePlugin, Image, ImageDraw, ImageFont

from ..engine import WindowStep, WindowSteps
from .colormap import symmetric_limit, text_color, to_rgb
from .files import atomic_file, atomic_path, atomic_write
from .session import Options, Session
from .theme import THEMES
from .values import _exact, display_number, format_block, format_number, step_text

#: Longer animations are refused before the first frame is drawn. Frames stream to
#: the encoder, so this bounds time, not memory: the largest scene the editor
#: allows (a 64×64 input padded by 16, a 1×1 kernel) has 9,217 frames.
MAX_FRAMES = 10_000
#: :func:`render_frames` keeps every frame in memory, so it stops much sooner.
MAX_FRAMES_IN_MEMORY = 600
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
def step_latex(step: WindowStep) -> str:
    r"""``0\times0 + 1\times1 + 3\times2 + 4\times3 = 19``: the products, the bias, the result."""
    return step_text(step, latex=True)


def session_latex(session: Session) -> str:
    """The current step's arithmetic as LaTeX; ValueError when the window has not started."""
    _scene_or_raise(session)
    st = session.current
    if st is None:
        raise ValueError("The window has not started yet: step it once to get its arithmetic.")
    return step_latex(st)


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


def _program_head(session: Session, imports: list[str], array: str, flip: str) -> list[str]:
    """A snippet's first lines: what the scene is, the imports, X and K (``array`` % literal)."""
    _scene_or_raise(session)
    lines = [
        f"# convviz scene: {_describe(session)}",
        *imports,
        "",
        "X = " + array % _np_literal(session.input),
        "K = " + array % _np_literal(session.kernel),
    ]
    if session.options.convolution:
        lines.append(flip)
    return lines


def numpy_snippet(session: Session) -> str:
    """A runnable NumPy program that prints this scene's output (as Y)."""
    o = session.options
    lines = _program_head(
        session,
        ["import numpy as np"],
        "np.array(%s, dtype=float)",
        "K = np.flip(K)  # true convolution turns the kernel by 180° (6.2.5)",
    )
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
    o = session.options
    lines = _program_head(
        session,
        ["import torch", "import torch.nn.functional as F"],
        "torch.tensor(%s, dtype=torch.float64)",
        "K = torch.flip(K, dims=(0, 1))  # conv2d does not flip: turn K by 180° (6.2.5)",
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
#: Animations are drawn in the light theme, as on a projected slide.
THEME = THEMES["light"]
_BG = THEME.rgb("window")
_TEXT = THEME.rgb("text")
_MUTED = THEME.rgb("muted")
_ACCENT = THEME.rgb("accent")
_GRID = THEME.rgb("grid_line")
_PADDED = THEME.rgb("padded")
_BLANK = THEME.rgb("blank")


@functools.lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


class _Layout:
    """Where the padded input, the kernel and the output sit in a frame."""

    def __init__(self, session: Session | AnimationScene, *, cell: int | None = None) -> None:
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
        self.cell = int(cell) if cell else int(max(8, min(72, 1100 / cols, 560 / rows)))
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
        if not cell:
            self.width = max(self.width, 640)
        self.text_y = top + grid_h + 18
        self.height = self.text_y + 74 + self.margin
        self.numbers = c >= 20
        self.num_font = _font(max(9, int(c * 0.36)))
        self.label_font = _font(22)
        self.line_size = 26  # px: the caption's font, and how many characters fit
        self.line_font = _font(self.line_size)

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
        txt = display_number(value, 3)
        col = _MUTED if padded else text_color(np.asarray(rgb))
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        draw.text((cx, cy), txt, font=lay.num_font, fill=col, anchor="mm")


def _base_image(session: Session | AnimationScene, lay: _Layout) -> Image.Image:
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


class Cancelled(Exception):
    """Raised by a progress callback to stop an export; the target file is left as it was."""


#: progress(done, total): called after each frame; raising Cancelled stops the export.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class AnimationScene:
    """What the animation draws, captured at once so a worker can render it.

    Taken on the GUI thread (:meth:`of`); the worker then never reads the
    live :class:`Session`, which the user may go on editing meanwhile.
    """

    steps: WindowSteps
    input: np.ndarray
    options: Options
    output: np.ndarray

    @classmethod
    def of(cls, session: Session | AnimationScene) -> AnimationScene:
        if isinstance(session, AnimationScene):
            return session
        _scene_or_raise(session)
        steps, out = session.steps, session.output
        assert steps is not None and out is not None
        if not np.isfinite(out).all():
            raise ValueError(
                "The output overflows (a value is infinite): there is nothing sensible to draw."
            )
        return cls(steps, np.array(session.input), session.options, np.array(out))

    @property
    def n_frames(self) -> int:
        """The blank start, then one frame per step."""
        return len(self.steps) + 1


def _check_frames(scene: AnimationScene, max_frames: int) -> int:
    n = scene.n_frames
    if n > max_frames:
        raise ValueError(
            f"The animation would have {n} frames; at most {max_frames} can be exported. "
            "Use a smaller input, a larger stride or a larger kernel."
        )
    return n


def iter_frames(
    session: Session | AnimationScene, *, max_frames: int = MAX_FRAMES, cell: int | None = None
) -> Iterator[Image.Image]:
    """The animation's frames one at a time (the blank start, then one per step).

    A generator, so an encoder holds one frame at a time however long the
    animation; the frame count is checked before the first is drawn.
    ``cell`` sets the side of a grid cell in pixels (default: fit 1100×560).
    """
    scene = AnimationScene.of(session)
    steps = scene.steps
    n = _check_frames(scene, max_frames) - 1
    lay = _Layout(scene, cell=cell)
    canvas = _base_image(scene, lay)
    out = scene.output
    out_rgb = to_rgb(out)
    max_chars = int((lay.width - 2 * lay.margin) / (lay.line_size * 0.52))

    def caption(img: Image.Image, text: str, counter: str) -> None:
        d = ImageDraw.Draw(img)
        d.text((lay.margin, lay.text_y), text, font=lay.line_font, fill=_TEXT)
        d.text((lay.margin, lay.text_y + 40), counter, font=lay.label_font, fill=_MUTED)

    first = canvas.copy()
    caption(first, "The window starts at the top left.", f"step 0 / {n}")
    yield first
    draw_canvas = ImageDraw.Draw(canvas)
    for k in range(n):
        st = steps[k]
        i, j = st.out_pos
        _draw_cell(draw_canvas, lay, lay.x_out, i, j, out[i, j], out_rgb[i, j])
        frame = canvas.copy()
        _outline(ImageDraw.Draw(frame), lay, st)
        caption(frame, step_text(st, max_chars=max_chars), f"step {k + 1} / {n}")
        yield frame


def render_frames(
    session: Session | AnimationScene,
    *,
    max_frames: int = MAX_FRAMES_IN_MEMORY,
    cell: int | None = None,
) -> list[Image.Image]:
    """Every frame in a list, for previews and tests; exports stream :func:`iter_frames`."""
    return list(iter_frames(session, max_frames=max_frames, cell=cell))


def save_gif(
    session: Session | AnimationScene,
    path: str | Path,
    *,
    frame_ms: int = 900,
    last_ms: int = 2500,
    cell: int | None = None,
    progress: Progress | None = None,
    max_frames: int = MAX_FRAMES,
) -> int:
    """Write the animation as a looping GIF, frame by frame; return the number of frames.

    Streams: each frame is drawn, quantised to one shared palette, cut to
    the rectangle that changed since the previous frame and written, so
    memory stays flat however long the animation. Written atomically: a
    cancelled or failed export leaves ``path`` as it was.
    """
    scene = AnimationScene.of(session)
    total = _check_frames(scene, max_frames)
    frames = iter_frames(scene, max_frames=max_frames, cell=cell)
    first = next(frames)
    # One palette for all frames, from a frame with every colour (the start plus every
    # output colour): no colour flicker, and no per-frame quantising search.
    palette_img = _palette_image(scene, first)
    pal = palette_img.getpalette() or []
    pal = (pal + [0] * 768)[:768]
    w, h = first.size
    header = (
        b"GIF89a"
        + struct.pack("<HHBBB", w, h, 0xF7, 0, 0)  # global table of 256 colours
        + bytes(pal)
        + b"!\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"  # loop forever
    )
    prev: np.ndarray | None = None
    done = 0
    with atomic_file(path) as f:
        f.write(header)
        for img in itertools.chain([first], frames):
            q = img.quantize(palette=palette_img, dither=Image.Dither.NONE)
            a = np.asarray(q)
            box = (0, 0, w, h)
            if prev is not None:
                changed = a != prev
                rows, cols = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(0))
                if rows.size:
                    box = (int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)
                else:
                    box = (0, 0, 1, 1)
            prev = a
            part = q.crop(box) if box != (0, 0, w, h) else q
            ms = max(frame_ms, last_ms) if done == total - 1 else frame_ms
            chunks = GifImagePlugin.getdata(part, offset=box[:2], duration=ms, disposal=1)
            f.write(b"".join(chunks))
            done += 1
            if progress is not None:
                progress(done, total)
        f.write(b";")
    return done


def _palette_image(scene: AnimationScene, first: Image.Image) -> Image.Image:
    """A 255-colour palette covering the first frame and every output cell's colour."""
    cols = to_rgb(scene.output).reshape(-1, 3).astype(np.uint8)
    strip = Image.fromarray(np.repeat(cols[None, :, :], 8, axis=0), "RGB")
    sample = Image.new("RGB", (max(first.width, strip.width), first.height + strip.height), _BG)
    sample.paste(first, (0, 0))
    sample.paste(strip, (0, first.height))
    return sample.quantize(colors=255, method=Image.Quantize.MEDIANCUT)


def mp4_available() -> bool:
    """True when PyAV (the ``mp4`` extra) is installed: it brings its own H.264 encoder."""
    return importlib.util.find_spec("av") is not None


MP4_UNAVAILABLE = (
    "MP4 export needs the PyAV package, which is not installed here. Export a GIF "
    'instead, or install it: pip install "convviz[mp4]" (or pip install av).'
)


def save_mp4(
    session: Session | AnimationScene,
    path: str | Path,
    *,
    frame_ms: int = 900,
    cell: int | None = None,
    progress: Progress | None = None,
    max_frames: int = MAX_FRAMES,
) -> int:
    """Write the animation as an H.264 MP4 with PyAV, frame by frame; return the frame count.

    One video frame per animation frame at 1000/``frame_ms`` frames a
    second, the last held two frames longer. Streams like :func:`save_gif`
    and is written atomically; ExportUnavailable without PyAV.
    """
    try:
        import av
    except ImportError:
        raise ExportUnavailable(MP4_UNAVAILABLE) from None
    scene = AnimationScene.of(session)
    total = _check_frames(scene, max_frames)
    frames = iter_frames(scene, max_frames=max_frames, cell=cell)
    first = next(frames)
    w, h = first.size
    w2, h2 = w + w % 2, h + h % 2  # yuv420p wants even sides
    done = 0
    with atomic_path(path) as tmp:
        try:
            container = av.open(str(tmp), mode="w", format="mp4")
        except av.FFmpegError as exc:
            raise ExportUnavailable(f"The MP4 encoder could not start ({exc}).") from None
        try:
            stream = container.add_stream("libx264", rate=Fraction(1000, int(frame_ms)))
            stream.width, stream.height, stream.pix_fmt = w2, h2, "yuv420p"
            stream.options = {"crf": "20", "preset": "veryfast"}

            def put(img: Image.Image) -> None:
                if (w2, h2) != (w, h):
                    g = Image.new("RGB", (w2, h2), _BG)
                    g.paste(img, (0, 0))
                    img = g
                for packet in stream.encode(av.VideoFrame.from_image(img)):
                    container.mux(packet)

            last = first
            for img in itertools.chain([first], frames):
                put(img)
                last = img
                done += 1
                if progress is not None:
                    progress(done, total)
            put(last)  # hold the last frame a little longer
            put(last)
            for packet in stream.encode(None):
                container.mux(packet)
        except av.FFmpegError as exc:
            raise ExportUnavailable(f"The MP4 encoder failed: {exc}") from None
        finally:
            container.close()
    return done

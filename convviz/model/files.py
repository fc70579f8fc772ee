"""Saving and opening whole sessions as ``.convviz.json`` files, safely.

A session file is JSON with a format marker and a version::

    {"format": "convviz-session", "version": 1, "input": [[...]], "kernel": [[...]],
     "options": {...}, "step": 3, "view": "window", "learning": {...}, "edges": {...}}

Numbers are written as Python's ``repr`` does (what :mod:`json` uses), so
every float comes back bit for bit. Writing goes to a temporary file in the
same folder, is flushed to disk, then renamed over the target: a crash or a
full disk mid-write leaves the old file as it was. Reading validates the
whole file before anything is applied, so a broken, foreign or newer file
raises :class:`SessionFileError` and the open session stays untouched.
"""

from __future__ import annotations

import contextlib
import json
import os
import string
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from .. import __version__
from .edges import CHAPTER, PICTURES, as_picture
from .images import DEFAULT_MAX_SIDE, ImageInfo, check_max_side, load_image
from .learning import LearningSettings
from .session import LIMITS, Options, Session
from .values import ValueProblem, check_array, shorten

FORMAT = "convviz-session"
VERSION = 1
SUFFIX = ".convviz.json"
FILE_FILTER = "convviz sessions (*.convviz.json);;JSON files (*.json);;All files (*)"
#: Larger files are refused unread: a 64×64 input is about 110 kB of JSON written
#: exactly, a saved 128×128 picture about 400 kB.
MAX_BYTES = 2_000_000
#: Deeper nesting is refused before parsing (a session file nests 4 deep):
#: JSON nested 1,000 deep would otherwise end in RecursionError.
MAX_DEPTH = 16
#: More lists and objects than this are refused before parsing: a session has a
#: row list per grid row (64 + 15 + 128 at most) and a handful of objects, while
#: 2 MB of "[]," would become 700,000 Python lists (45 MB).
MAX_CONTAINERS = 2_000
#: More commas than this are refused before parsing: a session holds at most
#: 64² + 15² + 128² ≈ 20,700 numbers, and each number costs the parser a call.
MAX_COMMAS = 50_000
#: Integer literals longer than this are refused while parsing: no setting needs
#: more, and 400 digits would overflow every float conversion after.
MAX_INT_DIGITS = 18
#: A temporary file of an interrupted save older than this is removed by the next save.
STALE_TEMP_SECONDS = 60.0

OPTION_KEYS = ("bias", "padding", "stride", "dilation", "convolution")
EDGE_KEYS = ("picture", "show_kt", "max_side", "path", "values")
#: A picture that is neither a preset nor a file is saved as numbers up to this size.
MAX_SAVED_PICTURE = 128 * 128


class SessionFileError(ValueError):
    """A session file that cannot be opened or saved; the message says which and why."""


class _NumberTooLarge(ValueError):
    """A literal in a file beyond any setting's range (raised from inside the JSON parser)."""


def json_depth(text: str) -> int:
    """How deep ``[`` and ``{`` nest in JSON ``text``, outside strings (see json_nesting)."""
    return json_nesting(text)[0]


def json_nesting(text: str, *, chunk: int = 1 << 13) -> tuple[int, int]:
    """How deep ``[`` and ``{`` nest in JSON ``text`` outside strings, and how many there are.

    Linear time, vectorised with numpy over 8 kB chunks (a quote counts unless
    an odd run of backslashes precedes it), so a 2 MB file is measured in
    milliseconds with a few hundred kB of memory whatever its size, before
    :func:`json.loads` could recurse into it or build a million empty lists.
    """
    data = text.encode("utf-8", "surrogatepass")
    run_in, inside_in, depth_in, deepest, opened = 0, 0, 0, 0, 0
    for start in range(0, len(data), chunk):
        b = np.frombuffer(data, dtype=np.uint8, count=min(chunk, len(data) - start), offset=start)
        n = b.size
        slash = b == 0x5C
        if slash.any() or run_in:
            idx = np.arange(n, dtype=np.int32)
            last = np.maximum.accumulate(np.where(slash, np.int32(-1), idx))
            run = np.empty(n, dtype=np.int32)  # backslashes just before each position
            run[0] = run_in
            run[1:] = idx[:-1] - last[:-1] + np.where(last[:-1] < 0, run_in, 0)
            run_in = int(n - 1 - last[-1] + (run_in if last[-1] < 0 else 0)) if slash[-1] else 0
            quote = (b == 0x22) & (run % 2 == 0)
        else:
            quote = b == 0x22
        count = np.cumsum(quote, dtype=np.int32) + inside_in
        inside = (count % 2).astype(bool) | quote
        inside_in = int(count[-1]) % 2
        step = ((b == 0x5B) | (b == 0x7B)).astype(np.int32) - ((b == 0x5D) | (b == 0x7D))
        step[inside] = 0
        opened += int(np.count_nonzero(step > 0))
        depth = np.cumsum(step, dtype=np.int32) + depth_in
        deepest = max(deepest, int(depth.max()))
        depth_in = int(depth[-1])
    return deepest, opened


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _NumberTooLarge(f"it holds the number {text[:12]}… ({len(text)} digits), too large")
    return int(text)


def _json_float(text: str) -> float:
    v = float(text)
    if v in (float("inf"), float("-inf")):
        raise _NumberTooLarge(f"it holds the number {text[:24]}, too large for a float")
    return v


@dataclass(frozen=True)
class SessionData:
    """Everything a session file holds, validated, not yet applied to a Session."""

    input: np.ndarray
    kernel: np.ndarray
    options: Options
    step: int
    view: str | None = None
    learning: LearningSettings | None = None
    edges: dict[str, Any] | None = None
    #: The edge picture read back (from "values" or "path"), and how the file was read.
    edge_picture: np.ndarray | None = None
    edge_info: ImageInfo | None = None
    #: Things that could not be restored but did not stop the rest (a moved picture file).
    warnings: tuple[str, ...] = ()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SessionData):
            return NotImplemented
        return (
            np.array_equal(self.input, other.input)
            and np.array_equal(self.kernel, other.kernel)
            and self.input.shape == other.input.shape
            and self.kernel.shape == other.kernel.shape
            and (self.options, self.step, self.view, self.learning, self.edges)
            == (other.options, other.step, other.view, other.learning, other.edges)
        )

    __hash__ = None  # type: ignore[assignment]


def with_suffix(path: str | Path) -> Path:
    """``path`` ending in ``.convviz.json`` (added when it has no ``.json``)."""
    p = Path(path)
    return p if p.name.endswith(".json") else p.with_name(p.name + SUFFIX)


# ------------------------------------------------------------- capturing
def capture(session: Session, *, view: str | None = None) -> SessionData:
    """The session's saveable state as :class:`SessionData`."""
    return SessionData(
        input=np.array(session.input, dtype=np.float64),
        kernel=np.array(session.kernel, dtype=np.float64),
        options=session.options,
        step=int(session.step),
        view=view,
        learning=session.learning.settings,
        edges=_edges_state(session),
    )


def _edges_state(session: Session) -> dict[str, Any]:
    """The edge view's picture (by name, file or numbers), show-Kᵀ and scale-down limit."""
    edges = session.edges
    d: dict[str, Any] = {
        "picture": str(edges.name),
        "show_kt": bool(edges.show_kt),
        "max_side": int(edges.max_side),
    }
    if edges.name not in PICTURES:
        if edges.path is not None:
            d["path"] = str(edges.path)
        elif edges.picture.size <= MAX_SAVED_PICTURE:
            d["values"] = np.asarray(edges.picture, dtype=np.float64).tolist()
    return d


def to_json_dict(data: SessionData) -> dict[str, Any]:
    """The file's JSON object (plain lists, floats and ints)."""
    o = data.options
    d: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "saved_by": f"convviz {__version__}",
        "input": data.input.tolist(),
        "kernel": data.kernel.tolist(),
        "options": {
            "bias": float(o.bias),
            "padding": list(o.padding),
            "stride": list(o.stride),
            "dilation": list(o.dilation),
            "convolution": bool(o.convolution),
        },
        "step": int(data.step),
    }
    if data.view is not None:
        d["view"] = data.view
    if data.learning is not None:
        d["learning"] = {
            f.name: _jsonable(getattr(data.learning, f.name)) for f in fields(data.learning)
        }
    if data.edges is not None:
        d["edges"] = dict(data.edges)
    return d


def _jsonable(v: Any) -> Any:
    if isinstance(v, tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, np.generic):
        return v.item()
    return v


def dumps(data: SessionData) -> str:
    """The file's text: one field a line, grids one row a line, so it diffs and reads well."""

    def enc(v: Any) -> str:
        return json.dumps(v, ensure_ascii=False, allow_nan=False)

    lines = []
    for k, v in to_json_dict(data).items():
        if k in ("input", "kernel"):
            rows = ",\n".join(f"    {enc(r)}" for r in v)
            lines.append(f"  {enc(k)}: [\n{rows}\n  ]")
        else:
            lines.append(f"  {enc(k)}: {enc(v)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


# ---------------------------------------------------------------- saving
def save_session(session: Session, path: str | Path, *, view: str | None = None) -> Path:
    """Write the session to ``path`` atomically and clear ``session.modified``."""
    p = Path(path)
    text = dumps(capture(session, view=view))
    try:
        atomic_write(p, text.encode("utf-8"))
    except OSError as exc:
        raise SessionFileError(
            f"“{p.name}” could not be saved: {exc.strerror or exc}. The file on disk is unchanged."
        ) from exc
    session.modified = False
    return p


def atomic_write(path: str | Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` all at once: temp file, fsync, rename, fsync folder.

    A symbolic link is followed: its target is replaced and the link stays.
    An OSError names ``path``, never the temporary file. Temporary files left
    by an interrupted save of the same file (older than a minute) are removed.
    """
    with atomic_file(path) as f:
        f.write(data)


@contextlib.contextmanager
def atomic_file(path: str | Path) -> Iterator[BinaryIO]:
    """A binary file to stream into; on success it replaces ``path`` at once (see atomic_write).

    On any exception (a cancelled export too) the temporary file is removed
    and ``path`` is left as it was.
    """
    flags = os.O_WRONLY | os.O_TRUNC | getattr(os, "O_BINARY", 0)  # no newline translation
    with atomic_path(path) as tmp, os.fdopen(os.open(tmp, flags), "wb") as f:
        yield f
        f.flush()
        os.fsync(f.fileno())


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write; on success it replaces ``path`` at once.

    For writers that open the file themselves (an MP4 muxer). A symbolic
    link is followed; an OSError names ``path``; on any exception the
    temporary file is removed.
    """
    p = Path(path)
    target = Path(os.path.realpath(p)) if p.is_symlink() else p
    folder = target.parent if str(target.parent) else Path(".")
    try:
        mode = target.stat().st_mode & 0o777
    except OSError:
        mode = 0o644
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        os.close(fd)
    except OSError as exc:
        raise _named(exc, p) from exc
    try:
        yield Path(tmp)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise _named(exc, p) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError, AttributeError):  # not every system syncs folders
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    remove_stale_temps(target)


def _named(exc: OSError, path: Path) -> OSError:
    """The same error, naming the user's file instead of the temporary one."""
    return type(exc)(exc.errno, exc.strerror or str(exc), str(path))


_TEMP_CHARS = frozenset(string.ascii_letters + string.digits + "_")


def remove_stale_temps(path: str | Path, *, older_than: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Delete ``.name.XXXXXXXX.tmp`` files an interrupted save of ``path`` left behind.

    Only names :func:`tempfile.mkstemp` could have made for this very file,
    and only when older than ``older_than`` seconds (a save running in
    another window right now keeps its file). Returns what was removed.
    """
    p = Path(path)
    head, removed = f".{p.name}.", []
    now = time.time()
    try:
        entries = list(os.scandir(p.parent if str(p.parent) else "."))
    except OSError:
        return removed
    for e in entries:
        name = e.name
        mid = name[len(head) : -4]
        if not (name.startswith(head) and name.endswith(".tmp") and len(mid) == 8):
            continue
        if not set(mid) <= _TEMP_CHARS:
            continue
        with contextlib.suppress(OSError):
            if e.is_file(follow_symlinks=False) and now - e.stat().st_mtime > older_than:
                os.unlink(e.path)
                removed.append(Path(e.path))
    return removed


# --------------------------------------------------------------- reading
def read_session_file(path: str | Path) -> SessionData:
    """Read and fully validate a session file; SessionFileError says what is wrong."""
    p = Path(path)
    label = f"“{p.name}”"
    try:
        size = p.stat().st_size
        if p.is_dir():
            raise SessionFileError(f"{label} is a folder, not a session file.")
        if size > MAX_BYTES:
            raise SessionFileError(_too_big(label, size))
        with p.open("rb") as f:
            raw = f.read(MAX_BYTES + 1)  # the file may have grown since stat()
        if len(raw) > MAX_BYTES:
            raise SessionFileError(_too_big(label, len(raw)))
    except FileNotFoundError:
        raise SessionFileError(f"{label} does not exist (looked in {p.parent}).") from None
    except OSError as exc:
        raise SessionFileError(f"{label} cannot be read: {exc.strerror or exc}.") from None
    return parse_session(raw, name=p.name)


def _too_big(label: str, size: int) -> str:
    return (
        f"{label} is {size / 1e6:.1f} MB: far too large to be a convviz session "
        f"(they are at most {MAX_BYTES / 1e6:g} MB). Nothing was loaded."
    )


def parse_session(raw: bytes | str, *, name: str = "the file") -> SessionData:
    """Validate a session file's bytes or text; SessionFileError names ``name``.

    Size and nesting are checked before parsing, numbers while parsing, and
    every failure, whatever its kind, becomes the one file error.
    """
    label = f"“{name}”"
    if len(raw) > MAX_BYTES:
        raise SessionFileError(_too_big(label, len(raw)))
    if isinstance(raw, bytes):
        if not raw.strip():
            raise SessionFileError(f"{label} is empty: not a convviz session.")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise SessionFileError(
                f"{label} is not a convviz session: it is not text (perhaps an image or "
                "another program's file)."
            ) from None
    else:
        text = raw
    commas = text.count(",")
    if commas > MAX_COMMAS:
        raise SessionFileError(
            f"{label} is not a convviz session: it holds {commas + 1:,} values or more "
            f"(a session has at most {MAX_COMMAS:,}). Nothing was loaded."
        )
    depth, opened = json_nesting(text)
    if depth > MAX_DEPTH:
        raise SessionFileError(
            f"{label} is not a convviz session: its lists nest {depth} deep "
            f"(a session nests at most {MAX_DEPTH}). Nothing was loaded."
        )
    if opened > MAX_CONTAINERS:
        raise SessionFileError(
            f"{label} is not a convviz session: it holds {opened:,} lists and objects "
            f"(a session has at most {MAX_CONTAINERS:,}). Nothing was loaded."
        )
    try:
        doc = json.loads(
            text, parse_constant=_refuse_constant, parse_int=_json_int, parse_float=_json_float
        )
    except json.JSONDecodeError as exc:
        body = text.rstrip()
        on_last_line = exc.lineno >= body.count("\n") + 1
        end = exc.pos >= len(body) or (on_last_line and FORMAT in body and not body.endswith("}"))
        why = "it ends too early (truncated?)" if end else "it is not valid JSON"
        raise SessionFileError(
            f"{label} is damaged: {why} at line {exc.lineno}, column {exc.colno}. "
            "Nothing was loaded."
        ) from None
    except _NumberTooLarge as exc:
        raise SessionFileError(f"{label} cannot be opened: {exc}. Nothing was loaded.") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        why = str(exc) if isinstance(exc, ValueError) else "it is too deeply nested or too large"
        raise SessionFileError(f"{label} is damaged: {why}. Nothing was loaded.") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise SessionFileError(
            f'{label} is not a convviz session file (it has no "format": "{FORMAT}" '
            "marker). Open pictures with File ▸ Open image instead."
        )
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise SessionFileError(f"{label} has an invalid format version {_r(version)}.")
    if version > VERSION:
        raise SessionFileError(
            f"{label} was saved by a newer convviz (session format version {version}; this "
            f"one reads up to version {VERSION}). Update convviz to open it."
        )
    try:
        return _validate(doc)
    except (ValueProblem, ValueError, TypeError, OverflowError, RecursionError) as exc:
        why = shorten(str(exc), 500)
        raise SessionFileError(f"{label} cannot be opened: {why} Nothing was loaded.") from None


def _r(v: object) -> str:
    """``repr(v)`` cut short: a refusal quotes a value, it never echoes a megabyte."""
    return shorten(repr(v), 40)


def _refuse_constant(name: str) -> float:
    raise ValueError(f"it holds {name}, which is not a number")


def _grid(v: Any, what: str, key: str | None) -> np.ndarray:
    if not isinstance(v, list) or not v or not all(isinstance(r, list) for r in v):
        raise ValueProblem(f"{what} must be a list of rows of numbers.")
    lim = LIMITS[key] if key else 128
    cols = max(len(r) for r in v)
    if len(v) > lim or cols > lim:  # before looking at a single number
        raise ValueProblem(f"{what} is {len(v)}×{cols}; at most {lim}×{lim} fits.")
    for r, row in enumerate(v, start=1):
        for c, x in enumerate(row, start=1):
            if isinstance(x, bool) or not isinstance(x, (int, float)):
                raise ValueProblem(f"{what} has {_r(x)} at row {r}, column {c}: not a number.")
    if len({len(r) for r in v}) != 1:
        raise ValueProblem(f"{what}'s rows have different lengths.")
    return check_array(v, what)


def _check_keys(d: Any, allowed: tuple[str, ...], what: str) -> dict[str, Any]:
    if not isinstance(d, dict):
        raise ValueProblem(f"The {what} must be a JSON object.")
    extra = sorted(set(d) - set(allowed))
    if extra:
        raise ValueProblem(f"The {what} have unknown fields: {', '.join(extra)}.")
    return d


def _validate(doc: dict[str, Any]) -> SessionData:
    known = (
        "format",
        "version",
        "input",
        "kernel",
        "options",
        "step",
        "view",
        "learning",
        "edges",
        "saved_by",
    )
    _check_keys(doc, known, "file's top level")
    for k in ("input", "kernel"):
        if k not in doc:
            raise ValueProblem(f"The {k} grid is missing.")
    X = _grid(doc["input"], "The input", "input")
    K = _grid(doc["kernel"], "The kernel", "kernel")
    o = _check_keys(doc.get("options", {}), OPTION_KEYS, "options")
    kw: dict[str, Any] = {}
    for k, v in o.items():
        if k == "convolution":
            if not isinstance(v, bool):
                raise ValueProblem(f"The option convolution must be true or false, not {_r(v)}.")
            kw[k] = v
        elif k == "bias":
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise ValueProblem(f"The bias must be a number, not {_r(v)}.")
            kw[k] = float(v)
        else:
            kw[k] = tuple(v) if isinstance(v, list) else v
    options = Options(**kw).validated()
    step = doc.get("step", -1)
    if isinstance(step, bool) or not isinstance(step, int) or step < -1:
        raise ValueProblem(f"The step must be a whole number from -1, not {_r(step)}.")
    view = doc.get("view")
    if view is not None and (not isinstance(view, str) or len(view) > 64):
        raise ValueProblem(f"The view must be a name, not {_r(view)}.")
    learning = None
    if doc.get("learning") is not None:
        names = tuple(f.name for f in fields(LearningSettings))
        ld = _check_keys(doc["learning"], names, "learning settings")
        learning = LearningSettings(**{k: _tuples(v) for k, v in ld.items()}).validated()
    edges, picture, info, warnings = None, None, None, []
    if doc.get("edges") is not None:
        edges, picture, info, warnings = _validate_edges(doc["edges"])
    return SessionData(X, K, options, step, view, learning, edges, picture, info, tuple(warnings))


def _validate_edges(
    raw: Any,
) -> tuple[dict[str, Any], np.ndarray | None, ImageInfo | None, list[str]]:
    ed = dict(_check_keys(raw, EDGE_KEYS, "edge settings"))
    name = ed.get("picture", CHAPTER)
    if not isinstance(name, str) or len(name) > 1000:
        raise ValueProblem(f"The edge picture must be a name, not {_r(name)}.")
    if "show_kt" in ed and not isinstance(ed["show_kt"], bool):
        raise ValueProblem(f"show_kt must be true or false, not {_r(ed['show_kt'])}.")
    if "max_side" in ed:
        if isinstance(ed["max_side"], bool) or not isinstance(ed["max_side"], int):
            raise ValueProblem(f"max_side must be a whole number, not {_r(ed['max_side'])}.")
        check_max_side(ed["max_side"])
    picture, info, warnings = None, None, []
    if "values" in ed:
        picture = as_picture(_grid(ed["values"], "The edge picture", None))
    elif "path" in ed:
        if not isinstance(ed["path"], str):
            raise ValueProblem(f"The edge picture's path must be text, not {_r(ed['path'])}.")
        try:  # read now, so applying cannot fail half-way
            picture, info = load_image(ed["path"], ed.get("max_side", DEFAULT_MAX_SIDE))
        except ValueError as exc:
            warnings.append(f"The edge picture could not be read again: {exc}")
            ed = {k: v for k, v in ed.items() if k != "path"} | {"picture": CHAPTER}
    elif name not in PICTURES:
        warnings.append(
            f"The edge picture “{shorten(name, 40)}” is not one convviz knows; not restored."
        )
        ed = {k: v for k, v in ed.items() if k != "picture"}
    return ed, picture, info, warnings


def _tuples(v: Any) -> Any:
    return tuple(_tuples(x) for x in v) if isinstance(v, list) else v


# --------------------------------------------------------------- applying
def apply(session: Session, data: SessionData) -> None:
    """Put validated data into the session (one undo step, one event per model).

    ``modified`` is cleared before the listeners hear of the change.
    """
    with session.batch():
        session.set_scene(data.input, data.kernel, data.options)
        session.set_step(data.step)
        if data.learning is not None:
            session.learning.set_settings(data.learning)
        edges = session.edges
        if data.edges is not None:
            e = data.edges
            if "max_side" in e:
                edges.set_max_side(e["max_side"])
            if data.edge_picture is not None:
                edges.set_picture(
                    data.edge_picture,
                    e.get("picture", "Picture"),
                    info=data.edge_info,
                    path=e.get("path"),
                )
            elif e.get("picture") in PICTURES and e["picture"] != edges.name:
                with contextlib.suppress(OSError, ValueError):  # a shipped sample gone missing
                    edges.load_preset(e["picture"])
            if "show_kt" in e:
                edges.set_show_kt(e["show_kt"])
        session.modified = False


def load_session(session: Session, path: str | Path) -> SessionData:
    """Read, validate, then apply ``path``; on any problem the session is untouched."""
    data = read_session_file(path)
    apply(session, data)
    return data

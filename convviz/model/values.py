"""Reading and writing the numbers a user types, pastes or copies.

One place decides what counts as a number in a cell, so the grid editor,
paste, lessons and session files all refuse the same things with the same
message.
"""

from __future__ import annotations

import ast
import math
import re

import numpy as np

#: Larger magnitudes are refused: they only make the arithmetic unreadable
#: and the colour scale useless, and 1e308 overflows the first product.
MAX_ABS_VALUE = 1e6

_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", ",": "."})


class ValueProblem(ValueError):
    """A typed or pasted value that cannot go into a grid; the text says why."""


def parse_number(text: str) -> float:
    """Parse one cell's text: ``3``, ``-1.5``, ``1e-3``, ``1/9``, ``−2`` (Unicode minus)."""
    raw = str(text).strip()
    if not raw:
        raise ValueProblem("A cell needs a number; it cannot be empty.")
    t = raw.translate(_MINUS).replace(" ", "")
    value: float
    m = re.fullmatch(r"([-+]?\d+(?:\.\d*)?)/([-+]?\d+(?:\.\d*)?)", t)
    try:
        if m:
            den = float(m.group(2))
            if den == 0:
                raise ValueProblem(f"“{raw}” divides by zero.")
            value = float(m.group(1)) / den
        else:
            if not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?", t, re.IGNORECASE):
                raise ValueError
            value = float(t)
    except ValueProblem:
        raise
    except (ValueError, OverflowError):
        raise ValueProblem(f"“{raw}” is not a number.") from None
    return check_number(value, raw)


def check_number(value: float, shown: str | None = None) -> float:
    """Refuse NaN, infinities and absurdly large magnitudes with a clear message."""
    shown = shown if shown is not None else repr(value)
    if math.isnan(value):
        raise ValueProblem(f"“{shown}” is not a number (NaN).")
    if math.isinf(value) or abs(value) > MAX_ABS_VALUE:
        raise ValueProblem(
            f"“{shown}” is too large: values must lie between "
            f"{-MAX_ABS_VALUE:g} and {MAX_ABS_VALUE:g}."
        )
    return float(value) + 0.0  # no negative zero on screen


def check_array(arr: object, what: str = "The grid") -> np.ndarray:
    """A finite 2-D float64 copy of ``arr`` within the value limits, or ValueProblem."""
    try:
        a = np.array(arr, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueProblem(f"{what} must be a rectangular table of numbers.") from None
    if a.ndim == 1:
        a = a[None, :]
    if a.ndim != 2 or a.size == 0:
        raise ValueProblem(f"{what} must be a non-empty table of rows and columns.")
    bad = ~np.isfinite(a) | (np.abs(a) > MAX_ABS_VALUE)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise ValueProblem(
            f"{what} has {a[r, c]} at row {r + 1}, column {c + 1}: values must be finite "
            f"and between {-MAX_ABS_VALUE:g} and {MAX_ABS_VALUE:g}."
        )
    return a + 0.0


def parse_block(text: str) -> np.ndarray:
    """Parse pasted text into a 2-D array.

    Accepts what a spreadsheet copies (tab-separated rows), comma or space
    separated rows, and numpy/Python-style ``[[1, -1]]`` or ``[1, -1]``.
    """
    t = str(text).strip()
    if not t:
        raise ValueProblem("There is nothing to paste: the clipboard holds no numbers.")
    # numpy's own repr: array([[1., -1.]]) or np.array([[1, -1]], dtype=float32)
    m = re.fullmatch(r"(?:np\.|numpy\.)?array\((.*?)(?:,\s*dtype=[\w.]+)?\)", t, re.DOTALL)
    if m:
        t = m.group(1).strip()
    if t.startswith("["):
        body = t
        try:
            obj = ast.literal_eval(body.translate(str.maketrans("−", "-")))
        except (ValueError, SyntaxError):
            raise ValueProblem(
                "The pasted text looks like a list but is not one: "
                "check the brackets and commas, e.g. [[1, -1]]."
            ) from None
        if isinstance(obj, (int, float)):
            obj = [[obj]]
        elif obj and all(isinstance(v, (int, float)) for v in obj):
            obj = [obj]
        if not obj or not all(isinstance(r, (list, tuple)) for r in obj):
            raise ValueProblem("The pasted list must be a list of rows, e.g. [[1, -1]].")
        lens = {len(r) for r in obj}
        if len(lens) != 1:
            raise ValueProblem(
                f"The pasted rows have different lengths ({', '.join(map(str, sorted(lens)))})."
            )
        rows = [[parse_number(str(v)) for v in r] for r in obj]
        return check_array(rows, "The pasted block")
    lines = [ln for ln in t.splitlines() if ln.strip()]
    if any("\t" in ln for ln in lines):
        cells = [ln.split("\t") for ln in lines]
    elif any(";" in ln for ln in lines):
        cells = [ln.split(";") for ln in lines]
    elif any("," in ln for ln in lines) and not any(re.search(r"\d,\d", ln) for ln in lines):
        cells = [ln.split(",") for ln in lines]
    elif any("," in ln for ln in lines) and any(re.search(r"\s", ln.strip()) for ln in lines):
        cells = [re.split(r"[,\s]+", ln.strip()) for ln in lines]
    elif any("," in ln for ln in lines):
        cells = [ln.split(",") for ln in lines]
    else:
        cells = [ln.split() for ln in lines]
    lens = {len(r) for r in cells}
    if len(lens) != 1:
        raise ValueProblem(
            "The pasted rows have different numbers of cells "
            f"({', '.join(map(str, sorted(lens)))}): paste a rectangular block."
        )
    rows = []
    for i, r in enumerate(cells):
        row = []
        for j, v in enumerate(r):
            try:
                row.append(parse_number(v))
            except ValueProblem as exc:
                raise ValueProblem(f"Row {i + 1}, column {j + 1}: {exc}") from None
        rows.append(row)
    return check_array(rows, "The pasted block")


def format_number(value: float, digits: int = 4) -> str:
    """Short text for a cell: integers without ``.0``, others to ``digits`` significant."""
    v = float(value)
    if v == 0:
        return "0"
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    s = f"{v:.{digits}g}"
    if "e" in s:
        return s
    return s.rstrip("0").rstrip(".") if "." in s else s


def format_block(arr: np.ndarray, sep: str = "\t") -> str:
    """Rows of ``arr`` as text a spreadsheet (or :func:`parse_block`) reads back exactly."""
    a = np.asarray(arr, dtype=np.float64)
    if a.ndim == 1:
        a = a[None, :]
    return "\n".join(sep.join(_exact(v) for v in row) for row in a)


def format_numpy(arr: np.ndarray) -> str:
    """``[[1, -1]]``-style text, exact, for pasting into Python."""
    a = np.asarray(arr, dtype=np.float64)
    return "[" + ", ".join("[" + ", ".join(_exact(v) for v in row) + "]" for row in a) + "]"


def _exact(v: float) -> str:
    v = float(v)
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(v)

"""Reading and writing the numbers a user types, pastes or copies.

One place decides what counts as a number in a cell, so the grid editor,
paste, lessons and session files all refuse the same things with the same
message.

Every parser here checks the text's length before it looks inside it, and
then reads it in linear time: only ``str`` methods (split, strip, count) and
``float``, no backtracking regular expression and no ``ast.literal_eval``.
A 1 MB paste is refused after one ``len``; the largest accepted paste is
read with a few thousand Python steps.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ..engine import WindowStep

#: Larger magnitudes are refused: they only make the arithmetic unreadable
#: and the colour scale useless, and 1e308 overflows the first product.
MAX_ABS_VALUE = 1e6
#: Longer cell text is refused unread: ``-0.0000012345678901234567e-10`` is 30.
MAX_CELL_CHARS = 64
#: Longer pasted text is refused unread: 64×64 numbers written exactly
#: (``repr`` of a float is at most 24 characters, plus a separator) fit in 110 kB.
MAX_PASTE_CHARS = 262_144
#: Rows and columns a paste may have (the largest grid the editor holds).
MAX_PASTE_SIDE = 64

_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", ",": ".", " ": None, "\u202f": None})
_NUMBER_CHARS = "0123456789.eE+-"
_NAN = frozenset({"nan", "+nan", "-nan"})
_INF = frozenset({"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"})


class ValueProblem(ValueError):
    """A typed or pasted value that cannot go into a grid; the text says why."""


def shorten(text: str, n: int = 24) -> str:
    """``text`` cut to ``n`` characters with an ellipsis, so a refusal never echoes 1 MB."""
    return text if len(text) <= n else text[: n - 1] + "…"


def _too_large(shown: str) -> ValueProblem:
    return ValueProblem(
        f"“{shorten(shown)}” is too large: values must lie between "
        f"{-MAX_ABS_VALUE:g} and {MAX_ABS_VALUE:g}."
    )


def parse_number(text: str) -> float:
    """Parse one cell's text: ``3``, ``-1.5``, ``1e-3``, ``1/9``, ``−2``, ``2,5`` (decimal comma).

    Linear in the text and refused unread beyond :data:`MAX_CELL_CHARS`.
    """
    raw = (text if isinstance(text, str) else str(text)).strip()
    if not raw:
        raise ValueProblem("A cell needs a number; it cannot be empty.")
    if len(raw) > MAX_CELL_CHARS:
        if raw.lstrip("+-\u2212").isdigit():  # a long run of digits: an overflowing literal
            raise _too_large(raw)
        raise ValueProblem(
            f"“{shorten(raw)}” is too long for a number ({len(raw):,} characters; "
            f"at most {MAX_CELL_CHARS})."
        )
    t = raw.translate(_MINUS)
    low = t.lower()
    if low in _NAN:
        raise ValueProblem(f"“{raw}” is not a number (NaN): every cell needs a finite value.")
    if low in _INF:
        raise ValueProblem(f"“{raw}” is not a number a cell can hold: it is infinite.")
    num, slash, den = t.partition("/")
    if t.strip(_NUMBER_CHARS + "/") or "/" in den:
        raise ValueProblem(f"“{raw}” is not a number.")
    try:
        value = float(num)
        if slash:
            d = float(den)
            if d == 0:
                raise ValueProblem(f"“{raw}” divides by zero.")
            value = value / d
    except ValueProblem:
        raise
    except ValueError:
        raise ValueProblem(f"“{raw}” is not a number.") from None
    except OverflowError:
        raise _too_large(raw) from None
    return check_number(value, raw)


def check_number(value: object, shown: str | None = None) -> float:
    """Refuse NaN, infinities, non-numbers and absurdly large magnitudes with a clear message."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        raise ValueProblem(f"{shorten(repr(value))} is not a number.")
    try:
        v = float(value)
    except OverflowError:  # an int beyond 1.8e308
        raise _too_large(shown if shown is not None else str(value)[:20] + "…") from None
    shown = shown if shown is not None else repr(v)
    if math.isnan(v):
        raise ValueProblem(f"“{shorten(shown)}” is not a number (NaN).")
    if math.isinf(v) or abs(v) > MAX_ABS_VALUE:
        raise _too_large(shown)
    return v + 0.0  # no negative zero on screen


def check_array(arr: object, what: str = "The grid") -> np.ndarray:
    """A finite 2-D float64 copy of ``arr`` within the value limits, or ValueProblem."""
    try:
        a = np.array(arr, dtype=np.float64)
    except OverflowError:
        raise ValueProblem(
            f"{what} holds a number too large: values must lie between "
            f"{-MAX_ABS_VALUE:g} and {MAX_ABS_VALUE:g}."
        ) from None
    except (TypeError, ValueError):
        raise ValueProblem(f"{what} must be a rectangular table of numbers.") from None
    if a.ndim == 1:
        a = a[None, :]
    if a.ndim != 2 or a.size == 0:
        raise ValueProblem(f"{what} must be a non-empty table of rows and columns.")
    bad = ~np.isfinite(a) | (np.abs(a) > MAX_ABS_VALUE)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        v = a[r, c]
        why = "is not a number (NaN)" if np.isnan(v) else "is too large"
        raise ValueProblem(
            f"{what} has {v} at row {r + 1}, column {c + 1}, which {why}: values must be "
            f"finite and between {-MAX_ABS_VALUE:g} and {MAX_ABS_VALUE:g}."
        )
    return a + 0.0


def parse_block(text: str, max_side: int = MAX_PASTE_SIDE) -> np.ndarray:
    """Parse pasted text into a 2-D array.

    Accepts what a spreadsheet copies (tab-separated rows), semicolon, comma
    or space separated rows, and numpy/Python-style ``[[1, -1]]``, ``[1, -1]``
    or ``array([[1., -1.]])``. A comma inside a number is a decimal comma, as
    in a cell: ``0,25`` is a quarter, in a paste as in a cell; commas separate
    numbers when a row has several in one word (``1,2,3``) or a space after
    them (``1, 2``), and always inside brackets.

    The text's length is checked before anything else (:data:`MAX_PASTE_CHARS`),
    then its numbers of rows and cells (``max_side``), then each cell.
    """
    t = text if isinstance(text, str) else str(text)
    if len(t) > MAX_PASTE_CHARS:
        raise ValueProblem(
            f"The pasted text is too long ({len(t):,} characters; at most "
            f"{MAX_PASTE_CHARS:,}, room for {max_side}×{max_side} numbers)."
        )
    t = t.strip()
    if not t:
        raise ValueProblem("There is nothing to paste: the clipboard holds no numbers.")
    body = _numpy_body(t)
    if body is not None or t.startswith("["):
        rows = _bracket_rows(body if body is not None else t)
    else:
        rows = _text_rows(t)
    if len(rows) > max_side:
        raise ValueProblem(
            f"The pasted block has {len(rows):,} rows; at most {max_side} fit in a grid."
        )
    lens = {len(r) for r in rows}
    if max(lens) > max_side:
        raise ValueProblem(
            f"The pasted block has {max(lens):,} numbers in a row; at most {max_side} fit."
        )
    if len(lens) != 1:
        raise ValueProblem(
            "The pasted rows have different numbers of cells "
            f"({', '.join(map(str, sorted(lens)))}): paste a rectangular block."
        )
    out = np.empty((len(rows), len(rows[0])))
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            try:
                out[i, j] = parse_number(v)
            except ValueProblem as exc:
                raise ValueProblem(f"Row {i + 1}, column {j + 1}: {exc}") from None
    return out


def _numpy_body(t: str) -> str | None:
    """The list inside numpy's repr ``array([[1., -1.]], dtype=float32)``, or None."""
    for head in ("np.array(", "numpy.array(", "array("):
        if t.startswith(head):
            break
    else:
        return None
    if not t.endswith(")"):
        raise _list_problem()
    inner = t[len(head) : -1]
    end = inner.rfind("]") + 1
    tail = inner[end:].replace(" ", "").replace("\n", "")
    if end == 0 or not (tail == "" or (tail.startswith(",dtype=") and _is_name(tail[7:]))):
        raise _list_problem()
    return inner[:end].strip()


def _is_name(s: str) -> bool:
    s = s.strip("'\"")
    return bool(s) and s.replace(".", "").replace("_", "").isalnum()


def _list_problem() -> ValueProblem:
    return ValueProblem(
        "The pasted text looks like a list but is not one: "
        "check the brackets and commas, e.g. [[1, -1]]."
    )


def _bracket_rows(t: str) -> list[list[str]]:
    """``[[a, b], [c, d]]`` or ``[a, b]`` as rows of item texts; brackets at most two deep."""
    if not (t.startswith("[") and t.endswith("]")):
        raise _list_problem()
    inner = t[1:-1].strip()
    if inner.endswith(","):  # a trailing comma, as Python allows
        inner = inner[:-1].rstrip()
    if inner.startswith("["):
        if not inner.endswith("]"):
            raise _list_problem()
        parts = [p.strip() for p in inner[1:-1].replace("\n", " ").split("]")]
        # every part after the first is ", [a, b" (the separator, then a row)
        row_texts = [parts[0]]
        for p in parts[1:]:
            if not p.startswith(","):
                raise _list_problem()
            p = p[1:].lstrip()
            if not p.startswith("["):
                raise _list_problem()
            row_texts.append(p[1:])
    else:
        row_texts = [inner]
    rows = []
    for r in row_texts:
        if "[" in r or "]" in r:
            raise ValueProblem(
                "The pasted list must be a list of rows of numbers, e.g. [[1, -1], [0, 2]]; "
                "it has brackets nested deeper or out of place."
            )
        items = r.split(",")
        if items and not items[-1].strip() and len(items) > 1:
            items.pop()  # [1, 2,]
        if len(items) == 1 and not items[0].strip():
            raise ValueProblem("The pasted list is empty: write at least one number, e.g. [[1]].")
        rows.append(items)
    lens = {len(r) for r in rows}
    if len(lens) != 1 and max(lens) <= MAX_PASTE_SIDE:
        raise ValueProblem(
            f"The pasted rows have different lengths ({', '.join(map(str, sorted(lens)))})."
        )
    return rows


def _text_rows(t: str) -> list[list[str]]:
    """Rows of cell texts from spreadsheet, CSV or space-separated text."""
    lines = [ln for ln in t.splitlines() if ln.strip()]
    if "\t" in t:
        return [ln.split("\t") for ln in lines]
    if ";" in t:
        return [ln.split(";") for ln in lines]
    words = [ln.split() for ln in lines]
    if "," in t and not all(_decimal_comma(w) for ws in words for w in ws):
        return [[c.strip() for c in ln.split(",")] for ln in lines]
    return words  # any comma left is a decimal comma inside one number


def _decimal_comma(word: str) -> bool:
    """True when ``word`` has no comma, or one between two digits (``0,25``)."""
    n = word.count(",")
    if n == 0:
        return True
    i = word.find(",")
    return n == 1 and 0 < i < len(word) - 1 and word[i - 1].isdigit() and word[i + 1].isdigit()


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


#: The true minus sign: ``−1`` as a lecturer writes it, not the hyphen of ``-1``.
MINUS = "\u2212"


def display_number(value: float, digits: int = 4) -> str:
    """A number as a lecturer writes it: ``3``, ``0.25``, ``−1`` (a real minus sign)."""
    return format_number(value, digits).replace("-", MINUS)


def fit_number(value: float, digits: int, max_chars: int) -> str:
    """:func:`display_number` in at most ``max_chars`` characters where it can be.

    A learned kernel's cells are sized for numbers like ``−0.045``; when a run
    diverges its gradient reads ``−2.66e+04``, and the cells grew (or the digits
    shrank) mid-slide. Long numbers are written shorter instead: with fewer digits
    (``−0.045``, ``−0.003``), as a whole number when it fits (``−26612``), else as
    ``−2.7e4`` or ``−3e30``.
    """
    s = display_number(value, digits)
    if len(s) <= max_chars:
        return s
    for d in range(digits - 1, 0, -1):  # fewer digits first: −0.045, −0.003
        fewer = display_number(value, d)
        if "e" not in fewer and len(fewer) <= max_chars:
            return fewer
    v = float(value)
    if not math.isfinite(v):
        return s
    if abs(v) >= 1:
        whole = display_number(round(v))
        if len(whole) <= max_chars:
            return whole
    for k in range(max(digits - 1, 0), -1, -1):
        mantissa, exp = f"{v:.{k}e}".split("e")
        short = f"{mantissa}e{int(exp)}"
        if not math.isfinite(float(short)):  # 1.5e308 rounded up past the largest float
            break
        s = short.replace("-", MINUS)
        if len(s) <= max_chars:
            break
    return s


def factor_text(value: float, *, latex: bool = False) -> str:
    """A factor of a product: negative numbers in parentheses, ``(−1)`` (``(-1)`` in LaTeX)."""
    s = format_number(value)
    if not latex:
        s = s.replace("-", MINUS)
    return f"({s})" if s[0] in ("-", MINUS) else s


def term_text(x: float, k: float, *, latex: bool = False) -> str:
    """One product of a window step: ``1×(−1)`` (``1\\times(-1)`` in LaTeX)."""
    times = r"\times" if latex else "×"
    return f"{factor_text(x, latex=latex)}{times}{factor_text(k, latex=latex)}"


def step_text(
    step: WindowStep, *, max_chars: int | None = None, latex: bool = False, bias: bool = True
) -> str:
    """One window step's arithmetic: ``0×1 + 1×(−1) + 2 = 1``, the products, bias and result.

    Negative factors (and a negative bias) are in parentheses; input cells on
    the padding appear as the 0 they contribute. ``latex`` writes ``\\times``
    and ``-`` for a LaTeX document. Beyond ``max_chars`` the middle products
    give way to ``…``, and at the last to ``sum of N products``. ``bias=False``
    stops at the products' sum (``… = 19``), for a view that adds the bias on
    a line of its own (:func:`bias_text`).
    """
    terms = [
        term_text(v, k, latex=latex)
        for v, k in zip(step.values.ravel(), step.kernel.ravel(), strict=True)
    ]
    tail = [factor_text(step.bias, latex=latex)] if step.bias and bias else []
    total = step.result if bias else step.total
    result = format_number(total) if latex else display_number(total)
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


def bias_text(step: WindowStep) -> str:
    """``19 + 0.5 = 19.5``: the products' sum, then the bias added ("" when there is none)."""
    if step.bias == 0:
        return ""
    b = factor_text(step.bias)
    return f"{display_number(step.total)} + {b} = {display_number(step.result)}"


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

"""What counts as a number in a cell, pasted blocks, and text that reads back exactly."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from convviz.model import Session
from convviz.model.values import (
    MAX_ABS_VALUE,
    ValueProblem,
    check_array,
    display_number,
    factor_text,
    fit_number,
    format_block,
    format_number,
    format_numpy,
    parse_block,
    parse_number,
    step_text,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3", 3.0),
        (" -1.5 ", -1.5),
        ("1e-3", 1e-3),
        ("1/4", 0.25),
        ("\u22122", -2.0),  # Unicode minus, as the app displays it
        ("+7", 7.0),
        (".5", 0.5),
        ("2,5", 2.5),  # decimal comma
        ("-0", 0.0),
    ],
)
def test_parse_number_accepts(text, value):
    got = parse_number(text)
    assert got == value
    assert math.copysign(1.0, got) == math.copysign(1.0, value + 0.0)  # no negative zero


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("abc", "not a number"),
        ("nan", "not a number"),
        ("inf", "not a number"),
        ("-inf", "not a number"),
        ("1e300", "too large"),
        ("2e6", "too large"),
        ("1/0", "divides by zero"),
        ("1..2", "not a number"),
        ("0x10", "not a number"),
    ],
)
def test_parse_number_refuses_with_a_message(text, says):
    with pytest.raises(ValueProblem, match=says):
        parse_number(text)


def test_limits_are_inclusive():
    assert parse_number(str(int(MAX_ABS_VALUE))) == MAX_ABS_VALUE
    with pytest.raises(ValueProblem):
        parse_number(str(MAX_ABS_VALUE * 1.000001))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1\t-1\n2\t3", [[1, -1], [2, 3]]),  # spreadsheet
        ("1, -1\n2, 3", [[1, -1], [2, 3]]),
        ("1 -1\n2 3\n", [[1, -1], [2, 3]]),
        ("1;2;3", [[1, 2, 3]]),
        ("[[1, -1]]", [[1, -1]]),
        ("[1, -1]", [[1, -1]]),
        ("[[ 1.5,  2. ], [ 3. , -4. ]]", [[1.5, 2], [3, -4]]),  # what numpy prints
        ("[[1, \u22121]]", [[1, -1]]),
        ("5", [[5]]),
    ],
)
def test_parse_block_formats(text, expected):
    np.testing.assert_array_equal(parse_block(text), np.array(expected, float))


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "nothing to paste"),
        ("1\t2\n3", "different numbers of cells"),
        ("[[1, 2], [3]]", "different lengths"),
        ("[[1, 2]", "check the brackets"),
        ("1\tx", "Row 1, column 2"),
        ("1\tnan", "not a number"),
        ("[[1e300]]", "too large"),
    ],
)
def test_parse_block_refuses_with_a_message(text, says):
    with pytest.raises(ValueProblem, match=says):
        parse_block(text)


def test_check_array_refuses_non_finite_and_ragged():
    with pytest.raises(ValueProblem, match="row 1, column 2"):
        check_array([[1.0, np.inf]])
    with pytest.raises(ValueProblem):
        check_array([[1, 2], [3]])
    with pytest.raises(ValueProblem):
        check_array(np.zeros((0, 3)))


@pytest.mark.parametrize(
    ("value", "text"),
    [(3.0, "3"), (-1.0, "-1"), (0.5, "0.5"), (-0.0, "0"), (1 / 3, "0.3333"), (19.0, "19")],
)
def test_format_number(value, text):
    assert format_number(value) == text


finite = st.floats(
    min_value=-MAX_ABS_VALUE, max_value=MAX_ABS_VALUE, allow_nan=False, allow_infinity=False
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (-0.0451, "−0.045"),  # fewer digits first
        (-0.003082, "−0.003"),  # down to one: "−3e−3" beside 0.0031 read badly
        (0.45, "0.45"),  # what fits is display_number's text
        (-26612.3, "−26612"),  # a diverging gradient: the whole number
        (123456.7, "123457"),
        (-1.234e30, "−1e30"),
        (1.5e-5, "1.5e−5"),
        (float("inf"), "inf"),
    ],
)
def test_fit_number_shortens_what_does_not_fit(value, text):
    assert fit_number(value, 3, 6) == text


@given(st.floats(-1e300, 1e300), st.integers(2, 4))
def test_fit_number_stays_in_six_characters_and_close_to_the_value(x, digits):
    """Six characters hold any float but the tiniest and hugest negative exponents
    (``−1e−300``): what fits is unchanged, the rest within one digit's rounding."""
    s = fit_number(x, digits, 6)
    exp = abs(math.floor(math.log10(abs(x)))) if x else 0
    if exp < 100 and not (x < 0 and exp >= 10 and abs(x) < 1):
        assert len(s) <= 6, s
    if len(display_number(x, digits)) <= 6:
        assert s == display_number(x, digits)
    back = float(s.replace("−", "-"))
    assert back == pytest.approx(x, rel=0.5, abs=1e-300)


@given(
    hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, max_side=6), elements=finite)
)
def test_format_block_round_trip(a):
    np.testing.assert_array_equal(parse_block(format_block(a)), a + 0.0)
    np.testing.assert_array_equal(parse_block(format_numpy(a)), a + 0.0)


def test_parse_block_reads_numpy_repr():
    import numpy as np

    from convviz.model.values import parse_block

    for a in (np.array([[1.0, -1.5]]), np.array([[1, 2], [3, 4]], dtype=np.float32)):
        assert np.array_equal(parse_block(repr(a)), a.astype(float))
    assert np.array_equal(parse_block("np.array([[1, 2]])"), [[1.0, 2.0]])


def test_step_text_plain_and_latex_say_the_same_sum():
    s = Session()
    s.set_grid("kernel", [[1, -1]])
    s.set_grid("input", [[2, -3.5]])
    s.set_options(bias=-0.25)
    s.set_step(0)
    st = s.current
    assert step_text(st) == "2×1 + (−3.5)×(−1) + (−0.25) = 5.25"
    assert step_text(st, latex=True) == r"2\times1 + (-3.5)\times(-1) + (-0.25) = 5.25"
    assert display_number(-0.5) == "−0.5" and factor_text(-2.0) == "(−2)"
    assert factor_text(-2.0, latex=True) == "(-2)" and factor_text(3.0) == "3"

"""The painted sum (arithmetic.SumText): where the rich-text label put every product,
each product a hover target, and the layout fixed by the sum, not re-measured."""

from __future__ import annotations

import html

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QLabel

from convviz.gui.widgets.arithmetic import SEP, SumText


def _pixels(img) -> np.ndarray:
    img = img.convertToFormat(img.Format.Format_RGB32)
    a = np.array(img.constBits()).reshape(img.height(), img.bytesPerLine() // 4, 4)
    return a[:, : img.width(), :3].astype(int)


def _rich(terms, per, total, font) -> QLabel:
    """The sum as the rich-text label laid it out: one line of spans, or a table whose
    columns line the products up (the oracle for the painted sum)."""
    cells = []
    for t, pad in terms:
        style = "color:#606060; font-style:italic;" if pad else "color:#000000;"
        cells.append(f'<span style="{style}">{html.escape(t)}</span>')
    if len(terms) <= per:
        text = (
            '<span style="white-space:pre">'
            + " + ".join(cells)
            + f" = <b>{html.escape(total)}</b></span>"
        )
    else:
        rows = []
        sep = "<td>&nbsp;+&nbsp;</td>"
        for r0 in range(0, len(terms), per):
            tds = [sep if r0 else "<td></td>"]
            for j, c in enumerate(cells[r0 : r0 + per]):
                if j:
                    tds.append(sep)
                tds.append(f'<td align="right" style="white-space:pre">{c}</td>')
            if r0 + per >= len(terms):
                tds.append(
                    f'<td colspan="99" style="white-space:pre"> = <b>{html.escape(total)}</b></td>'
                )
            rows.append("<tr>" + "".join(tds) + "</tr>")
        text = '<table cellspacing="0" cellpadding="0">' + "".join(rows) + "</table>"
    lab = QLabel()
    lab.setTextFormat(Qt.TextFormat.RichText)
    lab.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    lab.setFont(font)
    lab.setText(text)
    return lab


TERMS_3X3 = [
    ("0×(−2)", True),
    ("0×1", True),
    ("0×(−1)", True),
    ("0×(−1)", True),
    ("(−1)×1", False),
    ("7×1", False),
    ("0×2", True),
    ("4×(−1)", False),
    ("0×2", False),
]


@pytest.mark.parametrize(("terms", "per"), [(TERMS_3X3[:4], 4), (TERMS_3X3, 3), (TERMS_3X3, 4)])
@pytest.mark.parametrize("px", [40, 90])
def test_the_painted_sum_is_where_the_rich_text_label_put_it(qtbot, terms, per, px):
    font = QFont()
    font.setPixelSize(px)
    rich = _rich(terms, per, "2", font)
    painted = SumText()
    painted.set_sum(font, terms, per, "", "2", ("#000000", "#606060", QColor(0, 0, 0, 0)), -1)
    for w in (rich, painted):
        qtbot.addWidget(w)
        w.setStyleSheet("background: white;")
        w.resize(rich.sizeHint().width() + 40, rich.sizeHint().height() + 20)
        w.show()
    # As tall as the label was; as wide as what is painted (the table had some slack).
    hint = painted.sizeHint()
    assert hint.height() == rich.sizeHint().height()
    assert hint.width() <= rich.sizeHint().width()
    a, b = _pixels(rich.grab().toImage()), _pixels(painted.grab().toImage())
    assert (a != a[0, 0]).any()
    ink = np.argwhere((b != b[0, 0]).any(-1))
    assert ink[:, 0].max() < hint.height() and ink[:, 1].max() < hint.width()
    # Same pixels, up to glyphs placed half a pixel apart (big type is copied from an
    # image at whole pixels; the document drew it at fractions of one).
    off = [np.abs(a - np.roll(b, dx, axis=1)).max(-1) > 60 for dx in (-1, 0, 1)]
    differ = (off[0] & off[1] & off[2]).sum()
    assert differ <= 0.003 * a.shape[0] * a.shape[1], f"{differ} pixels differ"


def test_pointing_at_a_product_names_it_and_moving_off_clears_it(qtbot):
    font = QFont()
    font.setPixelSize(40)
    s = SumText()
    qtbot.addWidget(s)
    s.set_sum(font, TERMS_3X3, 3, "", "2", ("#000000", "#606060", QColor("#56B4E9")), -1)
    s.resize(s.sizeHint() + s.sizeHint())
    s.show()
    qtbot.waitExposed(s)
    seen: list[int] = []
    s.sig_term_hovered.connect(seen.append)
    # the fifth product, "(−1)×1": second line, middle column
    boxes = {term: (x, row, w) for x, row, _t, _k, term, w in s._items if term >= 0}
    x, row, w = boxes[4]
    qtbot.mouseMove(s, QPoint(int(x + w / 2), int((row + 0.5) * s._pitch)))
    qtbot.waitUntil(lambda: seen[-1:] == [4])
    x, row, w = boxes[4]
    sep_x = int(x + w + 2)  # on the " + " after it: no product
    qtbot.mouseMove(s, QPoint(sep_x, int((row + 0.5) * s._pitch)))
    qtbot.waitUntil(lambda: seen[-1:] == [-1])
    assert s.term_at(QPoint(int(x + 1), int(row * s._pitch + 1)).toPointF()) == 4


def test_the_same_sum_again_is_not_laid_out_or_repainted_again(qtbot):
    font = QFont()
    font.setPixelSize(40)
    s = SumText()
    qtbot.addWidget(s)
    colors = ("#000000", "#606060", QColor("#56B4E9"))
    s.set_sum(font, TERMS_3X3, 3, "", "2", colors, -1)
    items = s._items
    s.set_sum(font, list(TERMS_3X3), 3, "", "2", colors, -1)
    assert s._items is items  # unchanged: nothing measured again
    s.set_sum(font, TERMS_3X3, 3, "", "3", colors, -1)
    assert s._items is not items and s._items[-1][2] == "3"
    assert (SEP, -1) in {(it[2], it[4]) for it in s._items}

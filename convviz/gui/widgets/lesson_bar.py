"""The lesson bar: the slide's title and caption in large type, and where we are.

One strip across the top of the window while a lesson runs::

    6.2.1  Cross-correlation            ● ● ○ ○   1 / 21   ◀  ▶  [slides ▾]  ▴  ✕
    Lay the 2×2 kernel on the top-left of the input. Multiply the numbers …
    Predict, then press → to reveal.              (or the answer, once revealed)

It only renders :class:`~convviz.model.lessons.LessonEvent`\\ s and emits
what the presenter asks for; the controller moves the lesson. Its buttons
never take the keyboard focus, so a presenter's clicker keeps driving it.
Collapsed, it keeps the title line only.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QImage, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSpacerItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...model.lessons import PREDICT, Lesson, LessonEvent, Slide
from ..style import StageStyle, Style
from ._util import blocked
from .label_cache import LabelPaintCache

__all__ = ["PREDICT", "LessonBar", "keep_formulas"]  # PREDICT: the model's, one wording
_NBSP = "\u00a0"
_UNSET = object()
_QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's "no maximum" for a widget's size
#: The bar's type is sized from the window's height: at this height its scale is 1
#: (caption 21 pt = 28 px, 2.4 % of the height; title 26 pt).
REF_WINDOW_HEIGHT = 1150.0


def _text_height(fm: QFontMetrics, text: str, width: int) -> int:
    """The height of ``text`` word-wrapped at ``width`` (0 for no text)."""
    flags = Qt.TextFlag.TextWordWrap
    return fm.boundingRect(0, 0, width, 100_000, flags, text).height() if text else 0


def keep_formulas(text: str) -> str:
    """No line break inside "(H − h + 1)" or "[1, −2, 1]": formulas stay on one line."""
    text = re.sub(r"\[[^\[\]]{0,24}\]", lambda m: m.group(0).replace(" ", _NBSP), text)
    return re.sub(r"(?<=\S) ([−+×=]) (?=\S)", f"{_NBSP}\\1{_NBSP}", text)


class LessonBar(QWidget):
    """Slide title, caption, answer, counter and the presenter's buttons."""

    sig_next = Signal()  # payload: none
    sig_prev = Signal()  # payload: none
    sig_goto = Signal(int)  # payload: 0-based slide index chosen from the list
    sig_close = Signal()  # payload: none; the presenter ends the lesson
    sig_collapsed = Signal(bool)  # payload: True when collapsed to the title line

    def __init__(self, style: Style, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Read from the back of the room: sized from the screen, not the zoom.
        self.window_style = style
        self.style_ = StageStyle(style)
        self._presenting = False
        self._collapsed = False
        self._event: LessonEvent | None = None
        self._lesson: Lesson | None = None
        self._tallest: dict[tuple, int] = {}  # caption + answer height, by view, width, fonts
        self._shown: dict[str, object] = {}  # what show_event last set, by key
        self._twin: LessonBar | None = None  # a hidden copy that draws the next slide
        self._is_twin = False  # measured as if shown (see picture_of)
        self.setObjectName("LessonBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)

        self.section = QLabel()
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.progress = QLabel()  # the slide's clicks: ● done, ○ to come
        self.progress.setToolTip("Clicks left on this slide before the next one")
        self.counter = QLabel()
        self.btn_prev = self._button("◀", "Back one click (← or Page Up)")
        self.btn_next = self._button(
            "▶", "Next: the slide's next step, then the next slide (→ or Page Down)"
        )
        self.slides = QComboBox()
        self.slides.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.slides.setToolTip("Jump to a slide")
        self.slides.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.slides.setMinimumContentsLength(14)
        self.btn_collapse = self._button("▴", "Show the title line only (or the caption again)")
        self.btn_close = self._button("✕", "End the lesson")
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        self.answer = QLabel()
        self.answer.setWordWrap(True)
        # top-aligned: the room kept for the view's longest answer stays below the text
        self.answer.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.answer.setTextFormat(Qt.TextFormat.PlainText)
        for lab in (self.caption, self.answer):
            lab.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        top = QHBoxLayout()
        top.addWidget(self.section)
        top.addWidget(self.title, 1)
        top.addWidget(self.progress)
        top.addWidget(self.counter)
        for w in (self.btn_prev, self.btn_next, self.slides, self.btn_collapse, self.btn_close):
            top.addWidget(w)
        root = QVBoxLayout(self)
        root.addLayout(top)
        self._gap_caption = QSpacerItem(0, 0)
        self._gap_answer = QSpacerItem(0, 0)
        root.addItem(self._gap_caption)
        root.addWidget(self.caption)
        root.addItem(self._gap_answer)
        root.addWidget(self.answer)
        self._top, self._root = top, root
        # The title is over 64 px at 4K, where Qt fills glyphs from their outlines on
        # every paint (1.4 ms a slide change): a slide shown again copies its image.
        self.paint_cache = LabelPaintCache(self)
        self.paint_cache.watch(self)

        self.btn_prev.clicked.connect(self.sig_prev)
        self.btn_next.clicked.connect(self.sig_next)
        self.btn_close.clicked.connect(self.sig_close)
        self.btn_collapse.clicked.connect(lambda: self.set_collapsed(not self._collapsed))
        self.slides.activated.connect(self.sig_goto)
        self.style_.sig_changed.connect(self._on_style_changed)
        self._on_style_changed()

    def _button(self, text: str, tip: str) -> QToolButton:
        b = QToolButton()
        b.setText(text)
        b.setToolTip(tip)
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the clicker's keys stay with the window
        b.setAutoRaise(True)
        return b

    # ------------------------------------------------------------ showing
    def set_lesson(self, lesson: Lesson) -> None:
        self._lesson = lesson
        self._tallest.clear()
        with blocked(self.slides):
            self.slides.clear()
            for s in lesson.slides:
                sec = f"{s.section}  " if s.section else ""
                self.slides.addItem(f"{s.number}. {sec}{s.title}")
        self.setToolTip(lesson.title)
        self._shown = {}

    def _set(self, key: str, value: object, apply) -> None:
        """Apply ``value`` only when it differs from what is shown: a slide change sets
        only what changed (a label's text, visibility or style each cost a relayout)."""
        if self._shown.get(key, _UNSET) != value:
            self._shown[key] = value
            apply(value)

    def show_event(self, ev: LessonEvent, n_slides: int) -> None:
        """Render where the lesson is: title, caption, clicks left, answer once revealed."""
        self._event = ev
        s = ev.slide
        self._set("section", s.section, self.section.setText)
        self._set("section_on", bool(s.section), self.section.setVisible)
        self._set("title", s.title, self.title.setText)
        self._set("caption", keep_formulas(s.caption), self.caption.setText)
        self._set("counter", f"{ev.index + 1} / {n_slides}", self.counter.setText)
        builds = ev.state.builds
        self._set(
            "progress", " ".join("●" * ev.build + "○" * (builds - ev.build)), self.progress.setText
        )
        self._set("progress_on", builds > 0 and not self._presenting, self.progress.setVisible)
        if ev.hidden:
            answer, role = PREDICT, "muted"
        elif s.hide and s.answer:
            answer, role = keep_formulas(s.answer), "answer"
        else:
            answer, role = "", str(self._shown.get("role", "answer"))
        self._set("answer", answer, self.answer.setText)
        self._set("role", role, self._answer_role)
        self._show_lines()
        at_end = ev.index == n_slides - 1 and ev.build >= builds
        self._set("next_on", not at_end, self.btn_next.setEnabled)
        self._set("prev_on", ev.index > 0 or ev.build > 0, self.btn_prev.setEnabled)
        with blocked(self.slides):
            self.slides.setCurrentIndex(ev.index)

    def draw_ahead(self, slide: Slide) -> int:
        """Make the images of ``slide``'s title and caption at the sizes their labels
        have now (the next slide, while the class reads this one: see
        :meth:`LabelPaintCache.render_ahead`); how many were made. A slide whose title
        row or caption lines differ finds them at other sizes and draws them anew."""
        made = 0
        for lab, text in ((self.title, slide.title), (self.caption, keep_formulas(slide.caption))):
            if lab.isVisible() and text != lab.text():
                made += self.paint_cache.render_ahead(lab, text)
        return made

    def picture_of(self, ev: LessonEvent, n_slides: int, size: QSize) -> QImage | None:
        """The bar as it will look showing ``ev`` at ``size`` (its width now; the height
        its lines take in ``ev``'s view): drawn by a hidden copy of it, so the bar on
        screen is not touched (the next slide's picture, see ``SlideCover``). None if
        the bar is not laid out yet."""
        if not self.isVisible() or self.width() < 200:
            return None
        twin = self._twin
        if twin is None:
            twin = self._twin = LessonBar(self.window_style, self.window())
            twin._is_twin = True
            twin.setObjectName("LessonBar")
            twin.hide()
        if twin._lesson is not self._lesson and self._lesson is not None:
            twin.set_lesson(self._lesson)
        twin.style_.set_scale(self.style_.scale)
        twin.set_presenting(self._presenting)
        twin.set_collapsed(self._collapsed)
        if twin.size() != size:
            twin.resize(size)
        if twin.testAttribute(Qt.WidgetAttribute.WA_PendingResizeEvent):
            twin.setAttribute(Qt.WidgetAttribute.WA_PendingResizeEvent, False)
            QApplication.sendEvent(twin, QResizeEvent(twin.size(), QSize()))
        twin.show_event(ev, n_slides)
        for lay in (twin._top, twin._root):
            lay.activate()
        QApplication.sendPostedEvents(twin, QEvent.Type.LayoutRequest)
        dpr = self.devicePixelRatioF()
        image = QImage(size * dpr, QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(dpr)
        twin.render(image)
        return image

    def _show_lines(self) -> None:
        """The caption, and the answer line where the slide's view has one: shown through
        all its builds (the prompt, then the answer), so a reveal changes words, not the
        bar's height."""
        ev = self._event
        has_answer = ev is not None and any(
            self._lesson_slides()[i].hide for i in self._same_view(ev)
        )
        self._set("caption_on", not self._collapsed, self._caption_line)
        self._set("answer_on", not self._collapsed and has_answer, self._answer_line)
        self._reserve_lines()

    def _lesson_slides(self) -> list:
        ev = self._event
        if self._lesson is not None:
            return list(self._lesson.slides)
        return [ev.slide] if ev is not None else []

    def _same_view(self, ev: LessonEvent) -> list[int]:
        """The lesson's slides shown in the view this one is shown in (this one alone
        when the bar has no lesson)."""
        if self._lesson is None:
            return [0]
        view = ev.state.view
        return [i for i, st in enumerate(self._lesson.states) if st.view == view]

    def _caption_line(self, on: bool) -> None:
        self.caption.setVisible(on)  # (on a click of ▴ only, not on a slide change)
        self._set_gaps()

    def _answer_line(self, on: bool) -> None:
        """Open or close the answer line by its height, not its visibility: showing a
        widget lays its parents out at once, up to the window (the stage refitted for
        the old slide, ~16 ms at 4K), where a new maximum height waits for the slide
        change's one layout pass. The gap above it is a spacer closed with it, so a
        closed line takes no room at all, as a hidden one did."""
        if on:
            self.answer.setMaximumHeight(_QWIDGETSIZE_MAX)
        else:
            self.answer.setMinimumHeight(0)
            self.answer.setMaximumHeight(0)
        self._set_gaps()

    def _set_gaps(self) -> None:
        """The gaps above the caption and the answer, open when their line is."""
        gap = self.style_.px(2)
        for spacer, on in (
            (self._gap_caption, self._shown.get("caption_on", True)),
            (self._gap_answer, self._shown.get("answer_on", True)),
        ):
            spacer.changeSize(
                0, gap if on else 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed
            )
        self._root.invalidate()

    def _reserve_lines(self) -> None:
        """Keep the caption and answer lines as tall as the tallest of the lesson's
        slides in the same view needs, so the bar's height, and the stage under it, stay
        the same from one of these slides to the next and through a reveal.

        A stage that changed height by a line, or by the answer line's few pixels,
        refitted and redrew every grid, label and plot of the view (a learning slide at
        4K: 35-55 ms of a 45-90 ms change). Per view, not per lesson: the tallest
        caption and answer of the lesson, reserved on every slide, leave too little room
        for the stage at 1280×800 (the edge maps fall under the back-row size).
        The view's tallest pair is measured once per view, width and style."""
        ev = self._event
        metrics = self._metrics()
        if ev is None or metrics is None:
            return  # measured at the width the bar is shown at (show and resize events)
        width, bold = metrics
        caption_on = bool(self._shown.get("caption_on", False))
        answer_on = bool(self._shown.get("answer_on", False))
        view: object = ev.state.view if self._lesson is not None else ev.index
        slides = [self._lesson_slides()[i] for i in self._same_view(ev)]
        if self._lesson is None:
            slides = [ev.slide]
        # The caption as tall as its text, the answer line taking what is left of the
        # tallest caption-and-answer pair of the view: the bar is as tall as on that
        # slide, no taller (the tallest caption and the tallest answer came from
        # different slides and left the stage 70 px less at 1280×800).
        total = self._tallest_pair(view, slides, width, bold, caption_on, answer_on)
        if answer_on:
            self.caption.setMinimumHeight(0)
            own = max(
                self._answer_need(ev.slide, width, bold, answer_on),
                _text_height(QFontMetrics(bold), self.answer.text(), width - 8),
            )
            # fixed: an empty label asks for a line of its own
            cap = self._caption_need(ev.slide, width, caption_on)
            self.answer.setFixedHeight(max(own, total - cap))
        elif caption_on:
            self.caption.setMinimumHeight(total)  # (top-aligned: the room is below it)

    def _metrics(self) -> tuple[int, QFont] | None:
        """The captions' width and the revealed answer's (bold) font, once laid out."""
        if not (self.isVisible() or self._is_twin):
            return None
        m = self._root.contentsMargins()
        width = self.width() - m.left() - m.right()  # the caption's and answer's width
        if width < 200:
            return None  # not laid out yet: measured there, every caption wrapped word by word
        bold = self.answer.font()
        bold.setBold(True)  # the revealed answer is bold (style sheet): measure it so
        return width, bold

    def _caption_need(self, slide, width: int, caption_on: bool) -> int:
        """The caption's height as the label wraps it (plain text, its width)."""
        if not caption_on:
            return 0
        return _text_height(QFontMetrics(self.caption.font()), keep_formulas(slide.caption), width)

    def _answer_need(self, slide, width: int, bold: QFont, answer_on: bool) -> int:
        if not (slide.hide and answer_on):
            return 0
        fm, safe = QFontMetrics(bold), width - 8  # it wraps a little early rather than late
        return max(
            _text_height(fm, PREDICT, safe), _text_height(fm, keep_formulas(slide.answer), safe)
        )

    def _tallest_pair(
        self, view: object, slides: list, width: int, bold: QFont, caption_on: bool, answer_on: bool
    ) -> int:
        """The tallest caption-and-answer pair of ``slides``, measured once per view,
        width and style."""
        key = (view, width, bold.key(), self.caption.font().key(), caption_on, answer_on)
        total = self._tallest.get(key)
        if total is None:
            total = self._tallest[key] = max(
                self._caption_need(sl, width, caption_on)
                + self._answer_need(sl, width, bold, answer_on)
                for sl in slides
            )
        return total

    def height_change_for(self, view: str) -> int:
        """How many pixels taller (negative: shorter) the bar will be on the lesson's
        slides in ``view`` than it is now: the window prepares a view not shown yet for
        the area it will have (prepared for the current view's area, the learning view
        was fitted and restyled again on its first slide: 20 ms at 4K)."""
        ev, lesson, metrics = self._event, self._lesson, self._metrics()
        if ev is None or lesson is None or metrics is None or view == ev.state.view:
            return 0
        width, bold = metrics
        slides = self._lesson_slides()
        caption_on = not self._collapsed
        gap = self.style_.px(2)

        def lines(key: str) -> int:
            group = [slides[i] for i, st in enumerate(lesson.states) if st.view == key]
            if not group:
                return 0
            answer_on = caption_on and any(sl.hide for sl in group)
            total = self._tallest_pair(key, group, width, bold, caption_on, answer_on)
            return total + (gap if answer_on else 0)

        if not any(st.view == view for st in lesson.states):
            return 0
        return lines(view) - lines(ev.state.view)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._reserve_lines()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._reserve_lines()

    def set_window_height(self, height: int) -> None:
        """Size the bar's type for a window this tall (the screen, when full screen)."""
        self.style_.set_scale(max(0.5, height / REF_WINDOW_HEIGHT))

    def set_presenting(self, on: bool) -> None:
        """Presenting: title, caption and answer only; no buttons, counter or list."""
        self._presenting = bool(on)
        for w in (
            self.btn_prev,
            self.btn_next,
            self.slides,
            self.btn_collapse,
            self.btn_close,
            self.counter,
        ):
            w.setVisible(not on)
        if on:
            self._set("progress_on", False, self.progress.setVisible)
            self.set_collapsed(False)
        elif self._event is not None:
            self._set("progress_on", self._event.state.builds > 0, self.progress.setVisible)

    @property
    def presenting(self) -> bool:
        return self._presenting

    def set_collapsed(self, collapsed: bool) -> None:
        collapsed = bool(collapsed)
        if collapsed == self._collapsed:
            return
        self._collapsed = collapsed
        self.btn_collapse.setText("▾" if collapsed else "▴")
        self._show_lines()
        self.sig_collapsed.emit(collapsed)

    @property
    def collapsed(self) -> bool:
        return self._collapsed

    def answer_text(self) -> str:
        """What the answer line says now (the prompt, the answer or nothing), plain spaces."""
        return self.answer.text().replace(_NBSP, " ")

    # -------------------------------------------------------------- style
    def _answer_role(self, role: str) -> None:
        t = self.style_.theme
        color = getattr(t, role)
        weight = "bold" if role == "answer" else "normal"
        self.answer.setStyleSheet(f"color: {color}; font-weight: {weight};")

    def sizeHint(self) -> QSize:
        # The caption wraps: the height is the one it needs at the width it has,
        # not at the narrow width its labels would like (presenting hides the buttons).
        par = self.parentWidget()
        width = self.width() if self.width() > 200 else self.style_.px(1200)
        if par is not None and par.width() > 200:
            width = min(width, par.width())
        return QSize(width, self._root.totalHeightForWidth(width))

    def _on_style_changed(self) -> None:
        s = self.style_
        t = s.theme
        # Read from the back of a lecture hall: a 1080p projection, ten metres away.
        self.title.setFont(s.font(26, bold=True))
        self.section.setFont(s.font(20, bold=True))
        self.section.setStyleSheet(f"color: {t.muted};")
        self.caption.setFont(s.font(21))
        self.answer.setFont(s.font(21, bold=True))
        self._reserve_lines()
        small = s.font(17)
        self.counter.setFont(small)
        self.progress.setFont(s.font(15))
        self.progress.setStyleSheet(f"color: {t.muted};")
        self.title.setStyleSheet(f"color: {t.text};")
        self.caption.setStyleSheet(f"color: {t.text};")
        self.slides.setFont(s.font(12))
        for b in (self.btn_prev, self.btn_next, self.btn_collapse, self.btn_close):
            b.setFont(s.font(20, bold=True))
            b.setMinimumSize(s.px(44), s.px(44))
        self.setStyleSheet(
            f"#LessonBar {{ background: {t.base}; border-bottom: {s.px(3)}px solid {t.accent}; }}"
        )
        m = s.px(10)
        self._root.setContentsMargins(m, s.px(4), m, s.px(6))
        self._root.setSpacing(0)  # the gaps are spacers (see _answer_line)
        self._set_gaps()
        self._top.setSpacing(s.px(12))
        role = self._shown.get("role")
        if isinstance(role, str):
            self._answer_role(role)  # the theme's colours may have changed

"""Two virtual screens, a lesson presented on them: what the stage and the console show.

Run by ``test_presenter_console_screens.py`` in its own process, because Qt's
offscreen platform reads its screens once, at start:
``QT_QPA_PLATFORM=offscreen:configfile=FILE`` with a ``"screens"`` list
(:func:`screens_config`). Prints one JSON object: ``{"checks": {name: [ok,
detail]}, "shots": [paths]}``. With ``--shots DIR`` it also saves
screenshots of the stage window and the console (``QWidget.grab()``);
with ``--measure``, the console's cost per lesson move in ``"timings"``;
``--config`` prints the screens' JSON. By hand::

    python tests/gui/presenter_console_screens.py --config > /tmp/screens.json
    QT_QPA_PLATFORM=offscreen:configfile=/tmp/screens.json \
        python tests/gui/presenter_console_screens.py --measure --shots /tmp/shots
"""

from __future__ import annotations

import json
import os
import sys
import tempfile

#: (name, x, y, width, height): the laptop on the left, the projector beside it.
SCREENS = (("laptop", 0, 0, 1920, 1080), ("projector", 1920, 0, 1280, 800))


def screens_config() -> dict:
    return {
        "synchronousWindowSystemEvents": False,
        "windowFrameMargins": False,
        "screens": [
            {"name": n, "x": x, "y": y, "width": w, "height": h, "logicalDpi": 96}
            for n, x, y, w, h in SCREENS
        ],
    }


def main(shots: str | None, measure: bool = False) -> dict:
    import pyqtgraph as pg
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from convviz.gui.main_window import MainWindow
    from convviz.gui.widgets.lesson_bar import PREDICT

    checks: dict[str, list] = {}
    saved: list[str] = []
    timings: dict[str, float] = {}

    def check(name: str, ok: bool, detail: object = "") -> None:
        checks[name] = [bool(ok), str(detail)]

    def settle(n: int = 20) -> None:
        for _ in range(n):
            app.processEvents()
            QTest.qWait(5)

    def shot(name: str, widget) -> None:
        while con.thumbnail_pending:  # the console's "Now" has caught up with the stage
            settle(2)
        if shots:
            path = os.path.join(shots, f"{name}.png")
            widget.grab().save(path)
            saved.append(path)

    screens = {s.name(): s for s in QGuiApplication.screens()}
    check("two screens", sorted(screens) == ["laptop", "projector"], list(screens))
    laptop, projector = screens["laptop"], screens["projector"]
    tmp = tempfile.mkdtemp(prefix="convviz-console-")
    settings = QSettings(os.path.join(tmp, "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings=settings, zoom=100)
    w.files.ask_unsaved = lambda answer: answer("discard")
    w.setGeometry(100, 80, 1600, 900)
    w.show()
    settle()
    home_geometry = w.geometry()
    check("window starts on the laptop", w.screen() is laptop, w.screen().name())
    assert w.open_lesson("6.2")
    con = w.console.console
    player = w.lessons.player

    # ---- F5: stage on the projector, console on the laptop
    QTest.keyClick(w, Qt.Key.Key_F5)
    settle()
    check("presenting", w.presenting.active)
    check("stage on the projector", w.screen() is projector, w.screen().name())
    check(
        "stage fills the projector",
        w.geometry() == projector.geometry(),
        f"{w.geometry()} vs {projector.geometry()}",
    )
    chrome = {
        "menu": w.menuBar().isVisible(),
        "tabs": w.tabs.tabBar().isVisible(),
        "status": w.statusBar().isVisible(),
        "bar buttons": w.lessons.bar.btn_next.isVisible(),
    }
    check("stage shows no chrome", not any(chrome.values()), chrome)
    check("console shown", con.isVisible())
    check("console on the laptop", con.screen() is laptop, con.screen().name())
    check(
        "console fills the laptop",
        con.geometry() == laptop.geometry(),
        f"{con.geometry()} vs {laptop.geometry()}",
    )

    # ---- a clicker press on the stage advances both
    before = (player.index, player.build)
    QTest.keyClick(w.tabs.currentWidget(), Qt.Key.Key_PageDown)
    settle()
    after = (player.index, player.build)
    check("clicker on the stage advances the lesson", after != before, f"{before} -> {after}")
    check(
        "console mirrors the click",
        con.counter.text().startswith(f"Slide {player.counter()}")
        and f"click {player.build} /" in con.counter.text(),
        con.counter.text(),
    )
    # ---- and a clicker press on the console too
    before = (player.index, player.build)
    QTest.keyClick(con.slide_list, Qt.Key.Key_PageDown)
    settle()
    check(
        "clicker on the console advances the lesson",
        (player.index, player.build) != before,
        f"{before} -> {(player.index, player.build)}",
    )

    # ---- a predict-then-reveal slide: the console knows, the class does not
    idx = next(i for i, st in enumerate(player.lesson.states) if st.hide == "result")
    slide = player.lesson.slides[idx]
    con.slide_list.setCurrentRow(idx + 2)  # browsing the list moves nothing
    QTest.keyClick(con.slide_list, Qt.Key.Key_Down)
    settle()
    check("browsing the list does not jump", player.index != idx + 3, player.index)
    con.slide_list.setCurrentRow(idx)
    QTest.keyClick(con.slide_list, Qt.Key.Key_Return)  # choosing does
    settle(40)
    check("choosing a slide jumps", player.index == idx and player.build == 0, player.index)
    check(
        "stage hides the answer",
        w.lessons.bar.answer_text() == PREDICT,
        w.lessons.bar.answer_text(),
    )
    check("console shows the hidden answer", slide.answer in con.answer.text(), con.answer.text())
    from scipy.signal import correlate2d  # the oracle: the first output cell the reveal shows

    s = w.session
    first = correlate2d(s.input, s.kernel, mode="valid")[0, 0] + s.options.bias
    check(
        "console shows the hidden result value",
        f"output(0, 0) = {first:.0f}" in con.answer.text(),
        con.answer.text(),
    )
    check("console: next click reveals", "reveals" in con.next_what.text(), con.next_what.text())
    shot("stage-hidden", w)
    shot("console-hidden", con)

    QTest.keyClick(w.tabs.currentWidget(), Qt.Key.Key_Space)  # reveal
    settle(40)
    check("reveal on the stage", slide.answer[:20] in w.lessons.bar.answer_text())
    step_before = w.session.step
    nxt = w.session.steps[step_before + 1]
    check(
        "console previews the next build",
        "steps the window" in con.next_what.text()
        and f"{nxt.out_pos}" in con.next_detail.text()
        and f"= {nxt.result:.0f}" in con.next_detail.text(),
        con.next_detail.text(),
    )
    check("the stage has not taken that step", w.session.step == step_before, w.session.step)
    shot("stage-revealed", w)
    if measure:  # what the console costs the GUI thread per lesson move (not asserted)
        import statistics
        import time

        def ms(fn) -> float:
            times = []
            for _ in range(7):
                t = time.perf_counter()
                fn()
                times.append((time.perf_counter() - t) * 1000)
            return round(statistics.median(times), 2)

        timings["console refresh (text, grids) ms"] = ms(con.refresh)
        timings["stage grab + scale into thumbnail ms"] = ms(con.refresh_thumbnail)
    shot("console-next-build", con)

    # ---- typing into the console never advances
    place = (player.index, player.build)
    con.my_note.setFocus()
    settle()
    QTest.keyClicks(con.my_note, "N P b ")
    for k in (Qt.Key.Key_Right, Qt.Key.Key_PageDown, Qt.Key.Key_Space, Qt.Key.Key_Backspace):
        QTest.keyClick(con.my_note, k)
    settle()
    check("typing a note does not move", (player.index, player.build) == place, place)
    check(
        "the note took the keys",
        con.my_note.toPlainText().startswith("N P b"),
        con.my_note.toPlainText(),
    )
    con.slide_list.setFocus()

    # ---- F7 swaps the screens
    QTest.keyClick(con.slide_list, Qt.Key.Key_F7)
    settle()
    check(
        "swap: stage on the laptop, console on the projector",
        w.screen() is laptop and con.screen() is projector and w.geometry() == laptop.geometry(),
        f"{w.screen().name()} {con.screen().name()}",
    )
    QTest.keyClick(w.tabs.currentWidget(), Qt.Key.Key_F7)
    settle()
    check(
        "swap back",
        w.screen() is projector and con.screen() is laptop,
        f"{w.screen().name()} {con.screen().name()}",
    )

    # ---- the presenter picks the projector in the console's list of screens
    names = [con.screens.itemData(i) for i in range(con.screens.count())]
    con.screens.activated.emit(names.index("laptop"))
    settle()
    check(
        "choosing the laptop as projector",
        w.screen() is laptop and con.screen() is projector,
        f"{names} {w.screen().name()} {con.screen().name()}",
    )
    con.screens.activated.emit(names.index("projector"))
    settle()
    check(
        "choosing the projector again",
        w.screen() is projector and con.screen() is laptop and con.isFullScreen(),
        f"{w.screen().name()} {con.screen().name()}",
    )

    # ---- the projector is unplugged. PySide6 cannot reach the offscreen platform's
    # setConfiguration (a native-interface function), so the signal the window
    # listens to is emitted by hand, as handleScreenRemoved would emit it.
    place = (player.index, player.build)
    app.screenRemoved.emit(projector)
    settle()
    check("after unplugging: stage on the laptop", w.screen() is laptop, w.screen().name())
    check(
        "after unplugging: stage fills the laptop",
        w.geometry() == laptop.geometry() and w.isFullScreen(),
        w.geometry(),
    )
    check("after unplugging: same place in the lesson", (player.index, player.build) == place)
    check("after unplugging: still presenting", w.presenting.active)
    check("after unplugging: console out of the way", not con.isVisible())
    shot("stage-after-unplug", w)

    QTest.keyClick(w.tabs.currentWidget(), Qt.Key.Key_Escape)
    settle()
    check("Esc ends presenting", not w.presenting.active)
    check(
        "window back as it was", w.geometry() == home_geometry, f"{w.geometry()} vs {home_geometry}"
    )
    w.close()
    settle()
    return {"checks": checks, "shots": saved, "timings": timings}


if __name__ == "__main__":
    shots_dir = sys.argv[sys.argv.index("--shots") + 1] if "--shots" in sys.argv else None
    if "--config" in sys.argv:
        print(json.dumps(screens_config()))
        sys.exit(0)
    try:
        out = main(shots_dir, measure="--measure" in sys.argv)
    except Exception as exc:  # the test prints what went wrong
        import traceback

        out = {"checks": {"ran": [False, traceback.format_exc()]}, "error": repr(exc)}
    print("RESULT " + json.dumps(out))

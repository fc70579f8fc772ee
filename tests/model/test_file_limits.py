"""Hostile files: every case is refused with the file's own error, and nothing changes.

Each case asserts the message (it names the file and says what is wrong) and
that the session it was opened into is untouched, bit for bit.
"""

from __future__ import annotations

import json
import os
import struct
import time
import zlib

import numpy as np
import pytest
from PIL import Image, ImageFile
from session_state import snapshot

from convviz.model import Session
from convviz.model import files as F  # noqa: N812
from convviz.model import lessons as L  # noqa: N812
from convviz.model.images import MAX_PIXELS, check_max_side, load_image
from convviz.model.values import ValueProblem


def session_text(**fields: str) -> str:
    """A valid session file with some fields' JSON text replaced."""
    d = {
        "format": '"convviz-session"',
        "version": "1",
        "input": "[[1, 2], [3, 4]]",
        "kernel": "[[1]]",
        "options": '{"bias": 0, "padding": 0}',
    }
    d.update(fields)
    return "{" + ", ".join(f'"{k}": {v}' for k, v in d.items()) + "}"


def refused(tmp_path, name: str, text: str | bytes, match: str) -> str:
    p = tmp_path / name
    p.write_bytes(text.encode() if isinstance(text, str) else text)
    s = Session()
    s.set_cell("input", 0, 0, 5)
    before = snapshot(s)
    with pytest.raises(F.SessionFileError, match=match) as exc:
        F.load_session(s, p)
    assert f"“{name}”" in str(exc.value)
    assert snapshot(s) == before
    return str(exc.value)


# ------------------------------------------------------------ session files
@pytest.mark.parametrize(
    ("name", "text", "match"),
    [
        ("deep.convviz.json", "[" * 1000 + "]" * 1000, "nest 1000 deep"),
        ("deep-obj.convviz.json", '{"a": ' * 5000 + "1" + "}" * 5000, "nest 5000 deep"),
        ("deep-field.convviz.json", session_text(kernel="[" * 100 + "1" + "]" * 100), "deep"),
        ("bigint.convviz.json", session_text(input="[[1" + "0" * 400 + "]]"), "too large"),
        ("bigbias.convviz.json", session_text(options='{"bias": 1' + "0" * 400 + "}"), "large"),
        ("hugeint.convviz.json", session_text(input="[[1" + "0" * 5000 + "]]"), "too large"),
        ("inf.convviz.json", session_text(input="[[1e400]]"), "too large for a float"),
        (
            "lr.convviz.json",
            session_text(learning='{"lr": 1' + "0" * 400 + "}"),
            "too large",
        ),
        (
            "typed.convviz.json",
            session_text(learning='{"typed_kernel": [[1e999]]}'),
            "too large",
        ),
        ("pad.convviz.json", session_text(options='{"padding": 2.0}'), "Padding must be a whole"),
        (
            "conv.convviz.json",
            session_text(options='{"convolution": "false"}'),
            "convolution must be true or false",
        ),
        ("side.convviz.json", session_text(edges='{"max_side": "256"}'), "max_side must be"),
        ("side2.convviz.json", session_text(edges='{"max_side": 256.9}'), "max_side must be"),
        (
            "row.convviz.json",
            session_text(input="[[" + ", ".join(["1"] * 200_000) + "]]"),
            "200,005 values or more",
        ),
        (
            "lists.convviz.json",
            session_text(view="[" + "[], " * 5000 + "[]]"),
            "holds 5,009 lists and objects",
        ),
        (
            "wide.convviz.json",
            session_text(input="[[" + ", ".join(["1"] * 40_000) + "]]"),
            "1×40000; at most 64×64",
        ),
        ("stride.convviz.json", session_text(options='{"stride": 10000000000}'), "between"),
        ("int19.convviz.json", session_text(step="9223372036854775807"), "too large"),
    ],
)
def test_hostile_session_files(tmp_path, name, text, match):
    refused(tmp_path, name, text, match)


def test_a_big_file_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(F.json, "loads", lambda *a, **k: pytest.fail("parsed"))
    monkeypatch.setattr(F, "json_depth", lambda *a, **k: pytest.fail("scanned"))
    msg = refused(tmp_path, "big.convviz.json", b" " * (F.MAX_BYTES + 1), "far too large")
    assert "at most 2 MB" in msg


def test_json_depth_ignores_brackets_in_strings():
    assert (
        F.json_depth('{"a": "[[[[[[", "b": [["\\\\", "\\"[["]]}') == 3
    )  # { then [[; none inside strings
    assert F.json_depth("[" * 100_000) == 100_000
    assert F.json_nesting('[[1], {"a": "[{"}, [[]]]', chunk=3) == (3, 5)


def test_a_picture_too_large_is_refused_from_its_header(tmp_path, monkeypatch):
    """An 88-megapixel 16-bit PNG: refused before a single row is decoded."""
    png = tmp_path / "huge16.png"
    png.write_bytes(_png_header_only(9400, 9400, bit_depth=16))
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("decoded"))
    with pytest.raises(
        ValueError, match=r"“huge16.png” is too large.*88.36 megapixels.*at most 50"
    ):
        load_image(png)
    # named by a session file: the session opens and says why the picture was not restored
    p = tmp_path / "pic.convviz.json"
    p.write_text(session_text(edges=json.dumps({"picture": "huge16.png", "path": str(png)})))
    s = Session()
    data = F.load_session(s, p)
    assert "huge16.png" in data.warnings[0] and "megapixels" in data.warnings[0]
    assert data.edge_picture is None and s.edges.name != "huge16.png"


def _png_header_only(w: int, h: int, bit_depth: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", w, h, bit_depth, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def test_pixel_limit_allows_ordinary_pictures(tmp_path):
    p = tmp_path / "ok.png"
    Image.fromarray(np.zeros((300, 400), np.uint16)).save(p)
    arr, _ = load_image(p)
    assert arr.shape == (300, 400)
    assert MAX_PIXELS >= 40_000_000  # a 48-megapixel phone photo is a JPEG: its limit is larger


@pytest.mark.parametrize("bad", ["256", 256.9, True, None, 2**70])
def test_max_side_is_typed_strictly(bad):
    with pytest.raises(ValueError, match="largest side must be"):
        check_max_side(bad)
    assert check_max_side(np.int64(256)) == 256


# ------------------------------------------------------------------- saving
def test_saving_over_a_symlink_writes_its_target(tmp_path):
    real = tmp_path / "store" / "lecture.convviz.json"
    real.parent.mkdir()
    F.save_session(Session(), real)
    link = tmp_path / "link.convviz.json"
    link.symlink_to(real)
    s = Session()
    s.set_cell("input", 0, 0, 42)
    F.save_session(s, link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert json.loads(real.read_text())["input"][0][0] == 42
    assert sorted(x.name for x in real.parent.iterdir()) == ["lecture.convviz.json"]


def test_a_save_removes_temp_files_an_interrupted_save_left(tmp_path):
    p = tmp_path / "s.convviz.json"
    old = tmp_path / ".s.convviz.json.k3_x9Qa2.tmp"  # a save killed an hour ago
    fresh = tmp_path / ".s.convviz.json.Zz8_aa11.tmp"  # another window saving right now
    other = tmp_path / ".t.convviz.json.k3_x9Qa2.tmp"  # another file's
    odd = tmp_path / ".s.convviz.json.not-mkstemp.tmp"  # not a name mkstemp makes
    for f in (old, fresh, other, odd):
        f.write_text("partial")
    hour_ago = time.time() - 3600
    for f in (old, other, odd):
        os.utime(f, (hour_ago, hour_ago))
    F.save_session(Session(), p)
    names = sorted(x.name for x in tmp_path.iterdir())
    assert names == sorted([p.name, fresh.name, other.name, odd.name])


def test_write_errors_name_the_users_file_not_the_temp_file(tmp_path):
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("x")
    with pytest.raises(OSError) as exc:
        F.atomic_write(not_a_folder / "grid.csv", b"1,2\n")
    assert exc.value.filename == str(not_a_folder / "grid.csv")
    assert ".tmp" not in str(exc.value)
    with pytest.raises(F.SessionFileError, match=r"“s\.convviz\.json” could not be saved"):
        F.save_session(Session(), not_a_folder / "s.convviz.json")


# ------------------------------------------------------------------ lessons
LESSON = 'title = "t"\n[[slide]]\ntitle = "one"\ncaption = "c"\n'


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("a = " + "[" * 1000 + "]" * 1000, "nest more than 16 deep"),
        ("a = " + "{b = " * 1000 + "1" + "}" * 1000, "nest more than 16 deep"),
        ("a = 1" + "0" * 400, "number of 401 digits, too large: no field needs more than 64"),
        ("a = 1" + "0" * 30, "31 digits, too large"),
        ("a = 1" + "0" * 5000, "too large"),
        ("a = 1e400", "not a finite number"),
        ("a = nan", "not a finite number"),
        (LESSON + 'edges = {max_side = "256"}', r"edges.max_side: .*whole number"),
        (LESSON + "edges = {max_side = 256.9}", r"edges.max_side: .*whole number"),
        (LESSON + "options = {padding = 2.0}", "Padding must be a whole number"),
        (LESSON + 'options = {convolution = "false"}', "must be true or false"),
        (LESSON + "options = {bias = 1" + "0" * 30 + "}", "too large"),
        (LESSON + "input = [[1" + "0" * 30 + "]]", "too large"),
    ],
)
def test_hostile_lessons(tmp_path, text, match):
    p = tmp_path / "bad.toml"
    p.write_text(text)
    with pytest.raises(L.LessonError, match=match) as exc:
        L.load_lesson(p)
    assert str(exc.value).startswith("bad.toml")


def test_a_big_lesson_is_refused_unread(tmp_path, monkeypatch):
    p = tmp_path / "big.toml"
    p.write_bytes(b"#" * (L.MAX_LESSON_BYTES + 1))
    monkeypatch.setattr(L.loader.tomllib, "loads", lambda *a: pytest.fail("parsed"))
    monkeypatch.setattr(L.loader, "toml_depth", lambda *a: pytest.fail("scanned"))
    with pytest.raises(L.LessonError, match=r"big.toml: is 256 kB; .* at most 256 kB"):
        L.load_lesson(p)


def test_toml_depth_ignores_strings_and_comments():
    text = 'a = "[[[[" # [[[[\nb = \'[[[[\'\nc = """\n[[[[\n"""\nd = [[1], [2]]\n'
    assert L.toml_depth(text) == 2


def test_session_options_are_typed_strictly():
    s = Session()
    before = snapshot(s)
    for bad, says in [
        ({"padding": 2.0}, "Padding must be a whole number"),
        ({"convolution": "false"}, "convolution must be True or False"),
        ({"bias": 10**400}, "too large"),
        ({"bias": "1"}, "must be a number"),
        ({"stride": (1, 2, 3)}, "Stride must be"),
        ({"dilation": 2**64}, "between 1 and 16"),
    ]:
        with pytest.raises(ValueProblem, match=says):
            s.set_options(**bad)
        assert snapshot(s) == before

"""The data files are found by name from wherever convviz runs; an unknown name fails at once."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from convviz.resources import data_root, resource

ROOT = Path(__file__).resolve().parent.parent


def test_names_resolve_to_the_repository_files_in_a_checkout():
    # This suite runs on a checkout (editable install): resources/ is the source.
    assert data_root() == ROOT / "resources"
    assert resource("lessons", "6.2.toml") == ROOT / "resources" / "lessons" / "6.2.toml"
    assert resource("images", "coin.png").stat().st_size > 0


@pytest.mark.parametrize(
    ("parts", "says"),
    [
        (("lessons", "6.3.toml"), "lessons/6.3.toml"),
        (("images", "cat.png"), "there: README.md, checker.png, coin.png"),
        (("sounds",), "sounds"),
    ],
)
def test_an_unknown_name_raises_naming_it_and_what_there_is(parts, says):
    with pytest.raises(FileNotFoundError, match="convviz resource not found") as err:
        resource(*parts)
    assert says in str(err.value)


@pytest.mark.parametrize("parts", [(), ("..", "pyproject.toml"), ("lessons/6.2.toml",), ("",)])
def test_a_name_that_is_not_a_plain_name_is_refused(parts):
    with pytest.raises(ValueError, match="plain folder and file names"):
        resource(*parts)


def test_a_zipped_install_finds_its_data(tmp_path):
    """The layout a wheel installs (convviz/ with convviz/data/), imported from a zip."""
    z = tmp_path / "convviz.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for py in (ROOT / "convviz").rglob("*.py"):
            zf.write(py, py.relative_to(ROOT).as_posix())
        for f in (ROOT / "resources").rglob("*"):
            if f.is_file():
                zf.write(f, "convviz/data/" + f.relative_to(ROOT / "resources").as_posix())
    code = (
        "import sys, tomllib\n"
        "from convviz.resources import data_root, resource\n"
        "assert 'convviz.zip' in sys.modules['convviz'].__file__\n"
        "lesson = resource('lessons', '6.2.toml')\n"
        "print(data_root().name.startswith('convviz-data-'), lesson.read_bytes() == "
        f"open({str(ROOT / 'resources/lessons/6.2.toml')!r}, 'rb').read())\n"
        "print(resource('images', 'coin.png').stat().st_size)\n"
        "print(data_root())\n"
        "try:\n"
        "    resource('lessons', 'nope.toml')\n"
        "except FileNotFoundError as e:\n"
        "    print('refused', 'nope.toml' in str(e))\n"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(z)!r})\n{code}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.split("\n")
    assert out[0] == "True True"
    assert int(out[1]) == (ROOT / "resources" / "images" / "coin.png").stat().st_size
    assert out[3] == "refused True"
    assert not Path(out[2]).exists(), "the extracted copy outlived the process"

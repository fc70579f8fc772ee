"""Find convviz's data files (lessons, sample pictures) by name; an unknown name raises at once.

The files are edited in the repository's top-level ``resources/``; a wheel or
sdist carries them as the package data directory ``convviz/data/`` (mapped in
``pyproject.toml``), read here through :mod:`importlib.resources` so an
installed copy finds them wherever it lives, even zipped. A source checkout
(``python main.py``, an editable install) has no ``convviz/data/`` and reads
``resources/`` itself. Callers get real paths: a zipped install is extracted
once to a temporary folder that is removed at exit.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

_SOURCE = Path(__file__).resolve().parent.parent / "resources"


def _copy_tree(src: Traversable, dst: Path) -> None:
    dst.mkdir(parents=True, exist_ok=True)
    for child in src.iterdir():
        if child.is_dir():
            _copy_tree(child, dst / child.name)
        else:
            (dst / child.name).write_bytes(child.read_bytes())


@functools.cache
def data_root() -> Path:
    """The folder holding ``lessons/`` and ``images/``: installed package data, else the
    checkout's ``resources/``. FileNotFoundError when neither exists (a broken install)."""
    packaged = files("convviz").joinpath("data")
    if packaged.is_dir():
        if isinstance(packaged, Path):
            return packaged
        # A zip or another importer: extract once, since Pillow and the lesson
        # loader want real files, and remove the copy when the process ends.
        tmp = Path(tempfile.mkdtemp(prefix="convviz-data-"))
        atexit.register(shutil.rmtree, tmp, ignore_errors=True)
        _copy_tree(packaged, tmp)
        return tmp
    if _SOURCE.is_dir():
        return _SOURCE
    raise FileNotFoundError(
        f"convviz's data files are missing: neither {packaged} nor {_SOURCE} exists "
        "(reinstall convviz)"
    )


def resource(*parts: str) -> Path:
    """The path of ``<data>/<parts...>``, e.g. ``resource("lessons", "6.2.toml")``.

    FileNotFoundError names what is missing and what there is, so a typo in a
    name fails where it is made rather than later in a loader.
    """
    if not parts or any(not p or p in {".", ".."} or "/" in p or "\\" in p for p in parts):
        raise ValueError(f"a resource is named by plain folder and file names, not {parts!r}")
    root = data_root()
    p = root.joinpath(*parts)
    if not p.exists():
        parent = p.parent
        have = sorted(c.name for c in parent.iterdir()) if parent.is_dir() else []
        raise FileNotFoundError(
            f"convviz resource not found: {'/'.join(parts)} (looked in {parent}"
            + (f"; there: {', '.join(have)})" if have else ")")
        )
    return p

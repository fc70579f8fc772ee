"""The layering the design promises: engine and model never import Qt."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_engine_and_model_import_no_qt():
    code = (
        "import sys, convviz.engine, convviz.model\n"
        "import convviz.model.session, convviz.model.presets, convviz.model.colormap\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'pyqtgraph', 'shiboken6'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "", f"Qt imported by the Qt-free layers: {out.stdout}"


def test_no_qt_import_in_engine_or_model_sources():
    """A static check too, so a lazy import inside a function is caught."""
    for layer in ("engine", "model"):
        for py in (ROOT / "convviz" / layer).rglob("*.py"):
            text = py.read_text(encoding="utf-8")
            for name in ("PySide6", "pyqtgraph", "shiboken6"):
                assert name not in text, f"{py.relative_to(ROOT)} mentions {name}"

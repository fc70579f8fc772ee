"""Find the files under ``resources/`` by name; an unknown name raises at once."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    """The path of ``resources/<parts...>``; FileNotFoundError names what is missing."""
    p = ROOT.joinpath(*parts)
    if not p.exists():
        raise FileNotFoundError(f"convviz resource not found: {p}")
    return p

"""Fixtures shared by the model tests (no display, no Qt)."""

from __future__ import annotations

import gc

import pytest

from convviz.model.lessons import Lesson, load_lesson


@pytest.fixture(scope="module", autouse=True)
def _collect_sessions():
    """Sessions are reference cycles (the edge state listens to its session): free the
    hundreds a module makes now, not during a later test that counts references."""
    yield
    gc.collect()


@pytest.fixture(scope="session")
def lesson() -> Lesson:
    """The shipped 6.2 lesson (frozen: players never change it)."""
    return load_lesson("6.2")

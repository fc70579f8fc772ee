"""The chapter's examples, by name, as fresh arrays."""

from __future__ import annotations

import numpy as np
import pytest

from convviz.engine import corr2d
from convviz.model import presets
from convviz.model.session import LIMITS


def test_fig_621_is_the_chapter_example():
    X, K = presets.fig_621(), presets.fig_621_kernel()
    np.testing.assert_array_equal(corr2d(X, K), [[19.0, 25.0], [37.0, 43.0]])


def test_edge_image_and_kernel_detect_the_edges():
    X = presets.edge_image()
    K = presets.kernel_preset("Edge [1, −1]")
    Y = corr2d(X, K)
    assert Y.shape == (6, 7)
    np.testing.assert_array_equal(Y[0], [0, 1, 0, 0, 0, -1, 0])


@pytest.mark.parametrize("name", list(presets.INPUTS))
def test_every_input_fits_the_editor(name):
    a = presets.input_preset(name)
    assert a.ndim == 2 and max(a.shape) <= LIMITS["input"] and np.isfinite(a).all()


@pytest.mark.parametrize("name", list(presets.KERNELS))
def test_every_kernel_fits_the_editor(name):
    a = presets.kernel_preset(name)
    assert a.ndim == 2 and max(a.shape) <= LIMITS["kernel"] and np.isfinite(a).all()


def test_presets_are_fresh_copies():
    a = presets.input_preset("Fig. 6.2.1 (3×3, 0..8)")
    a[0, 0] = 99
    assert presets.input_preset("Fig. 6.2.1 (3×3, 0..8)")[0, 0] == 0


def test_unknown_preset_names_the_choices():
    with pytest.raises(KeyError, match="choose from"):
        presets.input_preset("nope")
    with pytest.raises(KeyError, match="choose from"):
        presets.kernel_preset("nope")

"""The generator's shared helpers: truncated draws stay in range without piling up at the bounds."""

from __future__ import annotations

import numpy as np
import pytest

from shequlab.data.common import truncated_normal


def test_truncated_normal_redraws_instead_of_clipping():
    rng = np.random.default_rng(1)
    x = truncated_normal(rng, 40, 10, 36, 59)  # a bound close to the mean, as ages have
    y = truncated_normal(rng, np.full(5000, 40.0), 10, 36, 59)
    assert np.ndim(x) == 0 or x.shape == ()
    assert y.min() >= 36 and y.max() <= 59
    assert (y == 36).sum() == 0 and (y == 59).sum() == 0, "clipping would pile draws on a bound"
    # the share just above the lower bound is no larger than a normal density allows
    assert ((y >= 36) & (y < 37)).mean() < 0.08


def test_truncated_normal_broadcasts_per_row_bounds():
    rng = np.random.default_rng(2)
    lo = np.array([22.0, 36.0] * 500)
    hi = np.array([35.0, 59.0] * 500)
    x = truncated_normal(rng, np.where(lo < 30, 29.0, 45.0), 5, lo, hi)
    assert ((x >= lo) & (x <= hi)).all()


def test_truncated_normal_refuses_an_impossible_range():
    with pytest.raises(ValueError, match="too far"):
        truncated_normal(np.random.default_rng(3), 0, 1, 50, 51)

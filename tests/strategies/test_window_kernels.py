"""The numba window kernels against plain numpy, and their window-locality (what live mode needs)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from parity.strategies.features import windows_nb as nb


def _arrays(draw_seed: int, t: int, n: int, holes: bool) -> np.ndarray:
    rng = np.random.default_rng(draw_seed)
    x = rng.normal(10.0, 3.0, (t, n))
    if holes:
        x[rng.random((t, n)) < 0.05] = np.nan
    return x


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), t=st.integers(1, 40), n=st.integers(1, 5), w=st.integers(2, 12),
       holes=st.booleans())
def test_kernels_match_numpy_and_depend_only_on_their_window(seed, t, n, w, holes):
    x = _arrays(seed, t, n, holes)
    y = _arrays(seed + 1, t, n, holes)
    outs = {
        "sum": (nb.window_sum(x, w), lambda a, b: a.sum(axis=0)),
        "cov": (nb.window_cov(x, y, w), lambda a, b: ((a - a.mean(0)) * (b - b.mean(0))).sum(0) / (w - 1)),
        "max": (nb.window_max(x, w), lambda a, b: a.max(axis=0)),
        "min": (nb.window_min(x, w), lambda a, b: a.min(axis=0)),
    }
    for name, (out, reference) in outs.items():
        assert np.isnan(out[: w - 1]).all(), name
        for r in range(w - 1, t):
            expected = reference(x[r - w + 1: r + 1], y[r - w + 1: r + 1])  # NaN anywhere -> NaN
            np.testing.assert_allclose(out[r], expected, rtol=1e-9, atol=1e-9, err_msg=name)
    if t >= w:  # the last row recomputed from its window alone: the same bits
        assert np.array_equal(nb.window_sum(x[-w:], w)[-1], outs["sum"][0][-1], equal_nan=True)
        assert np.array_equal(nb.window_cov(x[-w:], y[-w:], w)[-1], outs["cov"][0][-1], equal_nan=True)


def test_group_mean_by_hand():
    x = np.array([[1.0, 3.0, 10.0, np.nan], [np.nan, np.nan, 4.0, 6.0]])
    groups = np.array([0, 0, 1, 1])
    # bar 0: group 0 -> (1 + 3) / 2 = 2, group 1 -> 10 (NaN skipped)
    # bar 1: group 0 has no value -> NaN, group 1 -> 5
    np.testing.assert_array_equal(nb.group_mean(x, groups, 2), [[2.0, 2.0, 10.0, 10.0], [np.nan, np.nan, 5.0, 5.0]])

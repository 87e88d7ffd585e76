import numpy as np
import pytest

from parity.strategies.diagnostics import hit_rate, newey_west_tstat, rank_ic


def test_rank_ic_by_hand():
    scores = np.array([[1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0], [1.0, np.nan, 3.0, 4.0], [1.0, 2.0, np.nan, np.nan]])
    fwd = np.array([[0.1, 0.2, 0.3, 0.9], [0.4, 0.3, 0.2, 0.1], [0.3, 0.0, 0.1, 0.2], [0.1, 0.2, 0.3, 0.4]])
    ic, n = rank_ic(scores, fwd)
    # row 0: same order -> 1; row 1: reversed -> -1
    # row 2: symbol 1 dropped; score ranks 1, 2, 3 vs return ranks 3, 1, 2:
    #   centred (-1, 0, 1) . (1, -1, 0) = -1, over sqrt(2 * 2) -> -0.5
    # row 3: only 2 usable symbols -> NaN
    np.testing.assert_allclose(ic, [1.0, -1.0, -0.5, np.nan])
    np.testing.assert_array_equal(n, [4, 4, 3, 2])


def test_newey_west_with_no_lags_is_the_plain_t_statistic():
    x = np.array([0.1, 0.3, -0.2, 0.4, 0.2, np.nan])
    v = x[:5]
    # with lags = 0 the variance is the biased sample variance: t = mean / sqrt(var_pop / n)
    assert newey_west_tstat(x, 0) == pytest.approx(v.mean() / np.sqrt(v.var() / 5))
    # positively autocorrelated series: the lag terms widen the error, shrinking t
    trend = np.repeat([0.1, 0.3, 0.2, 0.4], 5)
    assert newey_west_tstat(trend, 4) < newey_west_tstat(trend, 0)


def test_hit_rate_by_hand():
    scores = np.array([[1.0, -1.0, 0.0], [0.5, -0.5, 1.0]])
    fwd = np.array([[0.03, 0.01, 0.05], [0.0, 0.02, 0.01]])
    # row 0: mean 0.03 -> excess 0, -0.02, 0.02; symbol 0 has zero excess and symbol 2 a zero score,
    #        so only symbol 1 counts: sign(-1) == sign(-0.02) -> hit
    # row 1: mean 0.01 -> excess -0.01, 0.01, 0: symbol 0 miss, symbol 1 miss, symbol 2 not counted
    rate, n = hit_rate(scores, fwd)
    assert (rate, n) == (pytest.approx(1 / 3), 3)

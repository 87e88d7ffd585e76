import numpy as np
import pytest

from parity.strategies.labels import forward_returns, make_labels
from parity.strategies.ranks import cross_sectional_rank


def test_rank_maps_lowest_to_minus_one_and_highest_to_plus_one():
    # row 0: 3 values -> ranks 1, 2, 3 -> 2 * (r - 1) / 2 - 1 = -1, 0, 1
    # row 1: a tie (5, 5) and 1: ranks 2.5, 2.5, 1 -> 2 * 1.5 / 2 - 1 = 0.5, 0.5 and -1
    # row 2: NaN is left out; two values -> -1 and +1
    # row 3: a single value -> 0 (no cross-sectional view); row 4: nothing -> NaN
    x = np.array([[3.0, 1.0, 2.0], [5.0, 5.0, 1.0], [np.nan, 7.0, -1.0], [np.nan, 4.0, np.nan], [np.nan] * 3])
    expected = np.array([[1.0, -1.0, 0.0], [0.5, 0.5, -1.0], [np.nan, 1.0, -1.0], [np.nan, 0.0, np.nan], [np.nan] * 3])
    np.testing.assert_array_equal(cross_sectional_rank(x), expected)


def test_rank_treats_inf_as_missing():
    out = cross_sectional_rank(np.array([[np.inf, 1.0, 2.0]]))
    np.testing.assert_array_equal(out, [[np.nan, -1.0, 1.0]])


CLOSE = np.array([
    [10.0, 20.0, 40.0],
    [11.0, 20.0, 30.0],
    [12.0, 25.0, np.nan],
    [15.0, 22.0, 44.0],
])


def test_forward_returns_by_hand():
    fwd = forward_returns(CLOSE, 2)
    # bar 0 -> bar 2: 12/10 - 1 = 0.2, 25/20 - 1 = 0.25, NaN (close missing at bar 2)
    # bar 1 -> bar 3: 15/11 - 1, 22/20 - 1 = 0.1, 44/30 - 1
    np.testing.assert_allclose(fwd[0], [0.2, 0.25, np.nan])
    np.testing.assert_allclose(fwd[1], [15 / 11 - 1, 0.1, 44 / 30 - 1])
    assert np.isnan(fwd[2:]).all()  # the horizon runs past the data


def test_label_kinds_by_hand():
    raw = make_labels(CLOSE, 1, "raw")
    # bar 0 -> 1: 0.1, 0.0, -0.25
    np.testing.assert_allclose(raw[0], [0.1, 0.0, -0.25])
    excess = make_labels(CLOSE, 1, "excess")
    # universe mean at bar 0: (0.1 + 0 - 0.25) / 3 = -0.05 -> 0.15, 0.05, -0.2
    np.testing.assert_allclose(excess[0], [0.15, 0.05, -0.2])
    # bar 1 -> 2: 12/11 - 1 = 0.0909, 25/20 - 1 = 0.25, NaN; mean over the two known ones only
    np.testing.assert_allclose(excess[1], [1 / 11 - (1 / 11 + 0.25) / 2, 0.25 - (1 / 11 + 0.25) / 2, np.nan])
    ranked = make_labels(CLOSE, 1, "rank")
    np.testing.assert_array_equal(ranked[0], [1.0, 0.0, -1.0])
    np.testing.assert_array_equal(ranked[1], [-1.0, 1.0, np.nan])
    assert np.isnan(ranked[3]).all()


def test_unknown_label_kind_is_rejected():
    with pytest.raises(ValueError, match="raw, rank, excess"):
        make_labels(CLOSE, 1, "log")

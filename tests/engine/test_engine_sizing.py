import numpy as np
import pytest

from parity.engine.kernels.sizing import size_targets, to_shares
from parity.engine.types import RiskAction, RiskRule

from engine_kit import book, buffers, params


def _size(scores, prices, b, p):
    _, events = buffers()
    targets, view, events, n = size_targets(4, 99, np.asarray(scores, float), np.asarray(prices, float), b, p.sizing,
                                            events, 0)
    return targets, view, events[:n]


def test_targets_are_score_times_budget_in_whole_shares():
    p = params(position_sizing={"max_position_size": 0.05, "signal_threshold": 0.1})
    b = book([0, 0, 0, 0], prices=[10, 30, 7, 10])  # equity 100,000
    targets, view, events = _size([1.0, 0.5, 0.3, 0.05], [10, 30, 7, 10], b, p)
    # 1.0 * 0.05 * 100,000 / 10 = 500; 0.5 * 0.05 * 100,000 / 30 = 83.33 -> 83;
    # 0.3 * 0.05 * 100,000 / 7 = 214.28 -> 214; |0.05| < 0.1 -> 0
    assert targets.tolist() == [500.0, 83.0, 214.0, 0.0]
    assert view.all() and len(events) == 0


def test_fractional_targets_keep_micro_shares():
    p = params(position_sizing={"max_position_size": 0.05, "fractional_shares": True})
    targets, _, _ = _size([0.5], [30.0], book([0], prices=[30]), p)
    assert targets[0] == pytest.approx(83.333333, abs=1e-9)  # 2,500 / 30 truncated to 1e-6


def test_no_view_keeps_the_current_holding_including_working_orders():
    p = params()
    b = book([100, 40, 0], prices=[10, 10, 10], pending=[0, 10, -5])
    targets, view, events = _size([np.nan, 0.9, 0.9], [10, np.nan, 0.0], b, p)
    assert targets.tolist() == [100.0, 50.0, -5.0]  # NaN score; NaN price; non-positive price
    assert not view.any() and len(events) == 0


def test_negative_scores_are_flat_without_allow_short_and_leave_an_event():
    p = params(position_sizing={"max_position_size": 0.05, "allow_short": False})
    b = book([200, 0, 0, 0], prices=[10] * 4, pending=[0, 0, 0, 30])
    targets, _, events = _size([-0.5, -0.05, -0.5, -0.5], [10] * 4, b, p)
    assert targets.tolist() == [0.0, 0.0, 0.0, 0.0]
    # symbol 0: -0.5 * 5,000 / 10 = -250 shares wanted while long 200 -> cut at flat, event;
    # symbol 1: within the threshold, no short wanted; symbol 2: flat and stays flat, no event;
    # symbol 3: flat but with a working buy of 30 -> event
    assert events["symbol"].tolist() == [0, 3]
    e = events[0]
    assert (e["bar"], e["ts"], e["symbol"], e["rule"], e["action"]) == (4, 99, 0, RiskRule.SHORT_NOT_ALLOWED,
                                                                        RiskAction.SCALED)
    assert (e["requested"], e["allowed"]) == (-250.0, 0.0)


def test_shorts_are_sized_like_longs_when_allowed():
    p = params(position_sizing={"max_position_size": 0.05, "allow_short": True})
    targets, _, events = _size([-0.5], [10.0], book([0], prices=[10]), p)
    assert targets.tolist() == [-250.0] and len(events) == 0


def test_no_equity_means_no_new_exposure():
    p = params()
    targets, _, _ = _size([1.0], [10.0], book([0], prices=[10], equity=-5.0), p)
    assert targets.tolist() == [0.0]


@pytest.mark.parametrize("qty,fractional,expected", [
    (49.9999999999, False, 50.0),  # float noise for 50 is absorbed
    (49.99, False, 49.0),
    (-49.99, False, -49.0),  # toward zero
    (0.4, False, 0.0),
    (1.23456789, True, 1.234567),
])
def test_to_shares_rounds_toward_zero(qty, fractional, expected):
    assert to_shares(qty, fractional) == pytest.approx(expected, abs=1e-12)

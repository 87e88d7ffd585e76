import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from parity.engine.kernels.risk import review_targets
from parity.engine.types import RiskAction, RiskRule

from engine_kit import book, buffers, params


def _review(targets, has_view, prices, b, p):
    _, events = buffers()
    targets = np.asarray(targets, float)
    before = targets.copy()
    adjusted, events, n = review_targets(2, 7, targets, np.asarray(has_view), np.asarray(prices, float), b,
                                         np.zeros(len(targets), np.int64), p.risk, events, 0)
    assert np.array_equal(targets, before), "review_targets must not edit its input"
    return adjusted, events[:n]


def test_position_cap_trims_an_oversized_target_to_whole_shares():
    p = params(position_sizing={"max_position_size": 0.05, "max_total_exposure": 1.0})
    b = book([0, 0], prices=[30, 10])  # equity 100,000 -> 5,000 per symbol
    adjusted, events = _review([200, -400], [True, True], [30, 10], b, p)
    # 5,000 / 30 = 166.67 -> 166 shares; |-400| * 10 = 4,000 is within the cap
    assert adjusted.tolist() == [166.0, -400.0]
    assert len(events) == 1
    assert (events[0]["rule"], events[0]["action"], events[0]["symbol"]) == (RiskRule.POSITION_SIZE, RiskAction.SCALED, 0)
    assert (events[0]["requested"], events[0]["allowed"]) == (200.0, 166.0)


def test_position_cap_trims_a_held_position_without_a_view_too():
    p = params(position_sizing={"max_position_size": 0.05})
    b = book([600], prices=[10])  # grew to 6,000 > 5,000
    adjusted, events = _review([600], [False], [10], b, p)
    assert adjusted.tolist() == [500.0] and events[0]["rule"] == RiskRule.POSITION_SIZE


def test_total_exposure_scales_every_view_target_by_one_factor():
    p = params(position_sizing={"max_position_size": 0.5, "max_total_exposure": 0.6})
    b = book([0, 0, 0], prices=[10, 20, 50])
    # requested gross: 4,000*10... = 40,000 + 20,000 + 20,000 = 80,000 > 60,000 -> scale 0.75
    adjusted, events = _review([4000, -1000, 400], [True, True, True], [10, 20, 50], b, p)
    assert adjusted.tolist() == [3000.0, -750.0, 300.0]
    assert [e["rule"] for e in events] == [RiskRule.TOTAL_EXPOSURE] * 3
    assert events["requested"].tolist() == [4000.0, -1000.0, 400.0]
    assert events["allowed"].tolist() == [3000.0, -750.0, 300.0]


def test_working_orders_without_a_view_use_up_the_exposure_budget():
    """Symbol 0 has 60,000 in an unfilled buy (its score is NaN this bar, so it is held as is);
    symbol 1 wants 50,000. With a 100% cap only 40,000 is left for symbol 1: 2,000 shares at 20."""
    p = params(position_sizing={"max_position_size": 1.0, "max_total_exposure": 1.0})
    b = book([0, 0], prices=[10, 20], pending=[6000, 0])
    adjusted, events = _review([6000, 2500], [False, True], [10, 20], b, p)
    assert adjusted.tolist() == [6000.0, 2000.0]
    assert len(events) == 1 and events[0]["symbol"] == 1


def test_locked_exposure_above_the_cap_sends_view_targets_to_zero():
    p = params(position_sizing={"max_position_size": 1.0, "max_total_exposure": 0.5})
    b = book([6000, 0], prices=[10, 20])
    adjusted, _ = _review([6000, 100], [False, True], [np.nan, 20], b, p)  # symbol 0 halted: marked at 10
    assert adjusted.tolist() == [6000.0, 0.0]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.floats(-1e5, 1e5), st.floats(1.0, 500.0), st.booleans()), min_size=1, max_size=12),
    st.floats(0.01, 1.0), st.floats(0.1, 2.0),
)
def test_adjusted_targets_respect_both_caps_and_only_shrink(rows, max_pos, max_gross):
    targets = np.trunc([r[0] for r in rows])
    prices = np.array([r[1] for r in rows])
    view = np.ones(len(rows), dtype=bool)  # every symbol has a view, so every target may be scaled
    p = params(position_sizing={"max_position_size": max_pos, "max_total_exposure": max_gross})
    b = book(np.zeros(len(rows)), prices=prices)
    adjusted, _ = _review(targets, view, prices, b, p)
    assert np.all(np.abs(adjusted) <= np.abs(targets))
    assert np.all(np.sign(adjusted) * np.sign(targets) >= 0)
    assert np.all(np.abs(adjusted) * prices <= max_pos * 100_000 * (1 + 1e-9))
    assert np.sum(np.abs(adjusted) * prices) <= max_gross * 100_000 * (1 + 1e-9)

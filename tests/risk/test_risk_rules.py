"""Each risk rule on a hand-checkable case, through review_targets / decide_bar (the kernels both loops
call). Equity is 100,000 unless a test says otherwise."""

from __future__ import annotations

import numpy as np

from parity.engine.kernels.cancels import CANCEL_REBALANCE
from parity.engine.kernels.risk import review_targets
from parity.engine.kernels.step import decide_bar
from parity.engine.types import OrderReason, RiskAction, RiskRule

from risk_kit import book, buffers, params


def review(targets, has_view, prices, b, p, sectors=None):
    _, events, _ = buffers()
    targets = np.asarray(targets, dtype=np.float64)
    sector_ids = np.zeros(len(targets), np.int64) if sectors is None else np.asarray(sectors, np.int64)
    adjusted, events, n = review_targets(3, 99, targets, np.asarray(has_view, bool), np.asarray(prices, float), b,
                                         sector_ids, p.risk, events, 0)
    return adjusted, events[:n]


def test_daily_loss_refuses_added_risk_but_lets_reductions_through():
    p = params(risk={"max_daily_loss": 0.02})
    # session started at 100,000; the lowest equity so far is 97,900: down 2.1% >= 2% -> halted
    b = book([100, 200, -50, 0], [10, 10, 10, 10], equity=98_500, session_start=100_000, session_low=97_900)
    adjusted, events = review([150, 120, -80, 30], [True] * 4, [10] * 4, b, p)
    # symbol 0 wants 150 (adds 50): held at 100; symbol 1 wants 120 (reduces): allowed;
    # symbol 2 short -50 wants -80 (adds): held at -50; symbol 3 flat wants 30: refused (0)
    assert adjusted.tolist() == [100.0, 120.0, -50.0, 0.0]
    assert [(e["symbol"], e["rule"], e["action"], e["requested"], e["allowed"]) for e in events] == [
        (0, RiskRule.DAILY_LOSS, RiskAction.REFUSED, 150.0, 100.0),
        (2, RiskRule.DAILY_LOSS, RiskAction.REFUSED, -80.0, -50.0),
        (3, RiskRule.DAILY_LOSS, RiskAction.REFUSED, 30.0, 0.0),
    ]


def test_daily_loss_stays_in_force_after_a_recovery_and_not_before_the_limit():
    p = params(risk={"max_daily_loss": 0.02})
    recovered = book([0], [10], equity=101_000, session_start=100_000, session_low=97_999)  # touched -2.0001%
    assert review([100], [True], [10], recovered, p)[0].tolist() == [0.0]
    not_yet = book([0], [10], equity=98_100, session_start=100_000, session_low=98_001)  # -1.999%
    assert review([100], [True], [10], not_yet, p)[0].tolist() == [100.0]


def test_daily_loss_also_cancels_a_working_buy_of_a_symbol_without_a_view():
    p = params(risk={"max_daily_loss": 0.02})
    b = book([100], [10], pending=[40], session_start=100_000, session_low=97_000)
    # no view: the target is position + pending = 140; clamped to 100 -> the order kernel cancels the buy
    orders, events, cancel = buffers()
    orders, n, events, m = decide_bar(3, 99, np.array([np.nan]), np.array([10.0]), b, np.zeros(1, np.int64), p,
                                      orders, 0, cancel, events, 0)
    assert n == 0 and cancel.tolist() == [CANCEL_REBALANCE]
    assert events[0]["rule"] == RiskRule.DAILY_LOSS and events[0]["allowed"] == 100.0


def test_position_risk_caps_the_loss_to_the_stop():
    # 1% of 100,000 = 1,000 at risk; stop 5% away -> at most 20,000 of value: 400 shares at 50
    p = params(risk={"max_position_risk": 0.01, "stop_loss_pct": 0.05})
    adjusted, events = review([500, -300, 401], [True] * 3, [50, 50, 50], book([0, 0, 0], [50] * 3), p)
    assert adjusted.tolist() == [400.0, -300.0, 400.0]
    assert events["rule"].tolist() == [RiskRule.POSITION_RISK] * 2
    assert events["allowed"].tolist() == [400.0, 400.0]


def test_sector_cap_scales_each_sector_by_its_own_factor():
    p = params(risk={"max_sector_exposure": 0.3})
    # sector 0: 20,000 + 20,000 = 40,000 > 30,000 -> x 0.75: 1,500 and 750 shares
    # sector 1: 25,000 <= 30,000 -> unchanged
    adjusted, events = review([2000, 1000, 500], [True] * 3, [10, 20, 50], book([0, 0, 0], [10, 20, 50]), p,
                              sectors=[0, 0, 1])
    assert adjusted.tolist() == [1500.0, 750.0, 500.0]
    assert events["rule"].tolist() == [RiskRule.SECTOR_EXPOSURE] * 2


def test_sector_cap_counts_holdings_without_a_view_and_trims_them_when_they_alone_break_it():
    p = params(risk={"max_sector_exposure": 0.3})
    # symbol 0 has no view and holds 2,500 @ 10 = 25,000: 5,000 is left for symbol 1 (250 @ 20)
    b = book([2500, 0], [10, 20])
    assert review([2500, 400], [False, True], [10, 20], b, p)[0].tolist() == [2500.0, 250.0]
    # the holding grew to 3,500 @ 10 = 35,000 > 30,000 by itself: symbol 1 gets 0 and the holding is
    # trimmed to 30,000 / 35,000 * 3,500 = 3,000
    b = book([3500, 0], [10, 20])
    adjusted, events = review([3500, 400], [False, True], [10, 20], b, p)
    assert adjusted.tolist() == [3000.0, 0.0]
    assert events["allowed"].tolist() == [3000.0, 0.0]


def test_total_exposure_trims_a_book_that_grew_past_the_cap_without_views():
    p = params(sizing={"max_total_exposure": 0.5})
    b = book([3000, 1000], [10, 30])  # 30,000 + 30,000 = 60,000 > 50,000: both scaled by 5/6
    adjusted, events = review([3000, 1000], [False, False], [10, 30], b, p)
    assert adjusted.tolist() == [2500.0, 833.0]
    assert events["rule"].tolist() == [RiskRule.TOTAL_EXPOSURE] * 2


def test_rules_only_shrink_and_every_change_is_an_event():
    p = params(risk={"max_daily_loss": 0.5, "max_position_risk": 0.01, "max_sector_exposure": 0.25},
               sizing={"max_position_size": 0.15, "max_total_exposure": 0.4})
    targets = np.array([3000.0, -2500.0, 1200.0, 900.0, -10.0])
    prices = [10.0, 12.0, 30.0, 20.0, 40.0]
    adjusted, events = review(targets, [True] * 5, prices, book([0] * 5, prices), p, sectors=[0, 0, 1, 1, 2])
    assert np.all(np.abs(adjusted) <= np.abs(targets)) and np.all(adjusted * targets >= 0)
    changed = set(np.flatnonzero(adjusted != targets).tolist())
    assert changed == set(events["symbol"].tolist())
    # the last event of each changed symbol carries its final target
    for i in changed:
        assert events[events["symbol"] == i][-1]["allowed"] == adjusted[i]


def test_max_orders_per_bar_never_starves_risk_reducing_orders():
    p = params(orders={"max_orders_per_bar": 1})
    # symbols 0 and 1 reduce (sell), symbol 2 adds: both reductions go, the addition is refused
    b = book([100, 100, 0], [10, 10, 10])
    orders, events, cancel = buffers(3)
    scores = np.array([0.001, 0.002, 0.5])  # sizing: 0.1% of 100,000 / 10 = 10 shares, 20 shares, 5,000
    orders, n, events, m = decide_bar(3, 99, scores, np.array([10.0] * 3), b, np.zeros(3, np.int64), p, orders, 0,
                                      cancel, events, 0)
    assert [(o["symbol"], o["side"], o["qty"]) for o in orders[:n]] == [(0, -1, 90.0), (1, -1, 80.0)]
    assert [(e["symbol"], e["rule"], e["action"]) for e in events[:m]] == [
        (2, RiskRule.MAX_ORDERS_PER_BAR, RiskAction.REFUSED)]


def test_min_trade_size_refusals_are_events():
    p = params(sizing={"min_trade_size": 500})
    b = book([100], [10])
    orders, events, cancel = buffers()
    # target 0.0104 * 100,000 / 10 = 104 shares: a 4-share (40 USD) trade is below 500 USD
    orders, n, events, m = decide_bar(3, 99, np.array([0.0104]), np.array([10.0]), b, np.zeros(1, np.int64), p,
                                      orders, 0, cancel, events, 0)
    assert n == 0
    assert (events[0]["rule"], events[0]["action"], events[0]["requested"], events[0]["allowed"]) == (
        RiskRule.MIN_TRADE_SIZE, RiskAction.REFUSED, 104.0, 100.0)


def test_an_emergency_stop_refuses_everything_cancels_rebalances_and_keeps_stops():
    p = params(risk={"flatten_on_emergency_stop": False})
    b = book([100, 0], [10, 20], pending=[50, -30], stop_qty=[-100, 0], stop_price=[9.5, np.nan], halted=True)
    orders, events, cancel = buffers(2)
    orders, n, events, m = decide_bar(3, 99, np.array([1.0, 1.0]), np.array([10.0, 20.0]), b,
                                      np.zeros(2, np.int64), p, orders, 0, cancel, events, 0)
    assert n == 0  # no new orders at all
    assert cancel.tolist() == [CANCEL_REBALANCE, CANCEL_REBALANCE]  # the stop (bit 2) keeps working
    ev = events[:m]
    assert (ev[0]["symbol"], ev[0]["rule"], ev[0]["requested"]) == (-1, RiskRule.EMERGENCY_STOP, 2.0)
    assert [(e["symbol"], e["requested"], e["allowed"]) for e in ev[1:]] == [(0, 150.0, 100.0), (1, -30.0, 0.0)]


def test_an_emergency_stop_with_flatten_closes_what_the_working_exits_do_not():
    p = params(risk={"flatten_on_emergency_stop": True})
    # symbol 0: long 100, resting stop; symbol 1: short 40 with a working stop-out buying 15 of it
    b = book([100, -40], [10, 20], pending=[0, 15], exit_pending=[0, 15], stop_qty=[-100, 0],
             stop_price=[9.5, np.nan], halted=True)
    orders, events, cancel = buffers(2)
    orders, n, events, m = decide_bar(3, 99, np.array([1.0, 1.0]), np.array([10.0, 20.0]), b,
                                      np.zeros(2, np.int64), p, orders, 0, cancel, events, 0)
    assert [(o["symbol"], o["side"], o["qty"], o["reason"]) for o in orders[:n]] == [
        (0, -1, 100.0, OrderReason.EMERGENCY_FLATTEN), (1, 1, 25.0, OrderReason.EMERGENCY_FLATTEN)]
    assert cancel.tolist() == [2, 0]  # symbol 0's resting stop goes; symbol 1's exit keeps working
    assert [(e["symbol"], e["action"]) for e in events[1:m]] == [(0, RiskAction.EXIT), (1, RiskAction.EXIT)]

"""match_bar per order type, on 2-4 bar single-symbol fixtures with prices worked out by hand.

Unless a test says otherwise the venue is frictionless (sim_kit.FREE) and the order is decided on
bar 0, so it can first trade in bar 1.
"""

from __future__ import annotations

import numpy as np
import pytest
from sim_kit import FREE, bars, open_ts, order, params, run

from parity.engine.types import LimitFillMode, OrderStatus, OrderType, Side

BUY, SELL = Side.BUY, Side.SELL
FILLED, NEW = int(OrderStatus.FILLED), int(OrderStatus.NEW)
THROUGH = int(LimitFillMode.THROUGH)


def test_market_buy_fills_at_next_open_plus_slippage() -> None:
    b = bars([(10.0, 11.0, 9.0, 10.5, 10_000), (10.8, 11.2, 10.6, 11.0, 10_000)])
    r = run([order(BUY, qty=100)], b, params(fixed_bps=10))
    (f,) = r.fills
    # reference = bar 1 open 10.8; 10 bps against a buyer: 10.8 * 1.001 = 10.8108
    assert f["bar"] == 1 and f["qty"] == 100 and f["reference_price"] == 10.8
    assert f["price"] == pytest.approx(10.8108, abs=1e-12)
    assert f["ts"] == open_ts(1) and f["participation"] == pytest.approx(100 / 10_000)
    o = r.orders[0]
    assert o["status"] == FILLED and o["filled_qty"] == 100 and o["arrival_price"] == 10.8


def test_market_sell_receives_less() -> None:
    b = bars([(10.0, 11.0, 9.0, 10.5, 10_000), (10.8, 11.2, 10.6, 11.0, 10_000)])
    (f,) = run([order(SELL, qty=100)], b, params(fixed_bps=10)).fills
    assert f["side"] == -1 and f["price"] == pytest.approx(10.8 * 0.999)  # 10.7892


def test_order_never_fills_in_its_decision_bar_nor_before_arrival() -> None:
    b = bars([(10, 11, 9, 10, 1000), (11, 12, 10, 11, 1000), (12, 13, 11, 12, 1000)])
    # Arrival 1 ns after bar 1 opens: bar 1 is too early, bar 2's open (12) is the first price.
    late = run([order(BUY, arrival_at=open_ts(1) + 1)], b)
    assert late.fills["bar"].tolist() == [2] and late.fills["price"].tolist() == [12.0]
    assert late.orders[0]["arrival_price"] == 12.0
    # Arrival exactly at bar 1's open is in time for it.
    on_time = run([order(BUY, arrival_at=open_ts(1))], b)
    assert on_time.fills["bar"].tolist() == [1]
    # Even an arrival_at in the past cannot fill in the bar the decision came from.
    same_bar = run([order(BUY, bar=1, arrival_at=0)], b)
    assert same_bar.fills["bar"].tolist() == [2]


def test_nan_bar_makes_the_order_wait() -> None:
    nan = np.nan
    b = bars([(10, 11, 9, 10, 1000), (nan, nan, nan, nan, nan), (12, 13, 11, 12, 1000)])
    r = run([order(BUY)], b)
    assert r.status_after[1][0] == NEW and r.working_after[1] == [1]
    (f,) = r.fills
    assert f["bar"] == 2 and f["price"] == 12.0 and r.orders[0]["arrival_price"] == 12.0


@pytest.mark.parametrize("mode, fills_in_bar", [(LimitFillMode.TOUCH, 1), (LimitFillMode.THROUGH, 2)])
def test_limit_buy_touch_versus_trade_through(mode: LimitFillMode, fills_in_bar: int) -> None:
    # Bar 1's low touches the 10.0 limit exactly; bar 2 trades through it (low 9.9).
    b = bars([(10.5, 11, 10.2, 10.5, 1000), (10.5, 10.8, 10.0, 10.4, 1000), (10.3, 10.4, 9.9, 10.1, 1000)])
    r = run([order(BUY, OrderType.LIMIT, limit=10.0)], b, params(limit_fill_mode=int(mode), fixed_bps=50))
    (f,) = r.fills
    # Filled at the limit itself: a resting limit takes no slippage even with 50 bps configured.
    assert f["bar"] == fills_in_bar and f["price"] == 10.0 and f["reference_price"] == 10.0


def test_limit_sell_touch_versus_trade_through() -> None:
    b = bars([(10, 10.5, 9.5, 10, 1000), (10.5, 11.0, 10.2, 10.9, 1000), (10.9, 11.1, 10.7, 11.0, 1000)])
    touch = run([order(SELL, OrderType.LIMIT, limit=11.0)], b)
    through = run([order(SELL, OrderType.LIMIT, limit=11.0)], b, params(limit_fill_mode=THROUGH))
    assert touch.fills["bar"].tolist() == [1] and through.fills["bar"].tolist() == [2]
    assert touch.fills["price"].tolist() == [11.0] == through.fills["price"].tolist()


def test_limit_not_reached_keeps_working() -> None:
    b = bars([(10, 11, 9, 10, 1000), (10.5, 10.8, 10.1, 10.4, 1000)])
    r = run([order(BUY, OrderType.LIMIT, limit=10.0)], b)
    assert len(r.fills) == 0 and r.working_after[1] == [1] and r.orders[0]["arrival_price"] == 10.5


def test_limit_gap_through_fills_at_the_slipped_open_never_beyond_the_limit() -> None:
    b = bars([(10, 11, 9, 10, 1000), (9.8, 9.9, 9.6, 9.7, 1000)])
    # The open 9.8 is already below the 10.0 buy limit: reference 9.8, 10 bps -> 9.8 * 1.001 = 9.8098.
    (f,) = run([order(BUY, OrderType.LIMIT, limit=10.0)], b, params(fixed_bps=10)).fills
    assert f["reference_price"] == 9.8 and f["price"] == pytest.approx(9.8098)
    # 500 bps would make it 9.8 * 1.05 = 10.29: capped at the limit 10.0.
    (f,) = run([order(BUY, OrderType.LIMIT, limit=10.0)], b, params(fixed_bps=500)).fills
    assert f["price"] == 10.0
    # Sell mirror: limit 9.5 below an open of 9.8 -> 9.8 * 0.999 = 9.7902.
    (f,) = run([order(SELL, OrderType.LIMIT, limit=9.5)], b, params(fixed_bps=10)).fills
    assert f["reference_price"] == 9.8 and f["price"] == pytest.approx(9.7902)


def test_stop_buy_triggers_at_the_stop_and_gap_fills_at_the_open() -> None:
    b = bars([(10, 10.5, 9.5, 10, 1000), (10.5, 11.2, 10.4, 11.1, 1000)])
    # high 11.2 >= stop 11 with the open below it: reference 11, 10 bps -> 11.011.
    r = run([order(BUY, OrderType.STOP, stop=11.0)], b, params(fixed_bps=10))
    (f,) = r.fills
    assert f["reference_price"] == 11.0 and f["price"] == pytest.approx(11.011)
    gap = bars([(10, 10.5, 9.5, 10, 1000), (11.5, 11.8, 11.4, 11.6, 1000)])
    (f,) = run([order(BUY, OrderType.STOP, stop=11.0)], gap, params(fixed_bps=10)).fills
    assert f["reference_price"] == 11.5 and f["price"] == pytest.approx(11.5115)  # 11.5 * 1.001


def test_stop_sell_triggers_on_the_low_and_gap_fills_at_the_open() -> None:
    b = bars([(10, 10.5, 9.5, 10, 1000), (9.5, 9.6, 8.9, 9.0, 1000), (8.0, 8.2, 7.9, 8.1, 1000)])
    (f,) = run([order(SELL, OrderType.STOP, stop=9.0)], b, params(fixed_bps=10)).fills
    assert f["bar"] == 1 and f["reference_price"] == 9.0 and f["price"] == pytest.approx(8.991)  # 9 * 0.999
    # Stop 8.5 is not reached in bar 1 (low 8.9); bar 2 opens at 8.0 below it: the open is the reference.
    r = run([order(SELL, OrderType.STOP, stop=8.5)], b)
    assert r.orders[0]["type"] == int(OrderType.STOP) and r.orders[0]["triggered"]  # executes as a market order
    assert r.fills["bar"].tolist() == [2] and r.fills["price"].tolist() == [8.0]


def test_untriggered_stop_keeps_its_type_and_works() -> None:
    b = bars([(10, 10.5, 9.5, 10, 1000), (10.2, 10.9, 10.1, 10.5, 1000)])
    r = run([order(BUY, OrderType.STOP, stop=11.0)], b)
    assert len(r.fills) == 0 and r.orders[0]["type"] == int(OrderType.STOP) and r.working_after[1] == [1]


def test_stop_limit_fills_on_the_trigger_bar_within_the_limit() -> None:
    b = bars([(10, 10.5, 9.5, 10, 1000), (10.5, 11.3, 10.4, 11.1, 1000)])
    # Trigger reference 11 (stop), 10 bps -> 11.011 <= limit 11.2: filled at 11.011.
    r = run([order(BUY, OrderType.STOP_LIMIT, stop=11.0, limit=11.2)], b, params(fixed_bps=10))
    (f,) = r.fills
    assert f["reference_price"] == 11.0 and f["price"] == pytest.approx(11.011)
    # With 300 bps the slipped 11.33 would pass the limit: capped at 11.2.
    (f,) = run([order(BUY, OrderType.STOP_LIMIT, stop=11.0, limit=11.2)], b, params(fixed_bps=300)).fills
    assert f["price"] == 11.2


def test_stop_limit_gapping_past_its_limit_rests_as_a_limit() -> None:
    b = bars([
        (10, 10.5, 9.5, 10, 1000),
        (11.5, 11.8, 11.3, 11.6, 1000),  # gaps over stop 11 and limit 11.2: triggered, no fill
        (11.4, 11.6, 11.1, 11.2, 1000),  # low 11.1 touches the resting 11.2 limit
    ])
    r = run([order(BUY, OrderType.STOP_LIMIT, stop=11.0, limit=11.2)], b)
    assert r.status_after[1][0] == NEW
    assert r.orders[0]["type"] == int(OrderType.STOP_LIMIT) and r.orders[0]["triggered"]  # rests as a limit
    (f,) = r.fills
    assert f["bar"] == 2 and f["price"] == 11.2


def test_stop_limit_sell_mirror() -> None:
    b = bars([(10, 10.5, 9.5, 10, 1000), (9.6, 9.7, 8.8, 9.0, 1000)])
    # Sell stop 9.0 limit 8.9: triggers (low 8.8), reference min(9.6, 9.0) = 9.0 >= 8.9 -> fills at 9.0.
    (f,) = run([order(SELL, OrderType.STOP_LIMIT, stop=9.0, limit=8.9)], b).fills
    assert f["price"] == 9.0 and f["side"] == -1


def test_malformed_orders_are_rejected_and_leave_working() -> None:
    b = bars([(10, 11, 9, 10, 1000), (10, 11, 9, 10, 1000)])
    r = run([order(BUY, OrderType.LIMIT), order(BUY, qty=0.0), order(BUY, OrderType.STOP), order(BUY)], b, FREE)
    assert r.orders["status"].tolist()[:3] == [int(OrderStatus.REJECTED)] * 3
    assert r.fills["order_id"].tolist() == [4] and r.working_after[1] == []

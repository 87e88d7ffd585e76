"""match_bar: time in force and the participation cap, on hand-checkable multi-bar fixtures."""

from __future__ import annotations

import numpy as np
import pytest
from sim_kit import bars, order, orders_array, params, run

from parity.brokers.sim.matching import fill_quantity, match_bar
from parity.engine.types import FILL_DTYPE, OrderStatus, OrderType, Side, TimeInForce

BUY, SELL = Side.BUY, Side.SELL
NEW, PART, FILLED = int(OrderStatus.NEW), int(OrderStatus.PARTIALLY_FILLED), int(OrderStatus.FILLED)
CANCELED, EXPIRED = int(OrderStatus.CANCELED), int(OrderStatus.EXPIRED)
QUIET = (10.5, 10.8, 10.2, 10.5, 1000)  # never reaches a 10.0 buy limit


def test_day_order_expires_at_its_session_end_not_before() -> None:
    # Two bars per session: bar 0 ends session A, bars 1-2 are session B.
    b = bars([QUIET, QUIET, QUIET])
    r = run([order(BUY, OrderType.LIMIT, limit=10.0, tif=TimeInForce.DAY)], b, session_end=[True, False, True])
    # Decided at bar 0's close (a session end) it belongs to session B: still NEW after bars 0 and 1.
    assert [s[0] for s in r.status_after] == [NEW, NEW, EXPIRED]
    assert r.working_after == [[1], [1], []]


def test_day_order_expires_even_if_its_symbol_never_traded() -> None:
    nan = np.nan
    b = bars([QUIET, (nan, nan, nan, nan, nan)])
    r = run([order(BUY, tif=TimeInForce.DAY)], b, session_end=[True, True])
    assert r.orders[0]["status"] == EXPIRED and np.isnan(r.orders[0]["arrival_price"])


def test_partly_filled_day_order_expires_with_its_fill_kept() -> None:
    b = bars([QUIET, (10, 11, 9, 10, 300)])
    # Cap 0.1 * 300 = 30 of 100 shares, then the session ends.
    r = run([order(BUY, tif=TimeInForce.DAY)], b, params(participation_rate=0.1), session_end=[True, True])
    assert r.fills["qty"].tolist() == [30.0]
    assert r.orders[0]["status"] == EXPIRED and r.orders[0]["filled_qty"] == 30.0


def test_ioc_cancels_the_remainder_after_its_first_bar() -> None:
    b = bars([QUIET, (10, 11, 9, 10, 500), (10, 11, 9, 10, 500)])
    r = run([order(BUY, qty=100, tif=TimeInForce.IOC)], b, params(participation_rate=0.1))
    # Bar 1 caps it at 0.1 * 500 = 50 shares; the other 50 are cancelled, nothing happens in bar 2.
    assert r.fills["qty"].tolist() == [50.0]
    assert r.status_after[1][0] == CANCELED and r.orders[0]["filled_qty"] == 50.0


def test_unfilled_ioc_limit_is_cancelled() -> None:
    r = run([order(BUY, OrderType.LIMIT, limit=10.0, tif=TimeInForce.IOC)], bars([QUIET, QUIET, (10, 10, 9, 9, 1000)]))
    assert len(r.fills) == 0 and r.status_after[1][0] == CANCELED


def test_gtc_carries_over_session_ends() -> None:
    b = bars([QUIET, QUIET, QUIET, (10.1, 10.2, 9.9, 10.0, 1000)])
    r = run([order(BUY, OrderType.LIMIT, limit=10.0, tif=TimeInForce.GTC)], b, session_end=[True] * 4)
    assert [s[0] for s in r.status_after] == [NEW, NEW, NEW, FILLED]
    assert r.fills["bar"].tolist() == [3] and r.fills["price"].tolist() == [10.0]


def test_participation_cap_splits_an_order_across_bars() -> None:
    b = bars([QUIET] + [(10, 11, 9, 10, 1000)] * 3)
    r = run([order(BUY, qty=250)], b, params(participation_rate=0.1))
    # 0.1 * 1000 = 100 shares a bar: 100, 100, then the last 50.
    assert r.fills["qty"].tolist() == [100.0, 100.0, 50.0] and r.fills["bar"].tolist() == [1, 2, 3]
    assert [s[0] for s in r.status_after] == [NEW, PART, PART, FILLED]
    assert r.fills["participation"].tolist() == pytest.approx([0.1, 0.1, 0.05])
    assert r.orders[0]["arrival_price"] == 10.0  # set once, on the first eligible bar


def test_two_orders_in_one_symbol_share_the_cap_oldest_first() -> None:
    b0 = bars([QUIET] + [(10, 11, 9, 10, 1000)] * 3)
    b1 = bars([QUIET] + [(20, 21, 19, 20, 1000)] * 3)
    specs = [order(BUY, qty=150), order(SELL, qty=100), order(BUY, qty=100, symbol=1)]
    r = run(specs, [b0, b1], params(participation_rate=0.1))
    by_order = {i: (r.fills["bar"][r.fills["order_id"] == i].tolist(), r.fills["qty"][r.fills["order_id"] == i].tolist())
                for i in (1, 2, 3)}
    # Symbol 0 allows 100 shares a bar in total. Bar 1: order 1 takes 100, order 2 gets none.
    # Bar 2: order 1 takes its last 50, order 2 the other 50. Bar 3: order 2 its last 50.
    assert by_order[1] == ([1, 2], [100.0, 50.0])
    assert by_order[2] == ([2, 3], [50.0, 50.0])
    # Symbol 1 has its own 100-share allowance: order 3 fills in full in bar 1.
    assert by_order[3] == ([1], [100.0])


def test_whole_share_orders_fill_whole_shares_fractional_orders_any_amount() -> None:
    b = bars([QUIET] + [(10, 11, 9, 10, 1005)] * 2)
    # 0.1 * 1005 = 100.5 available: a whole-share order gets 100, then its last 20.
    r = run([order(BUY, qty=120)], b, params(participation_rate=0.1))
    assert r.fills["qty"].tolist() == [100.0, 20.0]
    # A fractional order takes all 100.5, then the remaining 19.75.
    r = run([order(BUY, qty=120.25)], b, params(participation_rate=0.1))
    assert r.fills["qty"].tolist() == pytest.approx([100.5, 19.75])
    assert r.orders[0]["filled_qty"] == 120.25 and r.orders[0]["status"] == FILLED


def test_float_noise_in_the_cap_does_not_lose_a_share() -> None:
    assert 0.29 * 100 < 29  # 28.999999999999996 in binary floating point
    assert fill_quantity(1000.0, 0.29 * 100, True) == 29.0
    assert fill_quantity(1000.0, 28.6, True) == 28.0
    assert fill_quantity(10.0, 0.4, True) == 0.0  # less than one share available: no fill


def test_zero_volume_bar_fills_nothing_and_the_order_waits() -> None:
    b = bars([QUIET, (10, 10, 10, 10, 0), (11, 12, 10, 11, 1000)])
    r = run([order(BUY)], b, params(participation_rate=0.1))
    assert r.fills["bar"].tolist() == [1 + 1] and r.fills["qty"].tolist() == [100.0]


def test_working_is_compacted_in_order() -> None:
    b = bars([QUIET, (10, 11, 9.5, 10, 1000)])  # low 9.5: neither limit is reached
    specs = [order(BUY, OrderType.LIMIT, limit=9.0), order(BUY), order(BUY, OrderType.LIMIT, limit=8.0), order(SELL)]
    r = run(specs, b)
    assert r.working_after[1] == [1, 3]  # the two market orders filled, the limits keep their order


def test_terminal_orders_left_in_working_are_dropped_untouched() -> None:
    orders = orders_array([order(BUY), order(BUY)])
    orders["status"][0] = CANCELED  # e.g. cancelled by the caller since the last bar
    working = np.array([0, 1], dtype=np.int64)
    fills = np.zeros(2, FILL_DTYPE)
    row = np.array([10.0])
    n_working, n_fills = match_bar(1, orders, working, 2, row, row, row, row, np.array([1e6]), 1000, False,
                                   np.array([np.nan]), params(), fills, 0)
    assert (n_working, n_fills) == (0, 1) and fills["order_id"][0] == 2 and orders["filled_qty"][0] == 0


def test_too_small_fill_buffer_raises_before_changing_anything() -> None:
    orders = orders_array([order(BUY), order(BUY)])
    before = orders.copy()
    row = np.array([10.0])
    with pytest.raises(ValueError, match="fills buffer"):
        match_bar(1, orders, np.array([0, 1], dtype=np.int64), 2, row, row, row, row, np.array([1e6]), 1000, False,
                  np.array([np.nan]), params(), np.zeros(1, FILL_DTYPE), 0)
    assert orders.tobytes() == before.tobytes()

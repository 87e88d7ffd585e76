"""The end-price convention behind the opportunity cost (reports/costs.py module note), bar by bar."""

from __future__ import annotations

import numpy as np
from cost_kit import close_ts, fill_row, frames, order_row

from parity.engine.types import OrderStatus, TimeInForce
from parity.reports.costs import order_end_prices
from parity.reports.costs_prices import MarketPrices, session_numbers

BUY = 1
# Five daily bars; AAA closes 10, 11, 12, 13, 14; BBB is missing on bar 3.
CLOSE = np.array([[10.0, 50.0], [11.0, 51.0], [12.0, 52.0], [13.0, np.nan], [14.0, 54.0]])


def daily(close=CLOSE, session=None) -> MarketPrices:
    n = len(close)
    return MarketPrices(symbols=("AAA", "BBB"), close_ts=close_ts(n),
                        session=np.arange(n, dtype=np.int64) if session is None else np.asarray(session),
                        close=close, volume=None, bars_per_session=1.0, source="bars")


def unfilled(oid, bar, sym, tif):
    return order_row(oid, bar, sym, BUY, 10.0, CLOSE[bar, sym], np.nan, tif=tif, status=OrderStatus.EXPIRED)


def test_day_ioc_gtc_and_last_bar_orders():
    o, f = frames([
        unfilled(1, 1, 0, TimeInForce.DAY),  # arrives in bar 2, expires at its close -> 12
        unfilled(2, 0, 0, TimeInForce.IOC),  # arrival bar 1 -> 11
        unfilled(3, 0, 1, TimeInForce.GTC),  # next BBB order is decided on bar 2 -> close[2] = 52
        unfilled(4, 2, 1, TimeInForce.GTC),  # no later BBB order -> last bar -> 54
        unfilled(5, 4, 0, TimeInForce.DAY),  # decided on the last bar: nothing after -> decision price 14
        unfilled(6, 2, 1, TimeInForce.DAY),  # ends on bar 3 where BBB has no close -> last close before, 52
    ], [], equity=(1.0,) * 5)
    end = order_end_prices(o, f, daily())
    assert end.to_dict() == {1: 12.0, 2: 11.0, 3: 52.0, 4: 54.0, 5: 14.0, 6: 52.0}


def test_a_partly_filled_gtc_order_is_valued_no_earlier_than_its_last_fill():
    # GTC decided on bar 0, another AAA order on bar 1, but this one still filled in bar 3 -> close[3] = 13
    o, f = frames([unfilled(1, 0, 0, TimeInForce.GTC), unfilled(2, 1, 0, TimeInForce.DAY)],
                  [fill_row(1, 3, 0, BUY, 4.0, 13.0, 13.0)], equity=(1.0,) * 5)
    assert order_end_prices(o, f, daily())[1] == 13.0


def test_intraday_day_order_runs_to_its_session_end():
    # bars 0-2 are session 7, bars 3-4 session 8: decided on bar 0, arrives in bar 1, ends on bar 2 -> 12
    o, f = frames([unfilled(1, 0, 0, TimeInForce.DAY)], [], equity=(1.0,) * 5)
    assert order_end_prices(o, f, daily(session=[7, 7, 7, 8, 8]))[1] == 12.0


def test_session_numbers_follow_the_new_york_date():
    # 2010-01-04 14:30 and 21:00 UTC are the same New York session; 2010-01-05 14:30 UTC the next
    ts = np.array(["2010-01-04T14:30", "2010-01-04T21:00", "2010-01-05T14:30"], dtype="datetime64[ns]").astype(np.int64)
    s = session_numbers(ts)
    assert s[0] == s[1] and s[2] == s[1] + 1

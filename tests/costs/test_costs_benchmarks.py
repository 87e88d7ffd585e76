"""Stand-ins for the benchmarks a run through the Broker protocol cannot record (reports/costs_benchmarks.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from cost_kit import close_ts, fill_row, frames, order_row

from parity.engine.types import OrderType
from parity.reports.costs_benchmarks import complete_benchmarks
from parity.reports.costs_prices import MarketPrices

NAN = np.nan
# AAA opens 10, 11, (no trade), 13; volume 1,000 shares a bar
OPEN = np.array([[10.0, 20.0], [11.0, 21.0], [NAN, 22.0], [13.0, 23.0]])


def prices(with_bars: bool) -> MarketPrices:
    return MarketPrices(symbols=("AAA", "BBB"), close_ts=close_ts(4), session=np.arange(4), close=OPEN + 0.5,
                        volume=np.full((4, 2), 1000.0) if with_bars else None, bars_per_session=1.0,
                        source="bars" if with_bars else "records", open=OPEN if with_bars else None)


def paper_like():
    orders = [
        order_row(1, 0, 0, 1, 10.0, 10.2, NAN, filled=10.0),  # market buy, fills in bar 1
        order_row(2, 1, 0, 1, 10.0, 11.2, NAN, filled=10.0, otype=OrderType.LIMIT, limit=10.5),  # bar 2 has no trade
        order_row(3, 0, 1, -1, 10.0, 20.2, NAN, filled=10.0, otype=OrderType.LIMIT, limit=21.5),
        order_row(4, 0, 1, 1, 10.0, 20.2, 20.9),  # recorded arrival: kept
    ]
    for o in orders:
        o["arrival_at"] = o["created_at"]
    fills = [
        fill_row(1, 1, 0, 1, 10.0, 11.05, NAN, participation=NAN),
        fill_row(2, 3, 0, 1, 10.0, 10.5, NAN, participation=NAN),
        fill_row(3, 1, 1, -1, 10.0, 21.5, NAN, participation=0.5),
    ]
    return frames(orders, fills, equity=(1.0,) * 4)


def test_with_bars_the_opens_stand_in():
    o, f = complete_benchmarks(*paper_like(), prices(with_bars=True))
    # arrival: open of the first tradable bar after the decision: order 1 -> bar 1 (11); order 2 -> bar 2 has
    # no AAA trade -> bar 3 (13); order 3 -> BBB bar 1 (21); order 4 keeps its recorded 20.9
    np.testing.assert_allclose(o["arrival_price"], [11.0, 13.0, 21.0, 20.9])
    assert o["arrival_estimated"].tolist() == [True, True, True, False]
    # reference: the fill bar's open (11; 13 for the buy limit held to its 10.5 limit -> min(13, 10.5) = 10.5;
    # the sell limit at 21.5 -> max(21, 21.5) = 21.5)
    np.testing.assert_allclose(f["reference_price"], [11.0, 10.5, 21.5])
    assert f["reference_estimated"].all()
    # participation: 10 / 1,000 shares; a recorded value is kept
    np.testing.assert_allclose(f["participation"], [0.01, 0.01, 0.5])


def test_without_bars_the_fills_stand_in():
    o, f = complete_benchmarks(*paper_like(), prices(with_bars=False))
    # arrival: the first fill's price (no reference recorded either); order 4 has no fill and no bars: NaN
    np.testing.assert_allclose(o["arrival_price"], [11.05, 10.5, 21.5, 20.9])
    # reference: the order's arrival (all of execution counts as slippage)
    np.testing.assert_allclose(f["reference_price"], [11.05, 10.5, 21.5])
    assert np.isnan(f["participation"].iloc[0]) and f["participation"].iloc[2] == 0.5


def test_a_complete_backtest_record_is_left_alone():
    o, f = frames([order_row(1, 0, 0, 1, 10.0, 10.2, 10.4, filled=10.0)], [fill_row(1, 1, 0, 1, 10.0, 10.41, 10.4)],
                  equity=(1.0,) * 4)
    o2, f2 = complete_benchmarks(o, f, prices(with_bars=True))
    pd.testing.assert_frame_equal(o2.drop(columns="arrival_estimated"), o)
    pd.testing.assert_frame_equal(f2.drop(columns="reference_estimated"), f)

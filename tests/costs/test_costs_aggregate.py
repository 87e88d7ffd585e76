"""Aggregates, headline figures, break-even cost and cost drag on the hand-built orders of
test_costs_attribution (every number below follows from the totals worked out there)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from cost_kit import T0, close_ts, fill_row, frames, order_row, records
from test_costs_attribution import hand_built

from parity.engine.types import OrderStatus
from parity.reports.costs import attribute_orders
from parity.reports.costs_aggregate import add_context, cost_by, cost_drag, cost_summary, cost_tables
from parity.reports.costs_prices import MarketPrices

# Order totals from test_costs_attribution: 1 AAA buy 12.35 (notional 5000), 2 BBB sell 45.80 (4000),
# 3 AAA buy 20.00 (500, unfilled), 4 BBB buy -9.50 (1000).
EQUITY = (1000.0, 1050.0, 1100.0)


def flat_prices(n_bars: int = 3, session=None, bars_per_session: float = 1.0, close=None) -> MarketPrices:
    return MarketPrices(symbols=("AAA", "BBB"), close_ts=close_ts(n_bars),
                        session=np.arange(n_bars) if session is None else np.asarray(session),
                        close=np.full((n_bars, 2), 100.0) if close is None else close, volume=None,
                        bars_per_session=bars_per_session, source="bars")


def attribution() -> pd.DataFrame:
    o, f, end = hand_built()
    return add_context(attribute_orders(o, f, end), flat_prices(), vol_lookback=2)


def test_groupings_sum_dollars_and_weight_bps_by_notional():
    a = attribution()
    by_symbol = cost_by(a, "symbol")
    # AAA: 12.35 + 20.00 = 32.35 on 5500 -> 58.818 bps; BBB: 45.80 - 9.50 = 36.30 on 5000 -> 72.6 bps
    assert by_symbol.loc["AAA", "total"] == pytest.approx(32.35)
    assert by_symbol.loc["AAA", "total_bps"] == pytest.approx(32.35 / 5500 * 1e4)
    assert by_symbol.loc["BBB", "total_bps"] == pytest.approx(72.6)
    assert list(by_symbol["orders"]) == [2, 2] and list(by_symbol["filled_orders"]) == [1, 2]
    by_side = cost_by(a, "side")
    # buys 1, 3, 4: 12.35 + 20 - 9.5 = 22.85 on 6500; sells: order 2 alone
    assert by_side.loc["buy", "total"] == pytest.approx(22.85)
    assert by_side.loc["sell", "opportunity_bps"] == pytest.approx(37.5)
    for table in cost_tables(a).values():  # every grouping accounts for every dollar
        assert table["total"].sum() == pytest.approx(a["total"].sum())
        np.testing.assert_allclose(table["total_bps"], table[["delay_bps", "execution_bps", "fees_bps",
                                                              "opportunity_bps"]].sum(axis=1), rtol=1e-12)
    assert "time_of_day" not in cost_tables(a)  # daily bars
    # participation 0.01 on every fill -> "1-2.5%"; order 3 has no fills
    assert a.loc[[1, 2, 3], "participation_bucket"].tolist() == ["1-2.5%", "1-2.5%", "no fills"]
    assert set(a["month"]) == {"2010-01"}


def test_headline_break_even_and_cost_share():
    o, f, end = hand_built()
    a = attribute_orders(o, f, end)
    s = cost_summary(a, records([], [], equity=EQUITY).equity_frame())
    # net 1100 - 1000 = 100; charged = fees (0.35 + 0.90) + slippage (2.00 + 2.90 + 0.50) = 6.65; gross 106.65
    assert s["net_pnl"] == pytest.approx(100.0)
    assert s["costs_charged"] == pytest.approx(6.65)
    assert s["gross_pnl"] == pytest.approx(106.65)
    assert s["cost_share_of_gross_pnl"] == pytest.approx(6.65 / 106.65)
    # trades = orders 1, 2, 4; traded = 100*50.12 + (120*19.88 + 50*19.69) + 10*99.05 = 5012 + 3370.1 + 990.5
    traded = 5012.0 + 3370.1 + 990.5
    assert s["trades"] == 3 and s["traded_notional"] == pytest.approx(traded)
    assert s["break_even_cost_per_trade"] == pytest.approx(106.65 / 3)
    assert s["break_even_cost_bps"] == pytest.approx(106.65 / traded * 1e4)
    # at the break-even cost per trade, net P&L is zero
    assert s["gross_pnl"] - s["trades"] * s["break_even_cost_per_trade"] == pytest.approx(0.0, abs=1e-9)
    assert s["shortfall_total"] == pytest.approx(12.35 + 45.80 + 20.00 - 9.50)
    assert s["shortfall_total_bps"] == pytest.approx(68.65 / 10_500 * 1e4)


def test_cost_drag_accumulates_fees_and_slippage_at_the_fill_bars():
    _, f, _ = hand_built()
    drag = cost_drag(f, records([], [], equity=EQUITY).equity_frame())
    # bar 1 fills: fees 0.35 + 0.51, slippage 2.00 + 2.40; bar 2: fees 0.39, slippage 0.50 + 0.50
    np.testing.assert_allclose(drag["cum_fees"], [0.0, 0.86, 1.25])
    np.testing.assert_allclose(drag["cum_slippage"], [0.0, 4.40, 5.40])
    np.testing.assert_allclose(drag["equity_before_costs"], [1000.0, 1050.0 + 5.26, 1100.0 + 6.65])
    assert drag["drag"].iloc[-1] == pytest.approx(6.65 / 1000.0)


def test_volatility_and_time_of_day_buckets():
    # AAA alternates 100, 102: log returns +-ln(1.02); a 2-return window has sd ln(1.02) * sqrt(2) = 2.80%
    close = np.array([[100.0, 100.0], [102.0, 100.0], [100.0, 100.0], [102.0, 100.0], [100.0, 100.0]])
    o, f = frames([order_row(1, 2, 0, 1, 10.0, 100.0, 102.0, filled=10.0)],
                  [fill_row(1, 3, 0, 1, 10.0, 102.0, 102.0)], equity=(1.0,) * 5)
    a = add_context(attribute_orders(o, f), flat_prices(5, close=close), vol_lookback=2)
    assert a.loc[1, "daily_vol"] == pytest.approx(np.log(1.02) * np.sqrt(2))
    assert a.loc[1, "vol_bucket"] == "2-3%"
    # intraday: the first fill at 14:47 UTC is 09:47 New York -> the 09:30 half hour
    f = f.assign(ts=pd.to_datetime([T0 - 6 * 3600 * 10**9 - 13 * 60 * 10**9], utc=True))
    a = add_context(attribute_orders(o, f), flat_prices(5, session=[0] * 5, bars_per_session=78.0), 2)
    assert a.loc[1, "time_of_day"] == "09:30"
    assert "time_of_day" in cost_tables(a)


def test_an_unfilled_order_only_has_opportunity_cost():
    o, f = frames([order_row(1, 0, 0, 1, 10.0, 100.0, 101.0, status=OrderStatus.EXPIRED)], [])
    a = attribute_orders(o, f, pd.Series({1: 103.0}))
    assert a.loc[1, ["delay", "execution", "fees"]].tolist() == [0.0, 0.0, 0.0]
    assert a.loc[1, "opportunity"] == pytest.approx(30.0)  # 10 * (103 - 100)

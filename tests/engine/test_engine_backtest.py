"""The compiled loop on a 3-bar, 1-symbol fixture worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from parity.brokers.sim.backtest import run_backtest, session_ends
from parity.engine.config.schema import ParityConfig
from parity.engine.data.bars import Bars
from parity.engine.signals import SignalSet
from parity.engine.types import OrderStatus, RiskRule

DAY = 86_400 * 10**9
OPEN_OFFSET = 14 * 3_600 * 10**9 + 30 * 60 * 10**9  # 14:30 UTC
SESSION = 390 * 60 * 10**9


def hand_bars(opens, closes, volume=1e6) -> Bars:
    t = len(opens)
    col = lambda v: np.asarray(v, dtype=np.float64).reshape(t, 1)  # noqa: E731
    o, c = col(opens), col(closes)
    open_ts = np.arange(t, dtype=np.int64) * DAY + OPEN_OFFSET
    return Bars(symbols=("AAA",), sectors=("Tech",), open_ts=open_ts, close_ts=open_ts + SESSION,
                session=np.arange(t, dtype=np.int64), open=o, high=np.maximum(o, c) + 1, low=np.minimum(o, c) - 1,
                close=c, volume=np.full((t, 1), volume))


CFG = ParityConfig.model_validate({
    "position_sizing": {"max_position_size": 0.1, "min_trade_size": 0, "signal_threshold": 0.1},
    "risk_management": {"stop_orders": False, "max_position_risk": 1.0},  # stops: tests/risk/
    "simulation": {"initial_cash": 100_000, "fill": {"participation_rate": 1.0},
                   "slippage": {"fixed_bps": 10, "half_spread_bps": 0, "impact_coef": 0},
                   "latency": {"submit_ms": 0, "fill_ms": 0},
                   "fees": {"commission_per_share": 0.01, "commission_min": 0, "sec_fee_rate": 0, "taf_per_share": 0}},
})


def test_three_bars_by_hand():
    bars = hand_bars([10, 11, 12], [10.5, 11.5, 12.5])
    signals = SignalSet(np.array([[1.0], [1.0], [np.nan]]), np.array(["", "", ""]))
    r = run_backtest(bars, signals, CFG, "hand")
    # bar 0: equity 100,000; target 1.0 * 0.1 * 100,000 / 10.5 = 952.38 -> buy 952
    # bar 1: fill 952 @ 11 * 1.001 = 11.011, commission 9.52:
    #        cash 100,000 - 10,482.472 - 9.52 = 89,508.008; equity 89,508.008 + 952 * 11.5 = 100,456.008
    #        target 0.1 * 100,456.008 / 11.5 = 873.53 -> 873: sell 79
    # bar 2: fill 79 @ 12 * 0.999 = 11.988, commission 0.79: cash 89,508.008 + 947.052 - 0.79 = 90,454.27
    #        equity 90,454.27 + 873 * 12.5 = 101,366.77; NaN score: hold 873, but 10,912.5 is above the
    #        10% cap (10,136.677): the risk review trims to 10,136.677 / 12.5 = 810.9 -> 810, sell 63
    assert r.orders[["side", "qty", "bar"]].tolist() == [(1, 952.0, 0), (-1, 79.0, 1), (-1, 63.0, 2)]
    assert r.orders["status"].tolist() == [OrderStatus.FILLED, OrderStatus.FILLED, OrderStatus.NEW]
    assert r.risk_events[["bar", "rule", "requested", "allowed"]].tolist() == [(2, RiskRule.POSITION_SIZE, 873.0, 810.0)]
    assert r.orders["decision_price"].tolist() == [10.5, 11.5, 12.5]
    assert r.orders["arrival_price"][:2].tolist() == [11.0, 12.0] and np.isnan(r.orders["arrival_price"][2])
    assert r.orders["arrival_at"].tolist() == r.orders["created_at"].tolist() == bars.close_ts.tolist()
    np.testing.assert_allclose(r.fills["price"], [11.011, 11.988], rtol=1e-15)
    np.testing.assert_allclose(r.fills["commission"], [9.52, 0.79], rtol=1e-12)
    assert r.fills["bar"].tolist() == [1, 2] and r.fills["ts"].tolist() == bars.open_ts[1:].tolist()
    np.testing.assert_allclose(r.equity["cash"], [100_000, 89_508.008, 90_454.27], rtol=1e-13)
    np.testing.assert_allclose(r.equity["equity"], [100_000, 100_456.008, 101_366.77], rtol=1e-13)
    np.testing.assert_allclose(r.equity["gross_exposure"], [0, 10_948 / 100_456.008, 10_912.5 / 101_366.77])
    assert r.positions[:, 0].tolist() == [0.0, 952.0, 873.0]
    assert r.equity["ts"].tolist() == bars.close_ts.tolist()


def test_a_symbol_that_stops_trading_is_marked_at_its_last_close_and_not_traded():
    bars = hand_bars([10, 11, np.nan, 12], [10.5, 11.5, np.nan, 12.5])
    signals = SignalSet(np.array([[1.0], [1.0], [0.0], [np.nan]]), np.array([""] * 4))
    r = run_backtest(bars, signals, CFG, "gap")
    assert r.close[2, 0] == 11.5  # carried mark
    assert r.equity["equity"][2] == pytest.approx(r.equity["cash"][2] + 952 * 11.5)
    # bar 2 has no price: its score (0 -> flat) cannot be acted on, and the DAY sell of 79 decided on
    # bar 1 cannot trade in bar 2's session, so it expires. Bar 3's NaN score holds 952 shares, which
    # the position cap trims (a new order on bar 3).
    assert r.orders["bar"].tolist() == [0, 1, 3]
    assert r.orders["status"].tolist()[:2] == [OrderStatus.FILLED, OrderStatus.EXPIRED]
    assert r.fills["bar"].tolist() == [1]


def test_scores_of_the_wrong_shape_are_refused():
    bars = hand_bars([10, 11], [10.5, 11.5])
    with pytest.raises(ValueError, match="generate the signals from the same bars"):
        run_backtest(bars, SignalSet(np.zeros((3, 1)), np.array([""] * 3)), CFG, "bad")


def test_session_ends_marks_the_last_bar_of_each_session():
    assert session_ends(np.array([0, 0, 1, 1, 1, 2])).tolist() == [False, True, False, False, True, True]

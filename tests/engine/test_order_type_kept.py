"""A triggered stop keeps its type (stop); how it executed is the separate `executed_as` column.

Fixture (one symbol, worked out by hand): bar 0 buys 952 shares (0.5 * 0.2 * 100,000 / 10.5), filled
at bar 1's open 11 * 1.001 = 11.011; bar 1 rests a protective GTC stop for 952 at
11.011 * 0.95 = 10.46045 -> 10.46 (rounded down to the cent). Bar 2 gaps down to 10: the stop
triggers and fills at the open, 10 * 0.999 = 9.99, but only 500 shares (participation 0.001 of a
500,000 volume). Bar 3 stays above the stop (low 10.8): the triggered remainder of 452 still fills at
its open, 11 * 0.999 = 10.989, as the market order it became.
"""

from __future__ import annotations

import numpy as np
import pytest

from parity.brokers.sim.backtest import run_backtest
from parity.brokers.sim.broker import SimBroker
from parity.engine.config.schema import ParityConfig
from parity.engine.data.bars import Bars
from parity.engine.signals import SignalSet
from parity.engine.stepper import run_stepped
from parity.engine.types import OrderReason, OrderStatus, OrderType

from test_engine_backtest import DAY, OPEN_OFFSET, SESSION

CFG = ParityConfig.model_validate({
    "position_sizing": {"max_position_size": 0.2, "min_trade_size": 0, "signal_threshold": 0.1},
    "risk_management": {"stop_orders": True, "stop_loss_pct": 0.05, "max_position_risk": 1.0},
    "simulation": {"initial_cash": 100_000, "fill": {"participation_rate": 0.001},
                   "slippage": {"fixed_bps": 10, "half_spread_bps": 0, "impact_coef": 0},
                   "latency": {"submit_ms": 0, "fill_ms": 0},
                   "fees": {"commission_per_share": 0, "commission_min": 0, "sec_fee_rate": 0, "taf_per_share": 0}},
})


def stop_bars() -> Bars:
    ohlcv = np.array([  # open, high, low, close, volume
        [10.0, 10.6, 9.9, 10.5, 1e6],
        [11.0, 11.6, 10.9, 11.5, 1e6],
        [10.0, 10.3, 9.8, 10.2, 5e5],  # gaps through the 10.46 stop
        [11.0, 11.5, 10.8, 11.2, 1e6],  # never reaches it again
    ])
    col = lambda k: ohlcv[:, k].reshape(-1, 1).copy()  # noqa: E731
    open_ts = np.arange(4, dtype=np.int64) * DAY + OPEN_OFFSET
    return Bars(symbols=("AAA",), sectors=("Tech",), open_ts=open_ts, close_ts=open_ts + SESSION,
                session=np.arange(4, dtype=np.int64), open=col(0), high=col(1), low=col(2), close=col(3),
                volume=col(4))


SIGNALS = SignalSet(np.array([[0.5], [np.nan], [np.nan], [np.nan]]), np.array([""] * 4))


def test_a_triggered_stop_keeps_type_stop_and_is_recorded_as_executed_at_market():
    r = run_backtest(stop_bars(), SIGNALS, CFG, "stop")
    assert r.orders[["side", "qty", "bar", "reason"]].tolist() == [(1, 952.0, 0, OrderReason.REBALANCE),
                                                                 (-1, 952.0, 1, OrderReason.STOP_LOSS)]
    assert r.orders["type"].tolist() == [OrderType.MARKET, OrderType.STOP]
    assert r.orders["stop_price"][1] == 10.46
    assert r.orders["triggered"].tolist() == [False, True]
    assert r.orders["status"].tolist() == [OrderStatus.FILLED, OrderStatus.FILLED]
    # the remainder filled at bar 3's open although bar 3 never reached the stop
    assert r.fills[["order_id", "bar", "qty", "reference_price"]].tolist() == [
        (1, 1, 952.0, 11.0), (2, 2, 500.0, 10.0), (2, 3, 452.0, 11.0)]
    np.testing.assert_allclose(r.fills["price"], [11.011, 9.99, 10.989], rtol=1e-15)
    frame = r.orders_frame()
    assert frame["type"].tolist() == ["market", "stop"]
    assert frame["executed_as"].tolist() == ["", "market"]


def test_the_stepped_loop_records_the_same_type_and_execution():
    compiled = run_backtest(stop_bars(), SIGNALS, CFG, "stop")
    stepped = run_stepped(stop_bars(), SIGNALS, CFG, SimBroker(stop_bars(), CFG), "stop")
    for name in ("type", "triggered", "status", "filled_qty"):
        assert stepped.orders[name].tolist() == compiled.orders[name].tolist(), name
    assert stepped.orders_frame()["executed_as"].tolist() == ["", "market"]


def test_an_untriggered_stop_has_no_execution():
    bars = stop_bars()
    calm = Bars(symbols=bars.symbols, sectors=bars.sectors, open_ts=bars.open_ts, close_ts=bars.close_ts,
                session=bars.session, open=bars.open[[0, 1, 1, 1]], high=bars.high[[0, 1, 1, 1]],
                low=bars.low[[0, 1, 1, 1]], close=bars.close[[0, 1, 1, 1]], volume=bars.volume[[0, 1, 1, 1]])
    r = run_backtest(calm, SIGNALS, CFG, "calm")
    assert r.orders["type"].tolist() == [OrderType.MARKET, OrderType.STOP]
    assert r.orders_frame()["executed_as"].tolist() == ["", ""]
    assert r.orders["status"].tolist() == [OrderStatus.FILLED, OrderStatus.NEW]


@pytest.mark.parametrize("otype, executed", [(OrderType.STOP, "market"), (OrderType.STOP_LIMIT, "limit")])
def test_a_stop_filled_in_a_paper_run_is_shown_as_executed(otype, executed):
    """Paper records (parity/live_records.py) carry no trigger flag: a stop with a fill has triggered."""
    r = run_backtest(stop_bars(), SIGNALS, CFG, "stop")
    orders = r.orders.copy()
    orders["triggered"] = False
    orders["type"][1] = int(otype)
    frame = type(r)(symbols=r.symbols, sectors=r.sectors, run_key=r.run_key, orders=orders, fills=r.fills,
                    equity=r.equity, positions=r.positions, close=r.close, risk_events=r.risk_events).orders_frame()
    assert frame["executed_as"].tolist() == ["", executed]

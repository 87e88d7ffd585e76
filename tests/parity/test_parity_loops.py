"""Parity: the compiled backtest and the stepped loop (SimBroker behind the Broker protocol) make
identical decisions and end with identical orders, fills, positions, cash and risk events.

Each config below exercises a different path: fees and constant latency; limit GTC orders with a
tight participation cap (partial fills, cancel/replace of stale remainders) and random latency;
marketable IOC limits with fractional shares and shorts; intraday bars where DAY orders expire at
each session's end; and a max_orders_per_bar small enough to bind.
"""

from __future__ import annotations

import numpy as np
import pytest

from parity.brokers.sim.backtest import run_backtest
from parity.brokers.sim.broker import SimBroker
from parity.engine.stepper import run_stepped
from parity.engine.types import OrderStatus, RiskRule

from parity_kit import bars, config, random_signals

# Fields the Broker protocol does not carry back to the stepped loop (see engine/stepper.py); `type`:
# the venue turns a triggered STOP into MARKET (brokers/sim/matching.py), the stepper keeps the type sent.
_ORDER_FIELDS_NOT_REPORTED = {"arrival_at", "arrival_price", "type"}
_FILL_FIELDS_NOT_REPORTED = {"reference_price", "participation"}

CASES = {
    "market_day_with_fees": dict(),
    "limit_gtc_partial_random_latency": dict(
        order_management={"default_order_type": "limit", "limit_price_offset": 0.002, "time_in_force": "gtc"},
        simulation={"fill": {"participation_rate": 0.00005}, "latency": {"distribution": "lognormal"}},
        position_sizing={"allow_short": True, "min_trade_size": 0}),
    "ioc_marketable_fractional_short": dict(
        order_management={"default_order_type": "limit", "limit_price_offset": -0.003, "time_in_force": "ioc"},
        position_sizing={"allow_short": True, "fractional_shares": True, "max_total_exposure": 0.3},
        simulation={"latency": {"distribution": "exponential"}}),
    "intraday_day_orders_expire": dict(
        order_management={"default_order_type": "limit", "limit_price_offset": 0.004, "time_in_force": "day"},
        simulation={"fill": {"participation_rate": 0.001}}),
    "max_orders_per_bar_binds": dict(order_management={"max_orders_per_bar": 2}),
}


def _assert_same_run(compiled, stepped, broker):
    assert len(compiled.orders) == len(stepped.orders) > 0
    for name in compiled.orders.dtype.names:
        if name not in _ORDER_FIELDS_NOT_REPORTED:
            np.testing.assert_array_equal(compiled.orders[name], stepped.orders[name], err_msg=f"orders.{name}")
    assert len(compiled.fills) == len(stepped.fills) > 0
    for name in compiled.fills.dtype.names:
        if name not in _FILL_FIELDS_NOT_REPORTED:
            np.testing.assert_array_equal(compiled.fills[name], stepped.fills[name], err_msg=f"fills.{name}")
    assert compiled.equity.tobytes() == stepped.equity.tobytes()  # cash, equity, exposures: bit for bit
    assert compiled.positions.tobytes() == stepped.positions.tobytes()
    assert compiled.close.tobytes() == stepped.close.tobytes()
    assert compiled.risk_events.tobytes() == stepped.risk_events.tobytes()
    # the venue's own view of the stepped run, including what the protocol does not carry
    assert broker.order_records().tobytes() == compiled.orders.tobytes()
    assert broker.fill_records().tobytes() == compiled.fills.tobytes()


@pytest.mark.parametrize("case", list(CASES))
def test_compiled_and_stepped_loops_agree(case):
    b = bars(n_bars=40, n_symbols=6, seed=7, timeframe="15Min" if case.startswith("intraday") else "1Day")
    cfg = config(**CASES[case])
    signals = random_signals(b, seed=1)
    compiled = run_backtest(b, signals, cfg, "par")
    broker = SimBroker(b, cfg)
    stepped = run_stepped(b, signals, cfg, broker, "par")
    _assert_same_run(compiled, stepped, broker)
    statuses = set(compiled.orders["status"].tolist())
    if case.startswith("limit_gtc"):
        assert OrderStatus.CANCELED in statuses  # stale remainders were replaced
        assert (compiled.fills["qty"] < compiled.orders["qty"][compiled.fills["order_id"] - 1]).any()  # partials
    if case.startswith("intraday"):
        assert OrderStatus.EXPIRED in statuses
    if case.startswith("ioc"):
        assert (compiled.positions < 0).any() and (compiled.fills["qty"] % 1 != 0).any()
    if case.startswith("max_orders"):
        assert (compiled.risk_events["rule"] == RiskRule.MAX_ORDERS_PER_BAR).any()

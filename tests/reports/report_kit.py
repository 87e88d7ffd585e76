"""A tiny hand-made run for the report tests: 4 bars, 2 symbols, 3 orders, 2 fills, 2 risk events.

Equity 1000 -> 1100 -> 990 -> 1089: returns +10%, -10%, +10%.
Fills: buy 10 AAA at 100.00 (reference 99.90), sell 5 BBB at 110.00 (reference 110.10).
"""

from __future__ import annotations

import numpy as np

from parity.engine.data.bars import Bars
from parity.engine.records import RunRecords
from parity.engine.signals import SignalSet
from parity.engine.types import (
    EQUITY_DTYPE,
    FILL_DTYPE,
    ORDER_DTYPE,
    RISK_EVENT_DTYPE,
    OrderStatus,
    OrderType,
    RiskAction,
    RiskRule,
    TimeInForce,
)

DAY_NS = 86_400 * 10**9
T0 = 1_262_620_800 * 10**9  # 2010-01-04 16:00 UTC... only the spacing matters here
EQUITY = (1000.0, 1100.0, 990.0, 1089.0)
SYMBOLS = ("AAA", "BBB")
SECTORS = ("Tech", "Energy")


def tiny_bars() -> Bars:
    t, n = len(EQUITY), len(SYMBOLS)
    close = np.array([[100.0, 110.0], [101.0, 111.0], [99.0, 109.0], [102.0, 112.0]])
    ts = T0 + np.arange(t, dtype=np.int64) * DAY_NS
    return Bars(
        symbols=SYMBOLS, sectors=SECTORS, open_ts=ts - 6 * 3600 * 10**9, close_ts=ts,
        session=np.arange(t, dtype=np.int64), open=close.copy(), high=close + 1.0, low=close - 1.0,
        close=close, volume=np.full((t, n), 1e5),
        notes=("AAA: 2-for-1 split on 2010-01-05 adjusted", "missing session 2010-01-06 for BBB"),
    )


def tiny_records() -> RunRecords:
    ts = T0 + np.arange(len(EQUITY), dtype=np.int64) * DAY_NS
    orders = np.zeros(3, dtype=ORDER_DTYPE)
    # (id, bar, symbol, side, qty, filled, status)
    for row, (oid, bar, sym, side, qty, filled, status) in enumerate((
        (1, 0, 0, 1, 10.0, 10.0, OrderStatus.FILLED),
        (2, 1, 1, -1, 10.0, 5.0, OrderStatus.CANCELED),
        (3, 2, 0, 1, 4.0, 0.0, OrderStatus.EXPIRED),
    )):
        o = orders[row]
        o["order_id"], o["bar"], o["symbol"], o["side"] = oid, bar, sym, side
        o["type"], o["tif"], o["status"] = OrderType.MARKET, TimeInForce.DAY, status
        o["qty"], o["filled_qty"] = qty, filled
        o["limit_price"] = o["stop_price"] = np.nan
        o["created_at"], o["arrival_at"] = ts[bar], ts[bar] + 50_000_000
        o["decision_price"], o["arrival_price"] = 100.0, 100.0
    fills = np.zeros(2, dtype=FILL_DTYPE)
    for row, (oid, bar, sym, side, qty, price, ref, comm, sec, taf) in enumerate((
        (1, 1, 0, 1, 10.0, 100.00, 99.90, 0.35, 0.0, 0.0),
        (2, 2, 1, -1, 5.0, 110.00, 110.10, 0.35, 550.0 * 27.8e-6, 5 * 0.000166),
    )):
        f = fills[row]
        f["order_id"], f["bar"], f["symbol"], f["side"], f["qty"] = oid, bar, sym, side, qty
        f["price"], f["reference_price"] = price, ref
        f["commission"], f["sec_fee"], f["taf_fee"] = comm, sec, taf
        f["ts"] = f["reported_at"] = ts[bar] - 6 * 3600 * 10**9
        f["participation"] = qty / 1e5
    equity = np.zeros(len(EQUITY), dtype=EQUITY_DTYPE)
    equity["ts"] = ts
    equity["equity"] = EQUITY
    equity["cash"] = (1000.0, 100.0, 100.0, 100.0)
    equity["gross_exposure"] = (0.0, 0.9, 0.95, 0.9)
    equity["net_exposure"] = (0.0, 0.9, 0.5, 0.6)
    positions = np.zeros((len(EQUITY), 2))
    positions[1:, 0] = 10.0
    positions[2:, 1] = -5.0
    risk = np.zeros(2, dtype=RISK_EVENT_DTYPE)
    risk["bar"] = (1, 2)
    risk["ts"] = ts[1:3]
    risk["symbol"] = (0, -1)
    risk["rule"] = (RiskRule.POSITION_SIZE, RiskRule.DAILY_LOSS)
    risk["action"] = (RiskAction.SCALED, RiskAction.REFUSED)
    risk["requested"] = (20.0, 0.03)
    risk["allowed"] = (10.0, 0.02)
    return RunRecords(symbols=SYMBOLS, sectors=SECTORS, run_key="abc123", orders=orders, fills=fills,
                      equity=equity, positions=positions, close=tiny_bars().close, risk_events=risk)


def tiny_signals(with_diagnostics: bool = True) -> SignalSet:
    import pandas as pd

    scores = np.array([[np.nan, np.nan], [0.5, -0.5], [0.2, -0.8], [1.0, 0.0]])
    diagnostics = {}
    if with_diagnostics:
        diagnostics = {
            "feature_importance": pd.DataFrame({"feature": ["mom_60", "vol_20", "rsi_14"], "gain": [3.0, 1.5, 0.5]}),
            "ic_per_retrain": pd.DataFrame({"model_version": ["m1", "m2"], "ic": [0.04, -0.01], "rank_ic": [0.05, 0.0]}),
            "ic_per_bar": pd.DataFrame({"ts": tiny_bars().index, "ic": [np.nan, 0.1, -0.2, 0.3], "n": [0, 2, 2, 2]}),
        }
    return SignalSet(scores=scores, model_version=np.array(["", "m1", "m1", "m2"]), diagnostics=diagnostics)

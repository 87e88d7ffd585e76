"""Builders for hand-made orders/fills frames with the exact schema of engine/records.py.

Rows go through the record dtypes and RunRecords.*_frame(), so the tests see what a run writes.
Times: bar t closes at T0 + t days (decisions), opens 6.5 hours earlier (fills).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from parity.engine.records import RunRecords
from parity.engine.types import EQUITY_DTYPE, FILL_DTYPE, ORDER_DTYPE, RISK_EVENT_DTYPE, OrderStatus, OrderType, TimeInForce

DAY_NS = 86_400 * 10**9
T0 = 1_262_638_800 * 10**9  # 2010-01-04 21:00 UTC (16:00 New York): close of bar 0
OPEN_OFFSET_NS = 23_400 * 10**9  # a session is 6.5 hours
SUBMIT_NS = 50_000_000


def close_ts(n_bars: int) -> np.ndarray:
    return T0 + np.arange(n_bars, dtype=np.int64) * DAY_NS


def order_row(order_id: int, bar: int, symbol: int, side: int, qty: float, decision: float, arrival: float, *,
              filled: float = 0.0, otype: OrderType = OrderType.MARKET, tif: TimeInForce = TimeInForce.DAY,
              limit: float = np.nan, status: OrderStatus = OrderStatus.FILLED) -> dict:
    return dict(order_id=order_id, bar=bar, symbol=symbol, side=side, type=int(otype), tif=int(tif), reason=0,
                status=int(status), qty=qty, filled_qty=filled, limit_price=limit, stop_price=np.nan,
                created_at=T0 + bar * DAY_NS, arrival_at=T0 + bar * DAY_NS + SUBMIT_NS,
                decision_price=decision, arrival_price=arrival)


def fill_row(order_id: int, bar: int, symbol: int, side: int, qty: float, price: float, reference: float, *,
             commission: float = 0.0, sec_fee: float = 0.0, taf_fee: float = 0.0, participation: float = 0.01) -> dict:
    ts = T0 + bar * DAY_NS - OPEN_OFFSET_NS
    return dict(order_id=order_id, bar=bar, symbol=symbol, side=side, qty=qty, price=price, reference_price=reference,
                commission=commission, sec_fee=sec_fee, taf_fee=taf_fee, ts=ts, reported_at=ts + 20_000_000,
                participation=participation)


def records(orders: list[dict], fills: list[dict], symbols: tuple[str, ...] = ("AAA", "BBB"),
            sectors: tuple[str, ...] = ("Tech", "Energy"), equity: tuple[float, ...] = (1000.0, 1000.0, 1000.0),
            close: np.ndarray | None = None) -> RunRecords:
    n_bars = len(equity)
    o = np.zeros(len(orders), dtype=ORDER_DTYPE)
    for i, row in enumerate(orders):
        for k, v in row.items():
            o[i][k] = v
    f = np.zeros(len(fills), dtype=FILL_DTYPE)
    for i, row in enumerate(fills):
        for k, v in row.items():
            f[i][k] = v
    e = np.zeros(n_bars, dtype=EQUITY_DTYPE)
    e["ts"] = close_ts(n_bars)
    e["equity"] = equity
    e["cash"] = equity
    if close is None:
        close = np.full((n_bars, len(symbols)), 100.0)
    return RunRecords(symbols=symbols, sectors=sectors, run_key="test", orders=o, fills=f, equity=e,
                      positions=np.zeros((n_bars, len(symbols))), close=close,
                      risk_events=np.zeros(0, dtype=RISK_EVENT_DTYPE))


def frames(orders: list[dict], fills: list[dict], **kw) -> tuple[pd.DataFrame, pd.DataFrame]:
    rec = records(orders, fills, **kw)
    return rec.orders_frame(), rec.fills_frame()

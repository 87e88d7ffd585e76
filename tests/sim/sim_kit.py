"""Small builders for the SimBroker kernel tests: hand-made orders, bars and a driver loop.

Bar t opens at t * BAR_NS and closes at t * BAR_NS + BAR_NS // 2; an order decided on bar t is
created at that close and, by default, arrives LATENCY_NS later (before bar t+1 opens).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parity.brokers.sim.matching import match_bar
from parity.brokers.sim.params import SimParams
from parity.engine.types import FILL_DTYPE, ORDER_DTYPE, OrderStatus, OrderType, Side, TimeInForce

BAR_NS = 1_000
LATENCY_NS = 50

FREE = SimParams(  # a frictionless venue: tests switch on the one cost they check
    participation_rate=1.0,
    limit_fill_mode=0,
    fixed_bps=0.0,
    half_spread_bps=0.0,
    impact_coef=0.0,
    submit_ns=0,
    ack_ns=0,
    fill_ns=0,
    latency_dist=0,
    lognormal_sigma=0.5,
    commission_per_share=0.0,
    commission_min=0.0,
    sec_fee_rate=0.0,
    taf_per_share=0.0,
    taf_max=0.0,
)


def params(**changes: float) -> SimParams:
    """FREE with some fields changed, coerced to the field's type (one numba specialisation)."""
    coerced = {k: type(getattr(FREE, k))(v) for k, v in changes.items()}
    return FREE._replace(**coerced)


def open_ts(t: int) -> int:
    return t * BAR_NS


def close_ts(t: int) -> int:
    return t * BAR_NS + BAR_NS // 2


def order(
    side: Side = Side.BUY,
    type: OrderType = OrderType.MARKET,
    qty: float = 100.0,
    tif: TimeInForce = TimeInForce.GTC,
    limit: float = np.nan,
    stop: float = np.nan,
    bar: int = 0,
    symbol: int = 0,
    arrival_at: int | None = None,
) -> dict:
    return dict(side=side, type=type, qty=qty, tif=tif, limit=limit, stop=stop, bar=bar, symbol=symbol,
                arrival_at=close_ts(bar) + LATENCY_NS if arrival_at is None else arrival_at)


def orders_array(specs: list[dict]) -> np.ndarray:
    """ORDER_DTYPE records as core creates them: ids from 1, status NEW, nothing filled."""
    out = np.zeros(len(specs), ORDER_DTYPE)
    for i, s in enumerate(specs):
        r = out[i]
        r["order_id"], r["bar"], r["symbol"] = i + 1, s["bar"], s["symbol"]
        r["side"], r["type"], r["tif"] = int(s["side"]), int(s["type"]), int(s["tif"])
        r["status"] = int(OrderStatus.NEW)
        r["qty"], r["filled_qty"] = s["qty"], 0.0
        r["limit_price"], r["stop_price"] = s["limit"], s["stop"]
        r["created_at"], r["arrival_at"] = close_ts(s["bar"]), s["arrival_at"]
        r["decision_price"], r["arrival_price"] = np.nan, np.nan
    return out


def bars(rows: list[tuple[float, float, float, float, float]]) -> np.ndarray:
    """One symbol's bars as (T, 5) rows of open, high, low, close, volume."""
    return np.array(rows, dtype=np.float64)


@dataclass
class Run:
    orders: np.ndarray
    fills: np.ndarray  # every fill, in order
    working_after: list[list[int]]  # order ids still working after each bar
    status_after: list[np.ndarray]  # order statuses after each bar


def run(
    specs: list[dict],
    ohlcv: np.ndarray | list[np.ndarray],
    p: SimParams = FREE,
    session_end: list[bool] | None = None,
    vol: np.ndarray | None = None,
) -> Run:
    """Drive match_bar over every bar, as core's loop does, with all orders working from the start.

    `ohlcv` is one (T, 5) array per symbol (or one array for a single symbol). `session_end`
    defaults to no session ending; `vol` is the (T, N) daily vol (default NaN: no impact).
    """
    per_symbol = [ohlcv] if isinstance(ohlcv, np.ndarray) else list(ohlcv)
    panel = np.stack(per_symbol, axis=1)  # (T, N, 5)
    n_bars, n_symbols = panel.shape[0], panel.shape[1]
    ends = [False] * n_bars if session_end is None else session_end
    vol = np.full((n_bars, n_symbols), np.nan) if vol is None else vol
    orders = orders_array(specs)
    working = np.arange(len(orders), dtype=np.int64)
    n_working = len(orders)
    fills = np.zeros(len(orders) * n_bars + 1, FILL_DTYPE)
    n_fills = 0
    working_after, status_after = [], []
    for t in range(n_bars):
        row = [np.ascontiguousarray(panel[t, :, k]) for k in range(5)]
        n_working, n_fills = match_bar(t, orders, working, n_working, row[0], row[1], row[2], row[3], row[4],
                                       open_ts(t), ends[t], np.ascontiguousarray(vol[t]), p, fills, n_fills)
        working_after.append([int(orders[i]["order_id"]) for i in working[:n_working]])
        status_after.append(orders["status"].copy())
    return Run(orders, fills[:n_fills].copy(), working_after, status_after)

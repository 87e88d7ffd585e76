"""Builders for the risk tests: a full Book, EngineParams with only the named rules binding, hand-made
bars (daily or intraday, several symbols, explicit OHLC) and a frictionless simulation config."""

from __future__ import annotations

import numpy as np

from parity.engine.config.schema import ParityConfig
from parity.engine.data.bars import Bars
from parity.engine.kernels.step import make_book
from parity.engine.params import EngineParams, engine_params
from parity.engine.types import ORDER_DTYPE, RISK_EVENT_DTYPE

MINUTE = 60 * 10**9
DAY = 86_400 * 10**9
OPEN_OFFSET = 14 * 3_600 * 10**9 + 30 * MINUTE  # 14:30 UTC

# Every rule wide open; a test tightens the one it checks.
OPEN_RISK = {"max_daily_loss": 1.0, "max_position_risk": 1.0, "max_sector_exposure": 4.0, "stop_orders": False}
OPEN_SIZING = {"max_position_size": 1.0, "max_total_exposure": 4.0, "min_trade_size": 0, "signal_threshold": 0.0}
FRICTIONLESS = {
    "initial_cash": 100_000,
    "fill": {"participation_rate": 1.0},
    "slippage": {"fixed_bps": 0, "half_spread_bps": 0, "impact_coef": 0},
    "latency": {"submit_ms": 0, "ack_ms": 0, "fill_ms": 0},
    "fees": {"commission_per_share": 0, "commission_min": 0, "sec_fee_rate": 0, "taf_per_share": 0,
             "taf_max_per_trade": 0},
}


def config(risk=None, sizing=None, orders=None, simulation=None) -> ParityConfig:
    sim = dict(FRICTIONLESS)
    sim.update(simulation or {})
    return ParityConfig.model_validate({
        "risk_management": {**OPEN_RISK, **(risk or {})},
        "position_sizing": {**OPEN_SIZING, **(sizing or {})},
        "order_management": {**(orders or {})},
        "simulation": sim,
    })


def params(**kw) -> EngineParams:
    return engine_params(config(**kw))


def book(positions, marks, *, pending=None, exit_pending=None, avg_entry=None, equity=100_000.0, cash=None,
         session_start=None, session_low=None, stop_qty=None, stop_price=None, halted=False):
    positions = np.asarray(positions, dtype=np.float64)
    n = positions.shape[0]
    marks = np.asarray(marks, dtype=np.float64)
    arr = (lambda v, fill: np.full(n, fill) if v is None else np.asarray(v, dtype=np.float64))  # noqa: E731
    if cash is None:
        cash = equity - float(np.nansum(positions * marks))
    start = equity if session_start is None else session_start
    low = min(equity, start) if session_low is None else session_low
    return make_book(positions, arr(pending, 0.0), arr(avg_entry, np.nan), marks, float(cash), float(equity),
                     float(start), float(low), arr(exit_pending, 0.0), arr(stop_qty, 0.0), arr(stop_price, np.nan),
                     bool(halted), np.zeros(n, dtype=np.bool_))


def buffers(n_symbols: int = 1):
    """Empty order and event buffers (they grow) and the int8 cancel flags for `n_symbols`."""
    return np.zeros(2, ORDER_DTYPE), np.zeros(2, RISK_EVENT_DTYPE), np.zeros(n_symbols, np.int8)


def bars(open_, high, low, close, *, volume=1e6, sectors=None, bars_per_session=1) -> Bars:
    """T x N bars from explicit OHLC (lists of rows). `bars_per_session` > 1 gives intraday bars of
    30 minutes, that many per session."""
    o, h, lo, c = (np.asarray(x, dtype=np.float64) for x in (open_, high, low, close))
    if o.ndim == 1:
        o, h, lo, c = (x.reshape(-1, 1) for x in (o, h, lo, c))
    t, n = o.shape
    session = np.arange(t, dtype=np.int64) // bars_per_session
    slot = np.arange(t, dtype=np.int64) % bars_per_session
    bar_ns = 30 * MINUTE if bars_per_session > 1 else 390 * MINUTE
    open_ts = session * DAY + OPEN_OFFSET + slot * bar_ns
    return Bars(symbols=tuple(f"S{i}" for i in range(n)),
                sectors=tuple(sectors) if sectors is not None else tuple("Tech" for _ in range(n)),
                open_ts=open_ts, close_ts=open_ts + bar_ns, session=session, open=o, high=h, low=lo, close=c,
                volume=np.full((t, n), float(volume)))


# Filled by the property tests, printed by conftest.pytest_terminal_summary.
PROPERTY_COUNTS = {"examples": 0, "bars": 0, "trims": 0, "halted_bars": 0, "daily_loss_bars": 0, "stop_fills": 0}

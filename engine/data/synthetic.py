"""Seeded synthetic OHLCV on the real XNYS calendar, for tests and benchmarks.

Log prices follow a geometric Brownian motion with a one-factor market, a sector factor and an
idiosyncratic part, so sector caps and correlation-aware code see realistic co-movement. Each
session's first bar carries an overnight gap (open != previous close); high/low are wicks around
max/min(open, close); volume is in whole shares. Generated in row chunks so the only full-size
arrays are the five float64 outputs (500 symbols x 98,280 minute bars is ~2 GB in total).
"""

from __future__ import annotations

import numpy as np

from engine.data.bars import Bars
from engine.data.calendar import TIMEFRAME_MINUTES, TIMEFRAMES, bars_from

_CHUNK_ROWS = 8192  # part of the output's definition: draws are taken chunk by chunk
_SESSIONS_PER_YEAR = 252.0
_MARKET_VOL, _SECTOR_VOL = 0.15, 0.10  # annualised factor volatilities
_OVERNIGHT_SHARE = 0.25  # share of a day's variance that arrives in the overnight gap


def synthetic_bars(
    n_bars: int,
    n_symbols: int,
    seed: int = 0,
    timeframe: str = "1Day",
    start: str = "2015-01-02",
    n_sectors: int = 5,
) -> Bars:
    """`n_bars` x `n_symbols` bars of seeded GBM OHLCV; symbols "S000".., sectors "Sector0"..."""
    if n_bars < 1 or n_symbols < 1 or n_sectors < 1:
        raise ValueError(f"synthetic_bars: n_bars={n_bars}, n_symbols={n_symbols}, n_sectors={n_sectors} must be >= 1")
    if timeframe not in TIMEFRAMES:
        raise ValueError(f"synthetic_bars: timeframe '{timeframe}' is not one of {', '.join(TIMEFRAMES)}")
    open_ts, close_ts, session = bars_from("XNYS", start, n_bars, timeframe)
    bars_per_day = 1.0 if timeframe == "1Day" else 390.0 / TIMEFRAME_MINUTES[timeframe]
    dt = 1.0 / (_SESSIONS_PER_YEAR * bars_per_day)

    rng = np.random.default_rng(seed)
    sector_of = np.arange(n_symbols) % n_sectors
    sigma = rng.uniform(0.15, 0.45, n_symbols)  # total annual volatility per symbol
    mu = rng.uniform(-0.05, 0.15, n_symbols)
    beta = rng.uniform(0.6, 1.4, n_symbols)
    idio_var = np.maximum(sigma**2 - (beta * _MARKET_VOL) ** 2 - _SECTOR_VOL**2, 0.05**2)
    total_var = idio_var + (beta * _MARKET_VOL) ** 2 + _SECTOR_VOL**2
    start_price = rng.uniform(20.0, 200.0, n_symbols)
    shares_per_bar = np.exp(rng.uniform(np.log(2e5), np.log(3e7), n_symbols)) / bars_per_day

    # Daily bars: each bar's variance is split between the overnight gap and the session.
    # Intraday bars: the gap is on a session's first bar only; the session variance is spread evenly.
    in_session_share = (1.0 - _OVERNIGHT_SHARE) if timeframe == "1Day" else 1.0
    step_scale = np.sqrt(dt * in_session_share)
    gap_sd = np.sqrt(total_var * _OVERNIGHT_SHARE / _SESSIONS_PER_YEAR)
    drift = (mu - 0.5 * total_var) * dt
    wick_sd = np.sqrt(total_var * dt) * 0.5
    first_of_session = np.r_[True, session[1:] != session[:-1]]

    shape = (n_bars, n_symbols)
    out_open, out_high, out_low, out_close, out_volume = (np.empty(shape, dtype=np.float64) for _ in range(5))
    last_log_close = np.log(start_price)
    for r0 in range(0, n_bars, _CHUNK_ROWS):
        rows = slice(r0, min(r0 + _CHUNK_ROWS, n_bars))
        n = rows.stop - r0
        market = rng.standard_normal(n)
        sector = rng.standard_normal((n, n_sectors))
        incr = rng.standard_normal((n, n_symbols))
        incr *= np.sqrt(idio_var) * step_scale
        incr += market[:, None] * (beta * _MARKET_VOL * step_scale)
        incr += sector[:, sector_of] * (_SECTOR_VOL * step_scale)
        incr += drift
        gap = np.zeros((n, n_symbols))
        gap_rows = first_of_session[rows]
        gap[gap_rows] = rng.standard_normal((int(gap_rows.sum()), n_symbols)) * gap_sd
        incr += gap
        log_close = np.cumsum(incr, axis=0)
        log_close += last_log_close
        log_open = np.empty_like(log_close)
        log_open[0] = last_log_close
        log_open[1:] = log_close[:-1]
        log_open += gap
        last_log_close = log_close[-1].copy()

        up = np.abs(rng.standard_normal((n, n_symbols))) * wick_sd
        up += np.maximum(log_open, log_close)
        down = np.abs(rng.standard_normal((n, n_symbols))) * -wick_sd
        down += np.minimum(log_open, log_close)
        np.exp(log_open, out=out_open[rows])
        np.exp(log_close, out=out_close[rows])
        np.exp(up, out=out_high[rows])
        np.exp(down, out=out_low[rows])
        # exp rounding can break the ordering by one ulp; enforce the bracket exactly
        np.maximum(out_high[rows], np.maximum(out_open[rows], out_close[rows]), out=out_high[rows])
        np.minimum(out_low[rows], np.minimum(out_open[rows], out_close[rows]), out=out_low[rows])

        vol = rng.standard_normal((n, n_symbols))
        vol *= 0.5
        np.exp(vol, out=vol)
        vol *= shares_per_bar
        np.rint(vol, out=vol)
        np.maximum(vol, 1.0, out=out_volume[rows])

    return Bars(
        symbols=tuple(f"S{i:03d}" for i in range(n_symbols)),
        sectors=tuple(f"Sector{s}" for s in sector_of),
        open_ts=open_ts,
        close_ts=close_ts,
        session=session,
        open=out_open,
        high=out_high,
        low=out_low,
        close=out_close,
        volume=out_volume,
        notes=(f"synthetic GBM bars: seed={seed}, timeframe={timeframe}, start={start}",),
    )

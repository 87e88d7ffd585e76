"""Seeded synthetic OHLCV on the real XNYS calendar, for tests and benchmarks.

Log prices follow a geometric Brownian motion with a one-factor market, a sector factor and an
idiosyncratic part, so sector caps and correlation-aware code see realistic co-movement. Each
session's first bar carries an overnight gap (open != previous close); high/low are wicks around
max/min(open, close); volume is in whole shares. Generated in row chunks so the only full-size
arrays are the five float64 outputs (500 symbols x 98,280 minute bars is ~2 GB in total).
"""

from __future__ import annotations

import numpy as np

from parity.engine.data.bars import Bars

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
    # imported here: exchange_calendars (~0.1 s) is not needed by `import parity.engine.data` on a cached load
    from parity.engine.data.calendar import TIMEFRAME_MINUTES, TIMEFRAMES, bars_from

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
    idio_scale = np.sqrt(idio_var) * step_scale
    market_scale = beta * _MARKET_VOL * step_scale
    sector_scale = _SECTOR_VOL * step_scale
    last_log_close = np.log(start_price)
    for r0 in range(0, n_bars, _CHUNK_ROWS):
        rows = slice(r0, min(r0 + _CHUNK_ROWS, n_bars))
        n = rows.stop - r0
        opn, high, low, close, volume = (a[rows] for a in (out_open, out_high, out_low, out_close, out_volume))
        market = rng.standard_normal(n)
        sector = rng.standard_normal((n, n_sectors))
        log_close = rng.standard_normal((n, n_symbols))
        log_close *= idio_scale
        log_close += np.outer(market, market_scale)
        log_close += sector[:, sector_of] * sector_scale
        log_close += drift
        gap_rows = np.flatnonzero(first_of_session[rows])
        gap = rng.standard_normal((len(gap_rows), n_symbols)) * gap_sd
        log_close[gap_rows] += gap
        np.cumsum(log_close, axis=0, out=log_close)
        log_close += last_log_close
        np.exp(log_close, out=close)
        # within a session a bar opens at the previous close; a session's first bar gaps from it
        opn[0] = np.exp(last_log_close)
        opn[1:] = close[:-1]
        opn[gap_rows] *= np.exp(gap)
        last_log_close = log_close[-1].copy()
        del log_close

        # wicks beyond the body: high = top * (1 + w), low = bottom / (1 + w), w = |N(0, wick_sd)|;
        # multiplying by a factor >= 1 rounds monotonically, so high >= top and low <= bottom exactly
        for out, body, grow in ((high, np.fmax(opn, close), np.multiply), (low, np.fmin(opn, close), np.divide)):
            rng.standard_normal(out=out)
            np.abs(out, out=out)
            out *= wick_sd
            out += 1.0
            grow(body, out, out=out)

        rng.standard_normal(out=volume)
        volume *= 0.5
        np.exp(volume, out=volume)
        volume *= shares_per_bar
        np.rint(volume, out=volume)
        np.maximum(volume, 1.0, out=volume)

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

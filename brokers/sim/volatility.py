"""`daily_vol`: the volatility behind square-root market impact, known before each bar opens.

Row t is the sample standard deviation (ddof=1) of the last `lookback` close-to-close log returns
ending with the return into bar t-1 (closes t-lookback-1 .. t-1), scaled to a daily figure by
sqrt(bars_per_session). It never reads bar t or later. A NaN close makes the returns on either side
of it NaN; NaN returns are skipped, and the row is NaN unless at least half the window (and at
least 2 returns) is valid, so a single missing session does not switch impact off for `lookback`
bars. The first row that can be valid is t = lookback + 1 when data is complete.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _window_std(returns, start: int, stop: int, min_count: int) -> float:
    """Sample stdev of the finite values of returns[start:stop]; NaN if fewer than min_count."""
    count = 0
    total = 0.0
    for i in range(start, stop):
        if np.isfinite(returns[i]):
            count += 1
            total += returns[i]
    if count < min_count:
        return np.nan
    mean = total / count
    squares = 0.0
    for i in range(start, stop):
        if np.isfinite(returns[i]):
            squares += (returns[i] - mean) ** 2
    return np.sqrt(squares / (count - 1))


@njit(cache=True)
def _daily_vol(close, lookback: int, bars_per_session: float):
    n_bars, n_symbols = close.shape
    out = np.full((n_bars, n_symbols), np.nan)
    min_count = max(2, (lookback + 1) // 2)
    scale = np.sqrt(bars_per_session)
    returns = np.full(n_bars, np.nan)  # returns[i] = log(close[i] / close[i-1]), the return into bar i
    for n in range(n_symbols):
        for i in range(1, n_bars):
            returns[i] = np.log(close[i, n] / close[i - 1, n])
        for t in range(lookback + 1, n_bars):
            out[t, n] = scale * _window_std(returns, t - lookback, t, min_count)
    return out


def daily_vol(close: np.ndarray, lookback: int, bars_per_session: float) -> np.ndarray:
    """Daily volatility of each symbol as known before bar t opens: float64 (T, N), NaN until enough data."""
    close = np.asarray(close, dtype=np.float64)
    if close.ndim != 2:
        raise ValueError(f"daily_vol: close must be a (T, N) array, got shape {close.shape}")
    if lookback < 2:
        raise ValueError(f"daily_vol: lookback must be >= 2 returns, got {lookback}")
    if not bars_per_session > 0:
        raise ValueError(f"daily_vol: bars_per_session must be > 0, got {bars_per_session}")
    return _daily_vol(close, int(lookback), float(bars_per_session))

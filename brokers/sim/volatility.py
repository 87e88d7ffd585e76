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
def _daily_vol(close, lookback: int, bars_per_session: float):
    """Bar by bar over all symbols at once: the last `lookback` return rows sit in a ring, and each
    window is summed in index order (count/total, then squares about the mean), so every figure is the
    same float as a per-symbol two-pass stdev, read and written row-contiguously (2x faster on 53 x
    98,280 minute bars than walking each symbol's column)."""
    n_bars, n_symbols = close.shape
    out = np.full((n_bars, n_symbols), np.nan)
    min_count = max(2, (lookback + 1) // 2)
    scale = np.sqrt(bars_per_session)
    ring = np.full((lookback, n_symbols), np.nan)  # ring[i % lookback] = log(close[i] / close[i-1])
    count = np.zeros(n_symbols, dtype=np.int64)
    total = np.zeros(n_symbols)
    mean = np.zeros(n_symbols)
    squares = np.zeros(n_symbols)
    for t in range(2, n_bars):
        i = t - 1  # the newest return known before bar t opens
        row = ring[i % lookback]
        for n in range(n_symbols):
            row[n] = np.log(close[i, n] / close[i - 1, n])
        if t < lookback + 1:
            continue
        count[:] = 0
        total[:] = 0.0
        squares[:] = 0.0
        for k in range(t - lookback, t):
            r = ring[k % lookback]
            for n in range(n_symbols):
                if np.isfinite(r[n]):
                    count[n] += 1
                    total[n] += r[n]
        for n in range(n_symbols):
            mean[n] = total[n] / count[n] if count[n] >= min_count else 0.0
        for k in range(t - lookback, t):
            r = ring[k % lookback]
            for n in range(n_symbols):
                if np.isfinite(r[n]):
                    squares[n] += (r[n] - mean[n]) ** 2
        for n in range(n_symbols):
            if count[n] >= min_count:  # NaN (too few valid returns) otherwise
                out[t, n] = scale * np.sqrt(squares[n] / (count[n] - 1))
    return out


@njit(cache=True)
def vol_at(close, t: int, s: int, lookback: int, scale: float) -> float:
    """daily_vol(close, lookback, bars_per_session)[t, s] on its own (scale = sqrt(bars_per_session)),
    by the same arithmetic in the same order, so bit for bit the same float. The compiled backtest
    asks for it only where an order executes (about one symbol a bar), instead of all T x N figures."""
    if t < lookback + 1:
        return np.nan
    min_count = max(2, (lookback + 1) // 2)
    returns = np.empty(lookback)  # each log once: the logs are most of the cost
    count = 0
    total = 0.0
    for j in range(lookback):
        k = t - lookback + j
        r = np.log(close[k, s] / close[k - 1, s])
        returns[j] = r
        if np.isfinite(r):
            count += 1
            total += r
    if count < min_count:
        return np.nan
    mean = total / count
    squares = 0.0
    for j in range(lookback):
        r = returns[j]
        if np.isfinite(r):
            squares += (r - mean) ** 2
    return scale * np.sqrt(squares / (count - 1))


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

"""Trailing-window reductions over (T, N) float64 arrays, one window at a time.

Each output reads only its own window, accumulated in a fixed order (newest bar first), so a value
does not depend on how much history precedes the window: recomputing it from the last bars alone
gives the same bits. Running-total algorithms (polars' rolling_sum / rolling_std) drift by a few
ulps with the earlier history and would break the batch == live guarantee. A NaN anywhere in a
window gives NaN; rows t < w - 1 (incomplete windows) are NaN. The inner loops run over symbols
(contiguous memory, one independent accumulator each), which vectorises without changing the
order in which any one window is summed.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def window_sum(x: np.ndarray, w: int) -> np.ndarray:
    t_len, n_len = x.shape
    out = np.full((t_len, n_len), np.nan)
    acc = np.empty(n_len)
    for t in range(w - 1, t_len):
        acc[:] = 0.0
        for j in range(w):
            row = x[t - j]
            for n in range(n_len):
                acc[n] += row[n]
        out[t] = acc
    return out


@njit(cache=True)
def window_cov(x: np.ndarray, y: np.ndarray, w: int) -> np.ndarray:
    """Sample covariance (ddof = 1), centred on the newest values first (shift-invariant, and
    precise when the mean is large, e.g. log volume). window_cov(x, x, w) is the variance."""
    t_len, n_len = x.shape
    out = np.full((t_len, n_len), np.nan)
    sx = np.empty(n_len)
    sy = np.empty(n_len)
    sxy = np.empty(n_len)
    for t in range(w - 1, t_len):
        x0 = x[t]
        y0 = y[t]
        sx[:] = 0.0
        sy[:] = 0.0
        sxy[:] = 0.0
        for j in range(1, w):  # the newest bar's deviation is exactly 0
            xr = x[t - j]
            yr = y[t - j]
            for n in range(n_len):
                dx = xr[n] - x0[n]
                dy = yr[n] - y0[n]
                sx[n] += dx
                sy[n] += dy
                sxy[n] += dx * dy
        for n in range(n_len):
            out[t, n] = (sxy[n] - sx[n] * sy[n] / w) / (w - 1)
    return out


@njit(cache=True)
def window_max(x: np.ndarray, w: int) -> np.ndarray:
    t_len, n_len = x.shape
    out = np.full((t_len, n_len), np.nan)
    acc = np.empty(n_len)
    gap = np.empty(n_len, dtype=np.bool_)
    for t in range(w - 1, t_len):
        acc[:] = -np.inf
        gap[:] = False
        for j in range(w):
            row = x[t - j]
            for n in range(n_len):
                v = row[n]
                gap[n] |= np.isnan(v)
                if v > acc[n]:
                    acc[n] = v
        for n in range(n_len):
            out[t, n] = np.nan if gap[n] else acc[n]
    return out


@njit(cache=True)
def window_min(x: np.ndarray, w: int) -> np.ndarray:
    return -window_max(-x, w)


@njit(cache=True)
def group_mean(x: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Per bar, the mean over the symbols of each group, ignoring NaN, broadcast back to (T, N).

    Summed in symbol order, bar by bar, so a bar's value depends on that bar alone (polars'
    group-by means do not guarantee an order). NaN where the group has no value at that bar.
    """
    t_len, n_len = x.shape
    out = np.full((t_len, n_len), np.nan)
    sums = np.empty(n_groups)
    counts = np.empty(n_groups)
    for t in range(t_len):
        sums[:] = 0.0
        counts[:] = 0.0
        for n in range(n_len):
            v = x[t, n]
            if not np.isnan(v):
                sums[groups[n]] += v
                counts[groups[n]] += 1.0
        for n in range(n_len):
            g = groups[n]
            if counts[g] > 0:
                out[t, n] = sums[g] / counts[g]
    return out

"""Score smoothing: a causal trailing mean of the ranked scores, one holding period of signals.

A model of k-bar returns that re-ranks every bar flips names across the signal threshold on noise
and trades them in full each time. Averaging each symbol's last k score rows holds overlapping
k-bar portfolios instead (Jegadeesh and Titman, 1993): the same signal, a fraction of the turnover.

Definition, per symbol n and bar t, with rows before bar 0 counting as NaN:
    smoothed[t, n] = mean of the finite values among raw[t - k + 1 .. t, n]; NaN if none is finite.
Row t reads rows t - k + 1 .. t only. Means of values in [-1, 1] stay in [-1, 1]. k = 1 returns the
input unchanged. The sum runs oldest row first in a fixed order, so `trailing_mean(rows[-k:], k)[-1]`
(what the live scorer computes) equals `trailing_mean(rows, k)[-1]` bit for bit.
"""

from __future__ import annotations

import numpy as np


def trailing_mean(scores: np.ndarray, k: int) -> np.ndarray:
    """(T, N) mean of each column's finite values over the last `k` rows (NaN where all are NaN)."""
    if k < 1:
        raise ValueError(f"smoothing must be >= 1 bar, got {k}")
    scores = np.asarray(scores, dtype=np.float64)
    if k == 1:
        return scores.copy()
    t = scores.shape[0]
    padded = np.concatenate([np.full((k - 1, *scores.shape[1:]), np.nan), scores])
    total = np.zeros_like(scores)
    count = np.zeros_like(scores)
    for lag in range(k):  # lag 0 is the oldest row of each window: padded[t + 0] = scores[t - k + 1]
        rows = padded[lag: lag + t]
        finite = np.isfinite(rows)
        total += np.where(finite, rows, 0.0)
        count += finite
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / count, np.nan)
    # Rounding is monotone, so a mean of values in [-1, 1] cannot leave it; the clip only guards.
    return np.clip(mean, -1.0, 1.0)


class TrailingMean:
    """The live side of `trailing_mean`: keeps the last `k` raw rows and smooths each new one."""

    def __init__(self, k: int, history: np.ndarray) -> None:
        """`history`: the raw rows before the first `update` (only the last k - 1 are kept)."""
        if k < 1:
            raise ValueError(f"smoothing must be >= 1 bar, got {k}")
        self.k = k
        history = np.asarray(history, dtype=np.float64)
        self._rows = history[max(len(history) - (k - 1), 0):].copy() if k > 1 else None

    def update(self, raw: np.ndarray) -> np.ndarray:
        """Append one raw (N,) row; return its smoothed row, equal to the batch row bit for bit."""
        if self._rows is None:
            return np.asarray(raw, dtype=np.float64).copy()
        window = np.vstack([self._rows, np.asarray(raw, dtype=np.float64)[None]])
        self._rows = window[1:] if len(window) == self.k else window
        return trailing_mean(window, self.k)[-1]

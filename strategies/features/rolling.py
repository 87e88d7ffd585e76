"""Trailing-window and cross-sectional polars expressions for the time-major feature frame.

The frame is long and time-major: row t * n + k is symbol k at bar t, so "the same symbol j bars
ago" is `shift(j * n)` and a column reshapes to a (T, N) array for free. Window reductions run the
numba kernels of `windows_nb` on that array (exact and window-local; see there why polars'
`rolling_*` is not used), cross-sectional ranks are average ranks per bar (parity.strategies.ranks.row_ranks). Nulls mark missing
values throughout; any null inside a window makes the result null.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import polars as pl

from parity.strategies.features import windows_nb as nb
from parity.strategies.ranks import row_ranks


def safe_div(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    """num / den, null where den is 0 (instead of inf or NaN)."""
    return pl.when(den != 0).then(num / den).otherwise(None)


def pick_max(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """Element-wise max that is null if either side is null (max_horizontal skips nulls)."""
    return pl.when(a.is_null() | b.is_null()).then(None).when(a >= b).then(a).otherwise(b)


def pick_min(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    return pl.when(a.is_null() | b.is_null()).then(None).when(a <= b).then(a).otherwise(b)


def _rank01(x: np.ndarray) -> np.ndarray:
    """Per-row rank over finite values scaled to [0, 1] (average ties); 0.5 if one value; NaN stays."""
    finite = np.isfinite(x)
    ranks = row_ranks(np.where(finite, x, np.nan))
    count = finite.sum(axis=1, keepdims=True).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = np.where(count > 1, (ranks - 1.0) / (count - 1.0), 0.5)
    return np.where(finite, scaled, np.nan)


class Rolling:
    """Expressions for a time-major panel; one sector code per symbol."""

    def __init__(self, sector_codes: np.ndarray) -> None:
        self.sector_codes = np.ascontiguousarray(sector_codes, dtype=np.int64)
        self.n = self.sector_codes.size
        self.n_sectors = int(self.sector_codes.max()) + 1 if self.n else 0

    def lag(self, e: pl.Expr, bars: int) -> pl.Expr:
        return e.shift(bars * self.n) if bars else e

    def _panel(self, exprs: list[pl.Expr], fn: Callable[..., np.ndarray]) -> pl.Expr:
        """Apply `fn` to the columns reshaped to (T, N) float64 arrays (null -> NaN -> null)."""
        n = self.n

        def run(series: list[pl.Series]) -> pl.Series:
            arrays = [s.cast(pl.Float64).to_numpy().reshape(-1, n) for s in series]
            return pl.Series(fn(*arrays).reshape(-1), nan_to_null=True)

        return pl.map_batches(exprs, run, return_dtype=pl.Float64)

    def sum(self, e: pl.Expr, w: int) -> pl.Expr:
        return self._panel([e], lambda x: nb.window_sum(np.ascontiguousarray(x), w))

    def mean(self, e: pl.Expr, w: int) -> pl.Expr:
        return self.sum(e, w) / w

    def cov(self, x: pl.Expr, y: pl.Expr, w: int) -> pl.Expr:
        return self._panel([x, y], lambda a, b: nb.window_cov(np.ascontiguousarray(a), np.ascontiguousarray(b), w))

    def var(self, x: pl.Expr, w: int) -> pl.Expr:
        return self._panel([x], lambda a: nb.window_cov(np.ascontiguousarray(a), np.ascontiguousarray(a), w))

    def std(self, x: pl.Expr, w: int) -> pl.Expr:
        return self.var(x, w).clip(lower_bound=0.0).sqrt()

    def max(self, e: pl.Expr, w: int) -> pl.Expr:
        return self._panel([e], lambda x: nb.window_max(np.ascontiguousarray(x), w))

    def min(self, e: pl.Expr, w: int) -> pl.Expr:
        return self._panel([e], lambda x: nb.window_min(np.ascontiguousarray(x), w))

    def xs_rank(self, e: pl.Expr) -> pl.Expr:
        """Rank across the symbols of each bar, scaled to [0, 1]."""
        return self._panel([e], _rank01)

    def xs_mean(self, e: pl.Expr) -> pl.Expr:
        """Mean across all symbols of each bar (nulls skipped)."""
        everyone = np.zeros(self.n, dtype=np.int64)
        return self._panel([e], lambda x: nb.group_mean(np.ascontiguousarray(x), everyone, 1))

    def sector_mean(self, e: pl.Expr) -> pl.Expr:
        """Mean across the symbol's sector at each bar (nulls skipped)."""
        return self._panel([e], lambda x: nb.group_mean(np.ascontiguousarray(x), self.sector_codes, self.n_sectors))

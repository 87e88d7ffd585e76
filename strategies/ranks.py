"""Cross-sectional ranks: the one mapping from raw per-symbol numbers to scores in [-1, 1]."""

from __future__ import annotations

import numpy as np
import pandas as pd


def row_ranks(values: np.ndarray) -> np.ndarray:
    """Average ranks (1..n) of each row's non-NaN entries, NaN kept: scipy's rankdata(axis=1,
    nan_policy="omit") to the bit, through pandas, which every run has loaded already (importing
    scipy.stats cost a momentum backtest 0.6 s)."""
    return pd.DataFrame(values).rank(axis=1, method="average", na_option="keep").to_numpy(dtype=np.float64)


def cross_sectional_rank(values: np.ndarray) -> np.ndarray:
    """Rank each row of a (T, N) array over its finite entries and map the ranks onto [-1, 1].

    The lowest value gets -1, the highest +1, ties share their average rank; NaN stays NaN and is
    left out of the ranking. A row with a single finite value gets 0 (no cross-sectional view).
    """
    values = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(values)
    clean = np.where(finite, values, np.nan)
    ranks = row_ranks(clean)  # 1..n_finite per row, NaN where missing
    n = finite.sum(axis=1, keepdims=True).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = np.where(n > 1, 2.0 * (ranks - 1.0) / (n - 1.0) - 1.0, 0.0)
    return np.where(finite, scaled, np.nan)

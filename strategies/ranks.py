"""Cross-sectional ranks: the one mapping from raw per-symbol numbers to scores in [-1, 1]."""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata


def cross_sectional_rank(values: np.ndarray) -> np.ndarray:
    """Rank each row of a (T, N) array over its finite entries and map the ranks onto [-1, 1].

    The lowest value gets -1, the highest +1, ties share their average rank; NaN stays NaN and is
    left out of the ranking. A row with a single finite value gets 0 (no cross-sectional view).
    """
    values = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(values)
    clean = np.where(finite, values, np.nan)
    ranks = rankdata(clean, axis=1, nan_policy="omit")  # 1..n_finite per row, NaN where missing
    n = finite.sum(axis=1, keepdims=True).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = np.where(n > 1, 2.0 * (ranks - 1.0) / (n - 1.0) - 1.0, 0.0)
    return np.where(finite, scaled, np.nan)

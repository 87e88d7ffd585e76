"""Training labels: the forward return of each symbol over `horizon` bars.

The label of bar s is the close-to-close return from bar s to bar s + horizon, so it becomes known
at the close of bar s + horizon; the walk-forward trainer relies on exactly that (see walkforward.py).
Rows whose horizon runs past the data are NaN.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from parity.strategies.ranks import cross_sectional_rank

LabelKind = Literal["raw", "rank", "excess"]


def forward_returns(close: np.ndarray, horizon: int) -> np.ndarray:
    """(T, N) simple return from the close of bar s to the close of bar s + horizon; NaN at the end."""
    if horizon < 1:
        raise ValueError(f"forward_returns: horizon must be >= 1, got {horizon}")
    out = np.full(close.shape, np.nan)
    if close.shape[0] > horizon:
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:-horizon] = close[horizon:] / close[:-horizon] - 1.0
    out[~np.isfinite(out)] = np.nan
    return out


def make_labels(close: np.ndarray, horizon: int, kind: LabelKind) -> np.ndarray:
    """Forward returns as `raw`, cross-sectionally ranked onto [-1, 1] (`rank`) or minus the
    universe's mean forward return of the same bar (`excess`)."""
    fwd = forward_returns(close, horizon)
    if kind == "raw":
        return fwd
    if kind == "rank":
        return cross_sectional_rank(fwd)
    if kind == "excess":
        counts = np.isfinite(fwd).sum(axis=1, keepdims=True)
        sums = np.nansum(fwd, axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            return fwd - np.where(counts > 0, sums / counts, np.nan)
    raise ValueError(f"strategy.xgboost.label: '{kind}' is not one of raw, rank, excess")

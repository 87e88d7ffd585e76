"""How good a signal was, measured after the fact: the tables the run report plots.

- `ic_per_bar`: Spearman rank correlation, across symbols, of the score at bar t with the realised
  forward return over the next `horizon` bars (the information coefficient, IC).
- `signal_summary`: one row: mean IC, its Newey-West t-statistic (lags = horizon - 1, because
  forward returns of neighbouring bars overlap), hit rate and counts.
These read future prices by design: they grade signals, they never feed them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from parity.engine.data.bars import Bars
from parity.strategies.labels import forward_returns
from parity.strategies.ranks import row_ranks


def _row_mean(x: np.ndarray) -> np.ndarray:
    """Mean of each row over its finite values, as a (T, 1) column; NaN for an empty row."""
    finite = np.isfinite(x)
    count = finite.sum(axis=1, keepdims=True)
    total = np.where(finite, x, 0.0).sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)


def rank_ic(scores: np.ndarray, forward: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-row Spearman correlation over symbols where both are finite -> (ic (T,), n (T,)).

    NaN where fewer than 3 symbols are usable or either side has no spread.
    """
    both = np.isfinite(scores) & np.isfinite(forward)
    n = both.sum(axis=1)
    a = row_ranks(np.where(both, scores, np.nan))
    b = row_ranks(np.where(both, forward, np.nan))
    with np.errstate(invalid="ignore", divide="ignore"):
        da = a - _row_mean(a)
        db = b - _row_mean(b)
        cov = np.nansum(np.where(both, da * db, np.nan), axis=1)
        var_a = np.nansum(np.where(both, da * da, np.nan), axis=1)
        var_b = np.nansum(np.where(both, db * db, np.nan), axis=1)
        ic = cov / np.sqrt(var_a * var_b)
    ic = np.where((n >= 3) & (var_a > 0) & (var_b > 0), ic, np.nan)
    return ic, n


def newey_west_tstat(x: np.ndarray, lags: int) -> float:
    """t-statistic of mean(x) with a Bartlett-kernel (Newey-West) variance; NaN if under 2 points."""
    x = x[np.isfinite(x)]
    n = x.size
    if n < 2:
        return float("nan")
    d = x - x.mean()
    var = d @ d / n
    for k in range(1, min(lags, n - 1) + 1):
        var += 2.0 * (1.0 - k / (lags + 1.0)) * (d[k:] @ d[:-k]) / n
    return float(x.mean() / np.sqrt(var / n)) if var > 0 else float("nan")


def hit_rate(scores: np.ndarray, forward: np.ndarray) -> tuple[float, int]:
    """Share of (bar, symbol) with a non-zero score whose sign matches the sign of the forward return
    in excess of that bar's universe mean; and the number of such observations."""
    both = np.isfinite(scores) & np.isfinite(forward)
    excess = forward - _row_mean(np.where(both, forward, np.nan))
    used = both & (scores != 0) & (excess != 0)
    n = int(used.sum())
    hits = int((np.sign(scores[used]) == np.sign(excess[used])).sum())
    return (hits / n if n else float("nan")), n


def signal_diagnostics(scores: np.ndarray, bars: Bars, horizon: int) -> dict[str, pd.DataFrame]:
    """`ic_per_bar` and `signal_summary` for a (T, N) score array over `bars`."""
    forward = forward_returns(bars.close, horizon)
    ic, n = rank_ic(scores, forward)
    per_bar = pd.DataFrame({"ts": bars.index, "ic": ic, "n": n})
    finite_ic = ic[np.isfinite(ic)]
    hits, n_obs = hit_rate(scores, forward)
    summary = pd.DataFrame([{
        "horizon": horizon,
        "mean_ic": float(finite_ic.mean()) if finite_ic.size else float("nan"),
        "ic_std": float(finite_ic.std(ddof=1)) if finite_ic.size > 1 else float("nan"),
        "ic_tstat": newey_west_tstat(ic, horizon - 1),
        "tstat_lags": horizon - 1,
        "ic_positive_share": float((finite_ic > 0).mean()) if finite_ic.size else float("nan"),
        "hit_rate": hits,
        "n_bars": int(finite_ic.size),
        "n_obs": n_obs,
    }])
    return {"ic_per_bar": per_bar, "signal_summary": summary}

"""Walk-forward schedule and training sets: which labels a model trained at bar t may see.

The label of bar s is the forward return from the close of s to the close of s + horizon, so it is
known at the close of bar s + horizon. A model trained at the close of bar t therefore uses label
bars s <= t - horizon only: the last `horizon` bars before t are purged, because their labels still
reach past t (the embargo equals the horizon). The model then scores bars t .. next retrain - 1.

- expanding window: label bars 0 .. t - horizon (at least `train_bars` of them);
- rolling window: the last `train_bars` label bars, t - horizon - train_bars + 1 .. t - horizon.
The first retrain is at t = train_bars + horizon - 1, then every `retrain_every` bars.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parity.strategies.params import XGBoostParams


@dataclass(frozen=True)
class TrainWindow:
    retrain_bar: int  # trained at the close of this bar
    train_start: int  # first label bar used (inclusive)
    train_end: int  # last label bar used (inclusive) = retrain_bar - horizon
    predict_start: int  # first bar this model scores (= retrain_bar)
    predict_end: int  # one past the last bar it scores (the next retrain bar, or T)


def first_retrain_bar(cfg: XGBoostParams) -> int:
    return cfg.train_bars + cfg.horizon - 1


def is_retrain_bar(t: int, cfg: XGBoostParams) -> bool:
    first = first_retrain_bar(cfg)
    return t >= first and (t - first) % cfg.retrain_every == 0


def window_at(retrain_bar: int, cfg: XGBoostParams, n_bars: int) -> TrainWindow:
    """The training window of a model trained at `retrain_bar` (which must be a retrain bar)."""
    if not is_retrain_bar(retrain_bar, cfg):
        raise ValueError(f"walk-forward: bar {retrain_bar} is not a retrain bar")
    train_end = retrain_bar - cfg.horizon
    train_start = 0 if cfg.window == "expanding" else train_end - cfg.train_bars + 1
    predict_end = min(retrain_bar + cfg.retrain_every, n_bars)
    return TrainWindow(retrain_bar, train_start, train_end, retrain_bar, predict_end)


def plan_walk_forward(n_bars: int, cfg: XGBoostParams) -> list[TrainWindow]:
    """Every retrain of a run over `n_bars` bars, in time order (empty if the data is too short)."""
    return [window_at(t, cfg, n_bars) for t in range(first_retrain_bar(cfg), n_bars, cfg.retrain_every)]


def last_retrain_at_or_before(t: int, cfg: XGBoostParams) -> int | None:
    first = first_retrain_bar(cfg)
    if t < first:
        return None
    return first + (t - first) // cfg.retrain_every * cfg.retrain_every


def training_set(features: np.ndarray, labels: np.ndarray, window: TrainWindow) -> tuple[np.ndarray, np.ndarray]:
    """Rows (label bar, symbol) of the window whose label is known, as (X float32, y float32).

    Row order is bar-major then symbol, the same in batch and live runs, so the data, and hence the
    trained model, are identical. Features may be NaN (XGBoost routes missing values itself).
    """
    rows = slice(window.train_start, window.train_end + 1)
    n_features = features.shape[-1]
    x = features[rows].reshape(-1, n_features)
    y = labels[rows].reshape(-1)
    keep = np.isfinite(y)
    return np.ascontiguousarray(x[keep], dtype=np.float32), np.ascontiguousarray(y[keep], dtype=np.float32)

"""Small hand-built and seeded bars for the strategy tests."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from parity.strategies.params import XGBoostParams
from parity.strategies.xgboost_strategy import XGBoostStrategy
from parity.engine.data.bars import Bars
from parity.engine.signals import SignalSet
from parity.engine.data.calendar import bars_from
from parity.engine.data.synthetic import synthetic_bars


def hand_bars(close, open_=None, high=None, low=None, volume=None, sectors=None) -> Bars:
    """Daily bars from (T, N) closes; open defaults to close, high/low bracket open and close."""
    close = np.asarray(close, dtype=np.float64)
    t, n = close.shape
    open_ = close.copy() if open_ is None else np.asarray(open_, dtype=np.float64)
    high = np.maximum(open_, close) if high is None else np.asarray(high, dtype=np.float64)
    low = np.minimum(open_, close) if low is None else np.asarray(low, dtype=np.float64)
    volume = np.full((t, n), 1e6) if volume is None else np.asarray(volume, dtype=np.float64)
    open_ts, close_ts, session = bars_from("XNYS", "2020-01-02", t, "1Day")
    return Bars(
        symbols=tuple(f"S{i}" for i in range(n)),
        sectors=tuple(sectors) if sectors is not None else ("Tech",) * n,
        open_ts=open_ts, close_ts=close_ts, session=session,
        open=open_, high=high, low=low, close=close, volume=volume,
    )


def small_bars(n_bars: int = 150, n_symbols: int = 10, seed: int = 7, holes: bool = True) -> Bars:
    """Seeded synthetic bars; with `holes`, a few missing closes to exercise NaN handling."""
    bars = synthetic_bars(n_bars, n_symbols, seed=seed, n_sectors=3)
    if not holes:
        return bars
    close = bars.close.copy()
    close[30:33, 2] = np.nan
    close[n_bars // 2, min(5, n_symbols - 1)] = np.nan
    return dataclasses.replace(bars, close=close)


def perturb_after(bars: Bars, t: int, seed: int = 99) -> Bars:
    """The same bars up to and including row t; every later bar changed (prices, volume, holes)."""
    rng = np.random.default_rng(seed)
    changed = {}
    for name in ("open", "high", "low", "close", "volume"):
        arr = getattr(bars, name).copy()
        arr[t + 1:] *= rng.uniform(0.5, 1.5, arr[t + 1:].shape)
        changed[name] = arr
    changed["close"][t + 1:, 0] = np.nan  # a symbol vanishes, too
    return dataclasses.replace(bars, **changed)


def fast_xgb(**overrides) -> XGBoostParams:
    """A walk-forward that trains in milliseconds: short windows, few shallow trees."""
    base = dict(horizon=3, train_bars=40, retrain_every=10, n_estimators=12, max_depth=2, n_jobs=1)
    base.update(overrides)
    return XGBoostParams(**base)


def fast_xgb_strategy(**overrides) -> XGBoostStrategy:
    return XGBoostStrategy(fast_xgb(**overrides))


def same(a: np.ndarray, b: np.ndarray) -> bool:
    """Bitwise equality with NaN == NaN."""
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))


def write_artifacts(signals: SignalSet, folder: Path) -> Path:
    """The strategy's artifacts (models/...) written under `folder`, as the run folder gets them."""
    for relative, data in signals.artifacts.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(data)
    return folder

"""The strategy contract: what a strategy is, and what it hands the engine (one score per symbol per bar).

A strategy is any object with
- `name: str` (a label for run ids and reports),
- `lookback: int`, the bars of history one score row needs, itself included: row t of
  `generate(bars)` may read bars t - lookback + 1 .. t and nothing else (no bar after t, ever);
- `generate(bars) -> SignalSet`, the scores of every bar of a history (a backtest);
- optionally `live(history) -> LiveScorer`, a faster path for paper trading. Without it the engine
  uses `TrailingWindowScorer`: each new bar, `generate` over the last `lookback` bars, last row.
  Either way the live score of a bar must equal its batch score (tests check it for every strategy
  Parity ships and for the examples).

Its parameters, if it has any, are a pydantic model named `Params` on the class, and the class is
built as `cls(params)`; without `Params` it is built as `cls()`. The config names it by import path
(`strategy: {use: "package.module:ClassName", params: {...}}`, see parity/strategy_registry.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from parity.engine.data.bars import Bars


@dataclass(frozen=True)
class SignalSet:
    # float64 (T, N) in [-1, 1]; NaN = no view (the engine leaves that symbol's holding as it is).
    # Row t uses only data up to the close of bar t.
    scores: np.ndarray
    # (T,) str: the model version that produced row t ("" for rule-based strategies; None: all "").
    model_version: np.ndarray | None = None
    # Tables for the run report, e.g. "feature_importance", "ic_per_retrain"; may be empty.
    diagnostics: dict[str, pd.DataFrame] = field(default_factory=dict)
    # Files for the run folder, relative path -> bytes (e.g. "models/<version>.ubj"); written only
    # when the run is saved, so generating signals never touches the disk.
    artifacts: Mapping[str, bytes] = field(default_factory=dict)
    # Surprising but legal things the strategy saw (e.g. coverage gaps in a signals file): shown with
    # the run's data notes and printed, never silent.
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        scores = np.asarray(self.scores)
        if scores.ndim != 2 or scores.dtype != np.float64:
            raise ValueError(f"SignalSet.scores: expected float64 (T, N), got {scores.dtype}{scores.shape}")
        finite = scores[np.isfinite(scores)]
        if finite.size and (finite.min() < -1.0 or finite.max() > 1.0):
            raise ValueError(f"SignalSet.scores must lie in [-1, 1] (got {finite.min():g} .. {finite.max():g}); "
                             "rank or clip them first")
        if self.model_version is None:
            object.__setattr__(self, "model_version", np.full(scores.shape[0], "", dtype=object))
        elif np.shape(self.model_version) != (scores.shape[0],):
            raise ValueError("SignalSet.model_version must have one entry per bar")

    def frame(self, bars: Bars) -> pd.DataFrame:
        """Long format for signals.parquet: ts, symbol, score, model_version."""
        t, n = self.scores.shape
        return pd.DataFrame({
            "ts": bars.index.repeat(n),  # tz-aware UTC, like every other run table
            "symbol": np.tile(np.array(bars.symbols, dtype=object), t),
            "score": self.scores.reshape(-1),
            "model_version": np.repeat(self.model_version, n),
        })


class StaleSignals(Exception):
    """A live scorer has no fresh scores for the bar being decided (e.g. the user's signals file was not
    updated in time). The runner then takes no new risk on that bar, alerts and journals it; it never
    trades on older scores."""


@runtime_checkable
class LiveScorer(Protocol):
    """Scores one new bar at a time after warming up on a history."""

    # The model that scored the latest bar ("" for rule-based strategies or before a model exists).
    model_version: str

    def update(self, bar: Bars) -> np.ndarray:
        """Append the last row of `bar` (a one-bar Bars of the history's universe); its (N,) scores.
        May raise StaleSignals."""
        ...


@runtime_checkable
class Strategy(Protocol):
    name: str
    lookback: int

    def generate(self, bars: Bars) -> SignalSet:
        """Scores for every bar of `bars`."""
        ...


class TrailingWindowScorer:
    """The default live path: `generate` over the trailing `lookback` bars, newest row taken."""

    def __init__(self, strategy: Strategy, history: Bars) -> None:
        self.strategy = strategy
        self.window = max(int(strategy.lookback), 1)
        self._bars = history.slice(max(history.n_bars - self.window + 1, 0), history.n_bars)
        self.model_version = ""

    def update(self, bar: Bars) -> np.ndarray:
        if bar.symbols != self._bars.symbols:
            raise ValueError("live scoring: the new bar's symbols differ from the history's; "
                             "pass bars of the same universe in the same order")
        bars = self._bars.append(bar.slice(bar.n_bars - 1, bar.n_bars))
        self._bars = bars.slice(max(bars.n_bars - self.window + 1, 0), bars.n_bars)  # kept for the next bar
        signals = self.strategy.generate(bars.slice(max(bars.n_bars - self.window, 0), bars.n_bars))
        self.model_version = str(signals.model_version[-1])
        return np.ascontiguousarray(signals.scores[-1], dtype=np.float64)


def live_scorer(strategy: Strategy, history: Bars) -> LiveScorer:
    """The strategy's own live path (`strategy.live(history)`) or the trailing-window default."""
    live = getattr(strategy, "live", None)
    return live(history) if callable(live) else TrailingWindowScorer(strategy, history)

"""XGBoost's live path: one new bar at a time, each score identical to the batch walk-forward's.

`XGBoostStrategy.live(history)` warms up on the bars before going live; `update(bar)` appends one
bar and returns its (N,) scores. It keeps the feature rows of every bar (its training data),
computes the new row with `IncrementalFeatures`, retrains on the same schedule and the same training
sets as the batch walk-forward, and scores the new bar with the model in force. It then smooths like
the batch run (`TrailingMean`, the last `smoothing` ranked rows): on start it rebuilds the ranked
rows of the last `smoothing - 1` history bars with the model in force at each of them (one more
training when they straddle a retrain). tests/strategies/test_live.py checks batch == live to the bit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from parity.engine.data.bars import Bars
from parity.strategies.features import IncrementalFeatures, compute_features
from parity.strategies.labels import make_labels
from parity.strategies.model_store import TrainedModel, predict
from parity.strategies.smoothing import TrailingMean
from parity.strategies.walkforward import is_retrain_bar, last_retrain_at_or_before, window_at
from parity.strategies.xgboost_strategy import scores_from_predictions

if TYPE_CHECKING:
    from parity.strategies.xgboost_strategy import XGBoostStrategy


class _Rows:
    """An append-only stack of equally shaped rows with amortised O(1) appends."""

    def __init__(self, initial: np.ndarray) -> None:
        self._data = np.array(initial, dtype=np.float64, copy=True)
        self._n = len(initial)

    def append(self, row: np.ndarray) -> None:
        if self._n == len(self._data):
            grown = np.empty((max(2 * self._n, 16), *self._data.shape[1:]), dtype=np.float64)
            grown[: self._n] = self._data[: self._n]
            self._data = grown
        self._data[self._n] = row
        self._n += 1

    @property
    def values(self) -> np.ndarray:
        return self._data[: self._n]

    def __len__(self) -> int:
        return self._n


class XGBoostLive:
    """Newest score row for each new bar, identical to `XGBoostStrategy.generate(all bars)`."""

    def __init__(self, strategy: XGBoostStrategy, history: Bars) -> None:
        if history.n_bars < 1:
            raise ValueError("XGBoost live scoring: the history must hold at least one bar")
        self.cfg = cfg = strategy.cfg
        self.strategy = strategy
        self.symbols = history.symbols
        self.features = _Rows(compute_features(history))
        self.close = _Rows(history.close)
        self.close_ts = list(history.close_ts)
        self.incremental = IncrementalFeatures.from_bars(history)
        self.model: TrainedModel | None = None
        self._warm: dict[int, TrainedModel] = {}  # models trained for history_rows, by retrain bar
        last = last_retrain_at_or_before(history.n_bars - 1, cfg)
        if last is not None:
            self.model = self._model_at(last)
        k = cfg.smoothing
        self._smoother = TrailingMean(k, self._history_rows(history, min(k - 1, history.n_bars)))

    @property
    def model_version(self) -> str:
        return self.model.version if self.model is not None else ""

    def _train(self, t: int) -> TrainedModel:
        # Labels from the closes up to bar t only; the window's label bars end at t - horizon.
        close = self.close.values[: t + 1]
        labels = make_labels(close, self.cfg.horizon, self.cfg.label)
        window = window_at(t, self.cfg, t + self.cfg.retrain_every)
        return self.strategy.train(window, self.features.values[: t + 1], labels,
                                   np.asarray(self.close_ts[: t + 1], dtype=np.int64))

    def _model_at(self, retrain_bar: int) -> TrainedModel:
        if retrain_bar not in self._warm:
            self._warm[retrain_bar] = self._train(retrain_bar)
        return self._warm[retrain_bar]

    def _history_rows(self, history: Bars, n: int) -> np.ndarray:
        """Ranked rows of the last `n` history bars, each scored by the model in force at its bar."""
        rows = np.full((n, history.n_symbols), np.nan)
        for i, t in enumerate(range(history.n_bars - n, history.n_bars)):
            retrain_bar = last_retrain_at_or_before(t, self.cfg)
            if retrain_bar is not None:
                prediction = predict(self._model_at(retrain_bar), self.features.values[t][None])
                rows[i] = scores_from_predictions(prediction, history.close[t: t + 1])[0]
        self._warm.clear()  # only the model in force (self.model) is needed from here on
        return rows

    def update(self, bar: Bars) -> np.ndarray:
        """Append the last row of `bar` (a one-bar Bars of the same universe); return its (N,) scores."""
        if bar.symbols != self.symbols:
            raise ValueError("XGBoost live scoring: the new bar's symbols differ from the history's; "
                             "pass bars of the same universe in the same order")
        return self._smoother.update(self._ranked(bar))

    def _ranked(self, bar: Bars) -> np.ndarray:
        row = self.incremental.update_bar(bar)
        self.features.append(row)
        self.close.append(bar.close[-1])
        self.close_ts.append(int(bar.close_ts[-1]))
        t = len(self.close) - 1
        if is_retrain_bar(t, self.cfg):
            self.model = self._train(t)
        if self.model is None:
            return np.full(row.shape[0], np.nan)
        prediction = predict(self.model, row[None])
        return scores_from_predictions(prediction, bar.close[-1:])[0]



"""The default strategy: walk-forward XGBoost over the 45 features, one score per symbol per bar.

Batch path: features once over the whole history, labels once, then one model per retrain window
(walkforward.py) scoring the bars up to the next retrain. Predictions are ranked across the symbols
of each bar onto [-1, 1]; bars before the first model, and symbols without a close, rank NaN. The
score is the trailing mean of the last `smoothing` ranked rows (strategies/smoothing.py): NaN only
where all of them are NaN. Diagnostics grade the smoothed scores, the ones the engine trades.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from parity.engine.data.bars import Bars
from parity.engine.signals import SignalSet
from parity.strategies.diagnostics import signal_diagnostics
from parity.strategies.features import FEATURE_NAMES, compute_features
from parity.strategies.labels import make_labels
from parity.strategies.model_store import TrainedModel, fit_model, model_files, predict
from parity.strategies.params import XGBoostParams
from parity.strategies.ranks import cross_sectional_rank
from parity.strategies.smoothing import trailing_mean
from parity.strategies.walkforward import TrainWindow, first_retrain_bar, plan_walk_forward, training_set

if TYPE_CHECKING:
    from parity.strategies.xgboost_live import XGBoostLive


def scores_from_predictions(predictions: np.ndarray, close: np.ndarray) -> np.ndarray:
    """Rank predictions across symbols per bar onto [-1, 1]; no score where a symbol has no close."""
    return cross_sectional_rank(np.where(np.isfinite(close), predictions, np.nan))


class XGBoostStrategy:
    """Walk-forward XGBoost. Its own live path (strategies/xgboost_live.py) keeps the feature rows and
    retrains on the batch schedule, so `lookback` is the least history before the first full score:
    the first model's bar (train_bars + horizon - 1) plus `smoothing` rows."""

    name = "xgboost"
    Params = XGBoostParams

    def __init__(self, cfg: XGBoostParams = XGBoostParams()) -> None:
        self.cfg = cfg
        self.lookback = first_retrain_bar(cfg) + cfg.smoothing

    def live(self, history: Bars) -> "XGBoostLive":
        from parity.strategies.xgboost_live import XGBoostLive

        return XGBoostLive(self, history)

    def train(self, window: TrainWindow, features: np.ndarray, labels: np.ndarray,
              close_ts: np.ndarray) -> TrainedModel:
        x, y = training_set(features, labels, window)
        return fit_model(x, y, window, self.cfg, close_ts)

    def generate(self, bars: Bars) -> SignalSet:
        features = compute_features(bars)
        labels = make_labels(bars.close, self.cfg.horizon, self.cfg.label)
        predictions = np.full(bars.close.shape, np.nan)
        versions = np.full(bars.n_bars, "", dtype=object)
        models: list[tuple[TrainWindow, TrainedModel]] = []
        artifacts: dict[str, bytes] = {}
        for window in plan_walk_forward(bars.n_bars, self.cfg):
            model = self.train(window, features, labels, bars.close_ts)
            artifacts.update(model_files(model))
            rows = slice(window.predict_start, window.predict_end)
            predictions[rows] = predict(model, features[rows])
            versions[rows] = model.version
            models.append((window, model))
        scores = trailing_mean(scores_from_predictions(predictions, bars.close), self.cfg.smoothing)
        diagnostics = signal_diagnostics(scores, bars, self.cfg.horizon)
        diagnostics["ic_per_retrain"] = ic_per_retrain(diagnostics["ic_per_bar"], models, bars)
        diagnostics["feature_importance"] = feature_importance([m for _, m in models])
        return SignalSet(scores=scores, model_version=versions, diagnostics=diagnostics, artifacts=artifacts)


def ic_per_retrain(ic_per_bar: pd.DataFrame, models: list[tuple[TrainWindow, TrainedModel]],
                   bars: Bars) -> pd.DataFrame:
    """One row per model: its training window and the out-of-sample IC of the bars it scored."""
    ic = ic_per_bar["ic"].to_numpy()
    n = ic_per_bar["n"].to_numpy()
    index = bars.index
    rows = []
    for w, model in models:
        part = ic[w.predict_start:w.predict_end]
        ok = np.isfinite(part)
        rows.append({
            "retrain_bar": w.retrain_bar,
            "retrain_ts": index[w.retrain_bar],
            "train_start_ts": index[w.train_start],
            "train_end_ts": index[w.train_end],
            "n_train_rows": model.metadata["n_train_rows"],
            "predict_start_ts": index[w.predict_start],
            "predict_end_ts": index[w.predict_end - 1],
            "model_version": model.version,
            "ic": float(part[ok].mean()) if ok.any() else float("nan"),
            "n_bars": int(ok.sum()),
            "n_obs": int(n[w.predict_start:w.predict_end][ok].sum()),
        })
    columns = ["retrain_bar", "retrain_ts", "train_start_ts", "train_end_ts", "n_train_rows", "predict_start_ts",
               "predict_end_ts", "model_version", "ic", "n_bars", "n_obs"]
    return pd.DataFrame(rows, columns=columns)


def feature_importance(models: list[TrainedModel]) -> pd.DataFrame:
    """Gain per feature averaged over the models (0 where a model never split on it), largest first.

    gain: mean over models of the average gain of the feature's splits; total_gain: mean over models
    of the summed gain; share: total_gain / its sum over features; n_models: models that used it.
    """
    names = list(FEATURE_NAMES)
    gain = np.zeros(len(names))
    total = np.zeros(len(names))
    used = np.zeros(len(names), dtype=np.int64)
    for model in models:
        g = model.booster.get_score(importance_type="gain")
        tg = model.booster.get_score(importance_type="total_gain")
        for i, name in enumerate(names):
            gain[i] += g.get(name, 0.0)
            total[i] += tg.get(name, 0.0)
            used[i] += name in g
    k = max(len(models), 1)
    frame = pd.DataFrame({"feature": names, "gain": gain / k, "total_gain": total / k, "n_models": used})
    frame["share"] = frame["total_gain"] / frame["total_gain"].sum() if total.sum() > 0 else 0.0
    return frame.sort_values(["total_gain", "feature"], ascending=[False, True], ignore_index=True)

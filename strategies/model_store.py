"""Fitting, versioning and saving the walk-forward XGBoost models.

A model's version is a hash of what produced it: the XGBoost parameters, the training window
(bars and timestamps) and a digest of the exact training data. Models are saved in XGBoost's own
UBJSON format next to a metadata JSON (models/<version>.ubj, models/<version>.json), handed to the run
folder as bytes (`model_files`) rather than written here.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xgboost as xgb

from parity.strategies.params import XGBoostParams
from parity.strategies.features.registry import FEATURE_NAMES
from parity.strategies.walkforward import TrainWindow


def booster_params(cfg: XGBoostParams) -> dict[str, Any]:
    return {
        "objective": "reg:squarederror",
        "tree_method": "hist",
        "max_depth": cfg.max_depth,
        "learning_rate": cfg.learning_rate,
        "subsample": cfg.subsample,
        "colsample_bytree": cfg.colsample_bytree,
        "min_child_weight": cfg.min_child_weight,
        "reg_lambda": cfg.reg_lambda,
        "seed": cfg.seed,
        "nthread": cfg.n_jobs,
        "verbosity": 0,
    }


@dataclass(frozen=True)
class TrainedModel:
    booster: xgb.Booster
    version: str
    metadata: dict[str, Any]


def data_digest(x: np.ndarray, y: np.ndarray) -> str:
    h = hashlib.sha256()
    for a in (x, y):
        h.update(str(a.shape).encode())
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def _iso(ns: int) -> str:
    return pd.Timestamp(int(ns), tz="UTC").isoformat()


def fit_model(x: np.ndarray, y: np.ndarray, window: TrainWindow, cfg: XGBoostParams,
              close_ts: np.ndarray) -> TrainedModel:
    """Train one model on (x, y) and describe it; `close_ts` dates the window's bars."""
    if y.size == 0:
        raise ValueError(f"walk-forward: no known labels in bars {window.train_start}..{window.train_end}; "
                         "use more data or a smaller strategy.params.train_bars")
    params = booster_params(cfg)
    dtrain = xgb.DMatrix(x, label=y, missing=np.nan, feature_names=list(FEATURE_NAMES), nthread=cfg.n_jobs)
    booster = xgb.train(params, dtrain, num_boost_round=cfg.n_estimators)
    digest = data_digest(x, y)
    train_window = {
        "retrain_bar": window.retrain_bar,
        "train_start_bar": window.train_start, "train_end_bar": window.train_end,
        "train_start_ts": _iso(close_ts[window.train_start]), "train_end_ts": _iso(close_ts[window.train_end]),
        "retrain_ts": _iso(close_ts[window.retrain_bar]),
    }
    identity = json.dumps({"params": params, "n_estimators": cfg.n_estimators, "window": train_window,
                           "data": digest}, sort_keys=True)
    version = hashlib.sha256(identity.encode()).hexdigest()[:16]
    metadata = {
        "model_version": version,
        **train_window,
        "n_train_rows": int(y.size),
        "label": cfg.label, "horizon": cfg.horizon, "window": cfg.window,
        "features": list(FEATURE_NAMES),
        "params": params, "n_estimators": cfg.n_estimators,
        "data_digest": digest,
        "xgboost_version": xgb.__version__,
    }
    return TrainedModel(booster, version, metadata)


def predict(model: TrainedModel, features: np.ndarray) -> np.ndarray:
    """Predictions for (..., N, 45) features -> (..., N) float64 (row by row, so one bar alone
    gives the same numbers as that bar inside a block)."""
    shape = features.shape[:-1]
    x = np.ascontiguousarray(features.reshape(-1, features.shape[-1]), dtype=np.float32)
    out = model.booster.inplace_predict(x, missing=np.nan)
    return np.asarray(out, dtype=np.float64).reshape(shape)


def model_files(model: TrainedModel) -> dict[str, bytes]:
    """models/<version>.ubj (the booster) and models/<version>.json (its metadata), for the run folder."""
    return {
        f"models/{model.version}.ubj": bytes(model.booster.save_raw(raw_format="ubj")),
        f"models/{model.version}.json": (json.dumps(model.metadata, indent=2, sort_keys=True) + "\n").encode(),
    }

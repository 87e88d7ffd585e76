import json

import numpy as np
import pytest
import xgboost as xgb

from parity.engine.config import validate_config
from parity.strategies.momentum import MomentumStrategy
from parity.strategies.xgboost_strategy import XGBoostStrategy
from parity.strategy_registry import resolve_strategy
from parity.strategies.features import FEATURE_NAMES, compute_features
from parity.strategies.model_store import predict
from parity.strategies.smoothing import trailing_mean
from parity.strategies.walkforward import plan_walk_forward
from strategy_kit import fast_xgb, fast_xgb_strategy, same, small_bars, write_artifacts

BARS = small_bars(100, 8)


def test_the_registry_builds_the_builtins_by_name():
    assert isinstance(resolve_strategy(validate_config({"strategy": {"use": "momentum"}})).build(), MomentumStrategy)
    assert isinstance(resolve_strategy(validate_config({"strategy": {"use": "xgboost"}})).build(), XGBoostStrategy)


def test_scores_versions_and_saved_models(tmp_path):
    cfg = fast_xgb(smoothing=1)  # the ranked predictions themselves
    out = XGBoostStrategy(cfg).generate(BARS)
    write_artifacts(out, tmp_path)
    plan = plan_walk_forward(BARS.n_bars, cfg)  # retrains at 42, 52, ..., 92
    first = plan[0].retrain_bar
    assert np.isnan(out.scores[:first]).all() and set(out.model_version[:first]) == {""}
    live_rows = out.scores[first:]
    assert np.nanmin(live_rows) == -1.0 and np.nanmax(live_rows) == 1.0
    # symbol 5 has no close at bar 50 -> no score there; the rest of that bar is ranked
    assert np.isnan(out.scores[50, 5]) and np.isfinite(out.scores[50, [0, 1, 2, 3, 4, 6, 7]]).all()
    versions = list(dict.fromkeys(out.model_version[first:]))
    assert len(versions) == len(plan)
    for w, version in zip(plan, versions):
        meta = json.loads((tmp_path / "models" / f"{version}.json").read_text())
        assert meta["retrain_bar"] == w.retrain_bar and meta["train_end_bar"] == w.retrain_bar - cfg.horizon
        assert meta["features"] == list(FEATURE_NAMES) and meta["params"]["seed"] == cfg.seed
        assert meta["params"]["max_depth"] == cfg.max_depth and meta["data_digest"]
        booster = xgb.Booster(model_file=str(tmp_path / "models" / f"{version}.ubj"))
        assert booster.num_boosted_rounds() == cfg.n_estimators
    # the saved last model reproduces the last bar's predictions, hence its scores
    features = compute_features(BARS)
    last = xgb.Booster(model_file=str(tmp_path / "models" / f"{versions[-1]}.ubj"))
    preds = last.inplace_predict(features[-1].astype(np.float32))
    order_by_pred = np.argsort(preds, kind="stable")
    assert np.all(np.diff(out.scores[-1][order_by_pred]) >= 0)


def test_smoothing_averages_the_ranked_rows_and_keeps_the_model_versions():
    raw = fast_xgb_strategy(smoothing=1).generate(BARS)
    smooth = fast_xgb_strategy(smoothing=4).generate(BARS)
    assert same(smooth.scores, trailing_mean(raw.scores, 4))
    assert list(smooth.model_version) == list(raw.model_version)
    # symbol 5 has no close at bar 50: no rank there, but its bars 47..49 still give it a score
    assert np.isnan(raw.scores[50, 5])
    assert smooth.scores[50, 5] == pytest.approx(np.mean(raw.scores[47:50, 5]))
    # the first model's bar has nothing before it to average with
    first = plan_walk_forward(BARS.n_bars, fast_xgb())[0].retrain_bar
    assert same(smooth.scores[first], raw.scores[first]) and np.isnan(smooth.scores[:first]).all()


def test_same_seed_same_scores_other_seed_other_models():
    # two threads, as in production: XGBoost's hist trainer is deterministic for a fixed thread count
    a = fast_xgb_strategy(n_jobs=2).generate(BARS)
    b = fast_xgb_strategy(n_jobs=2).generate(BARS)
    c = fast_xgb_strategy(n_jobs=2, seed=7).generate(BARS)
    assert same(a.scores, b.scores) and list(a.model_version) == list(b.model_version)
    assert not same(a.scores, c.scores)  # row and column subsampling follow the seed
    assert set(a.model_version[60:]).isdisjoint(c.model_version[60:])


def test_diagnostic_tables(tmp_path):
    cfg = fast_xgb()
    d = XGBoostStrategy(cfg).generate(BARS).diagnostics
    imp = d["feature_importance"]
    assert list(imp["feature"].sort_values()) == sorted(FEATURE_NAMES)
    assert imp["total_gain"].is_monotonic_decreasing and imp["share"].sum() == pytest.approx(1.0)
    per_retrain = d["ic_per_retrain"]
    plan = plan_walk_forward(BARS.n_bars, cfg)
    assert list(per_retrain["retrain_bar"]) == [w.retrain_bar for w in plan]
    assert per_retrain["ic"].between(-1, 1).all()
    # each retrain's IC is the mean of the per-bar ICs of the bars its model scored
    ic = d["ic_per_bar"]["ic"].to_numpy()
    w = plan[1]
    assert per_retrain["ic"].iloc[1] == pytest.approx(np.nanmean(ic[w.predict_start:w.predict_end]))
    summary = d["signal_summary"].iloc[0]
    assert summary["horizon"] == cfg.horizon and summary["mean_ic"] == pytest.approx(np.nanmean(ic))
    assert 0 <= summary["hit_rate"] <= 1


def test_predictions_row_by_row_equal_block_predictions():
    cfg = fast_xgb()
    features = compute_features(BARS)
    model = XGBoostStrategy(cfg).train(plan_walk_forward(BARS.n_bars, cfg)[0], features,
                                       np.random.default_rng(0).normal(size=BARS.close.shape), BARS.close_ts)
    block = predict(model, features[60:70])
    rows = np.stack([predict(model, features[t][None])[0] for t in range(60, 70)])
    assert same(block, rows)

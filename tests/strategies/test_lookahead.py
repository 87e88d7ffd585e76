"""No look-ahead: changing every bar after t changes nothing the strategy knew at t.

Checked on seeded synthetic bars: every feature, every label used in training, every model (its
version hash and its saved bytes) and every score at or before t is bit-for-bit unchanged.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from parity.strategies.momentum import MomentumStrategy
from parity.strategies.params import MomentumParams
from parity.strategies.xgboost_strategy import XGBoostStrategy
from parity.strategies.features import compute_features
from parity.strategies.labels import make_labels
from parity.strategies.walkforward import plan_walk_forward, training_set
from strategy_kit import fast_xgb, perturb_after, same, small_bars, write_artifacts

BARS = small_bars(125, 9)


def _models(artifacts: Path) -> dict[str, tuple[int, bytes]]:
    out = {}
    for meta_path in sorted((artifacts / "models").glob("*.json")):
        meta = json.loads(meta_path.read_text())
        out[meta["model_version"]] = (meta["retrain_bar"], meta_path.with_suffix(".ubj").read_bytes())
    return out


@pytest.mark.parametrize("t", [30, 61, 62, 77])
def test_features_at_or_before_t_ignore_later_bars(t):
    before = compute_features(BARS)
    after = compute_features(perturb_after(BARS, t))
    assert same(before[: t + 1], after[: t + 1])
    assert not same(before[t + 1:], after[t + 1:])  # the perturbation is real


@pytest.mark.parametrize("t", [61, 62, 77])  # 62 and 72 are retrain bars with this config
@pytest.mark.parametrize("label", ["rank", "excess"])
def test_walk_forward_models_labels_and_scores_ignore_later_bars(t, label, tmp_path):
    # horizon 3, first retrain at 40 + 3 - 1 = 42, every 10 bars; scores are the trailing mean of
    # the last 4 ranked rows, so row t mixes rows t-3..t (across the retrain at 62 when t = 62)
    cfg = fast_xgb(label=label, smoothing=4)
    changed = perturb_after(BARS, t)

    # labels used in training: identical for every model trained at or before t
    f_a, f_b = compute_features(BARS), compute_features(changed)
    y_a = make_labels(BARS.close, cfg.horizon, cfg.label)
    y_b = make_labels(changed.close, cfg.horizon, cfg.label)
    windows = [w for w in plan_walk_forward(BARS.n_bars, cfg) if w.retrain_bar <= t]
    assert windows
    for w in windows:
        xa, ya = training_set(f_a, y_a, w)
        xb, yb = training_set(f_b, y_b, w)
        assert same(xa, xb) and same(ya, yb), f"training data of the model trained at bar {w.retrain_bar}"

    # models and scores
    a = XGBoostStrategy(cfg).generate(BARS)
    b = XGBoostStrategy(cfg).generate(changed)
    write_artifacts(a, tmp_path / "a")
    write_artifacts(b, tmp_path / "b")
    models_a, models_b = _models(tmp_path / "a"), _models(tmp_path / "b")
    known = {v: m for v, m in models_a.items() if m[0] <= t}
    assert len(known) == len(windows)
    for version, (retrain_bar, blob) in known.items():
        assert models_b.get(version) == (retrain_bar, blob), f"model trained at bar {retrain_bar} changed"
    assert same(a.scores[: t + 1], b.scores[: t + 1])
    assert list(a.model_version[: t + 1]) == list(b.model_version[: t + 1])
    assert not same(a.scores[t + 1:], b.scores[t + 1:])  # later rows did see the change


@pytest.mark.parametrize("smoothing", [1, 5])
@pytest.mark.parametrize("t", [40, 88])
def test_momentum_scores_ignore_later_bars(t, smoothing):
    momentum = MomentumParams(lookback=20, skip=2, smoothing=smoothing)
    strategy = MomentumStrategy(momentum)
    a = strategy.generate(BARS).scores
    b = strategy.generate(perturb_after(BARS, t)).scores
    assert same(a[: t + 1], b[: t + 1]) and not same(a[t + 1:], b[t + 1:])

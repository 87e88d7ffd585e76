import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parity.strategies.params import XGBoostParams
from parity.strategies.features import compute_features
from parity.strategies.labels import make_labels
from parity.strategies.walkforward import (
    TrainWindow, first_retrain_bar, is_retrain_bar, last_retrain_at_or_before, plan_walk_forward, training_set,
)
from strategy_kit import same, small_bars


def test_plan_by_hand_expanding():
    cfg = XGBoostParams(horizon=5, train_bars=20, retrain_every=10, window="expanding")
    plan = plan_walk_forward(50, cfg)
    # first retrain at 20 + 5 - 1 = 24: label bars 0..19 (20 of them) are known, 20..23 are purged
    assert plan == [
        TrainWindow(retrain_bar=24, train_start=0, train_end=19, predict_start=24, predict_end=34),
        TrainWindow(retrain_bar=34, train_start=0, train_end=29, predict_start=34, predict_end=44),
        TrainWindow(retrain_bar=44, train_start=0, train_end=39, predict_start=44, predict_end=50),
    ]


def test_plan_by_hand_rolling():
    cfg = XGBoostParams(horizon=3, train_bars=20, retrain_every=7, window="rolling")
    plan = plan_walk_forward(40, cfg)
    # retrains at 22, 29, 36; each uses the 20 label bars ending at retrain - 3
    assert [(w.retrain_bar, w.train_start, w.train_end) for w in plan] == [(22, 0, 19), (29, 7, 26), (36, 14, 33)]


def test_too_little_data_gives_no_model():
    assert plan_walk_forward(24, XGBoostParams(horizon=5, train_bars=20)) == []


@settings(max_examples=60, deadline=None)
@given(horizon=st.integers(1, 20), train_bars=st.integers(20, 60), every=st.integers(1, 30),
       n_bars=st.integers(1, 300), rolling=st.booleans())
def test_purge_and_embargo_hold_for_every_plan(horizon, train_bars, every, n_bars, rolling):
    cfg = XGBoostParams(horizon=horizon, train_bars=train_bars, retrain_every=every,
                        window="rolling" if rolling else "expanding")
    plan = plan_walk_forward(n_bars, cfg)
    for w in plan:
        # every label in the training set is known at the retrain: its horizon ends at or before it
        assert w.train_end + horizon <= w.retrain_bar
        assert w.train_end + horizon == w.retrain_bar  # and nothing known is wasted
        assert w.train_end - w.train_start + 1 == train_bars if rolling else w.train_start == 0
        assert w.train_end - w.train_start + 1 >= train_bars
        assert w.predict_start == w.retrain_bar  # a model never scores a bar before it was trained
        assert is_retrain_bar(w.retrain_bar, cfg)
    # the models' scoring spans tile [first retrain, n_bars) without gaps or overlaps
    spans = [(w.predict_start, w.predict_end) for w in plan]
    if plan:
        assert spans[0][0] == first_retrain_bar(cfg) and spans[-1][1] == n_bars
        assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    for t in range(n_bars):
        last = last_retrain_at_or_before(t, cfg)
        in_force = [w.retrain_bar for w in plan if w.predict_start <= t < w.predict_end]
        assert in_force == ([last] if last is not None else [])


@pytest.mark.parametrize("label", ["raw", "rank", "excess"])
def test_training_set_uses_only_labels_known_at_the_retrain(label):
    bars = small_bars(120, 8)
    features = compute_features(bars)
    cfg = XGBoostParams(horizon=4, train_bars=40, retrain_every=15, label=label)
    full_labels = make_labels(bars.close, cfg.horizon, cfg.label)
    for w in plan_walk_forward(bars.n_bars, cfg):
        # labels computed from the closes up to the retrain bar only (what was known then)
        known = make_labels(bars.close[: w.retrain_bar + 1], cfg.horizon, cfg.label)
        x_full, y_full = training_set(features, full_labels, w)
        x_known, y_known = training_set(features[: w.retrain_bar + 1], known, w)
        assert same(x_full, x_known) and same(y_full, y_known)
        # rows: label bars train_start..train_end with a known label, bar-major then symbol
        block = full_labels[w.train_start: w.train_end + 1].reshape(-1)
        assert y_full.size == np.isfinite(block).sum()
        np.testing.assert_array_equal(y_full, block[np.isfinite(block)].astype(np.float32))


def test_an_unpurged_window_would_leak_and_the_check_above_would_see_it():
    # Negative control: training through the retrain bar itself uses labels that reach past it.
    bars = small_bars(120, 8)
    features = compute_features(bars)
    cfg = XGBoostParams(horizon=4, train_bars=40, retrain_every=15)
    w = plan_walk_forward(bars.n_bars, cfg)[0]
    leaky = TrainWindow(w.retrain_bar, w.train_start, w.retrain_bar, w.predict_start, w.predict_end)
    known = make_labels(bars.close[: w.retrain_bar + 1], cfg.horizon, cfg.label)
    full = make_labels(bars.close, cfg.horizon, cfg.label)
    assert not same(training_set(features, full, leaky)[1], training_set(features, known, leaky)[1])

"""Live scoring, one bar at a time, gives the batch rows bit for bit (scores and model versions), for
every strategy Parity ships: momentum through the engine's default trailing-window path, XGBoost
through its own incremental path."""

import numpy as np
import pytest

from parity.engine.signals import Strategy, TrailingWindowScorer, live_scorer
from parity.strategies.momentum import MomentumStrategy
from parity.strategies.params import MomentumParams
from strategy_kit import fast_xgb_strategy, same, small_bars

BARS = small_bars(110, 8)


def replay_live(strategy: Strategy, start: int, bars=BARS):
    """Scores of bars start.. from the strategy's live path, warmed up on the bars before `start`."""
    live = live_scorer(strategy, bars.slice(0, start))
    rows, versions = [], []
    for t in range(start, bars.n_bars):
        rows.append(live.update(bars.slice(t, t + 1)))
        versions.append(live.model_version)
    return np.array(rows), versions


@pytest.mark.parametrize("smoothing", [1, 4])
@pytest.mark.parametrize("start", [1, 2, 25, 70])
def test_live_momentum_equals_batch(start, smoothing):
    strategy = MomentumStrategy(MomentumParams(lookback=20, skip=3, vol_lookback=10, smoothing=smoothing))
    assert isinstance(live_scorer(strategy, BARS.slice(0, start)), TrailingWindowScorer)
    rows, _ = replay_live(strategy, start)
    assert same(rows, strategy.generate(BARS).scores[start:])


def test_momentum_lookback_is_exactly_the_window_a_row_needs():
    """A row scored from exactly `lookback` bars equals the batch row; one bar fewer does not."""
    strategy = MomentumStrategy(MomentumParams(lookback=20, skip=3, vol_lookback=10, smoothing=4))
    t = 80
    batch = strategy.generate(BARS).scores[t]
    window = strategy.generate(BARS.slice(t - strategy.lookback + 1, t + 1)).scores[-1]
    short = strategy.generate(BARS.slice(t - strategy.lookback + 2, t + 1)).scores[-1]
    assert same(window, batch) and not same(short, batch)


# First retrain at bar 42, then 52, 62, ... With smoothing 5 the scorer rebuilds the ranked rows of
# the 4 history bars before `start`: 30 (no model anywhere), 44 (rows 40..43: two before the first
# model), 47 (mid-window), 52 (on a retrain bar: rows 48..51 from the model of bar 42), 54 (rows
# 50..53 straddle the retrain at 52, so both models score history rows).
@pytest.mark.parametrize(("start", "smoothing"), [(30, 5), (44, 5), (47, 5), (52, 5), (54, 5), (47, 1), (52, 1)])
def test_live_xgboost_equals_batch(start, smoothing):
    strategy = fast_xgb_strategy(smoothing=smoothing)
    batch = strategy.generate(BARS)
    rows, versions = replay_live(strategy, start)
    assert same(rows, batch.scores[start:])
    assert versions == list(batch.model_version[start:])


@pytest.mark.parametrize("strategy", [MomentumStrategy(), fast_xgb_strategy()], ids=["momentum", "xgboost"])
def test_live_rejects_a_bar_of_another_universe(strategy):
    live = live_scorer(strategy, BARS.slice(0, 60))
    other = small_bars(70, 5)
    with pytest.raises(ValueError, match="symbols differ"):
        live.update(other.slice(61, 62))

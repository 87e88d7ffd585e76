"""Live scoring, one bar at a time, gives the batch rows bit for bit (scores and model versions)."""

import json

import numpy as np
import pytest

from parity.engine.config.schema import MomentumConfig, StrategyConfig
from parity.strategies import LiveScorer, build_strategy
from strategy_kit import same, small_bars, xgb_strategy_config

BARS = small_bars(110, 8)


def _replay(cfg: StrategyConfig, start: int, artifacts=None):
    live = LiveScorer(cfg, BARS.slice(0, start), artifacts)
    rows, versions = [], []
    for t in range(start, BARS.n_bars):
        rows.append(live.update(BARS.slice(t, t + 1)))
        versions.append(live.model_version)
    return np.array(rows), versions


@pytest.mark.parametrize("smoothing", [1, 4])
@pytest.mark.parametrize("start", [1, 2, 25, 70])
def test_live_momentum_equals_batch(start, smoothing):
    cfg = StrategyConfig(name="momentum", momentum=MomentumConfig(lookback=20, skip=3, vol_lookback=10,
                                                                  smoothing=smoothing))
    batch = build_strategy(cfg).generate(BARS).scores
    rows, _ = _replay(cfg, start)
    assert same(rows, batch[start:])


# First retrain at bar 42, then 52, 62, ... With smoothing 5 the scorer rebuilds the ranked rows of
# the 4 history bars before `start`: 30 (no model anywhere), 44 (rows 40..43: two before the first
# model), 47 (mid-window), 52 (on a retrain bar: rows 48..51 from the model of bar 42), 54 (rows
# 50..53 straddle the retrain at 52, so both models score history rows).
@pytest.mark.parametrize(("start", "smoothing"), [(30, 5), (44, 5), (47, 5), (52, 5), (54, 5), (47, 1), (52, 1)])
def test_live_xgboost_equals_batch(start, smoothing, tmp_path):
    cfg = xgb_strategy_config(smoothing=smoothing)
    batch = build_strategy(cfg).generate(BARS, tmp_path / "batch")
    rows, versions = _replay(cfg, start, tmp_path / "live")
    assert same(rows, batch.scores[start:])
    assert versions == list(batch.model_version[start:])
    # every model the live run trained is byte-identical to the batch run's
    for path in (tmp_path / "live" / "models").glob("*.ubj"):
        assert path.read_bytes() == (tmp_path / "batch" / "models" / path.name).read_bytes()
        meta = json.loads(path.with_suffix(".json").read_text())
        assert meta == json.loads((tmp_path / "batch" / "models" / path.with_suffix(".json").name).read_text())


def test_live_rejects_a_bar_of_another_universe():
    cfg = StrategyConfig(name="momentum")
    live = LiveScorer(cfg, BARS.slice(0, 10))
    other = small_bars(12, 5)
    with pytest.raises(ValueError, match="symbols differ"):
        live.update(other.slice(11, 12))

import numpy as np
import pytest
from pydantic import ValidationError

from parity.strategies.params import MomentumParams
from parity.strategies.momentum import MomentumStrategy, momentum_raw, momentum_scores, trailing_volatility
from parity.strategies.smoothing import trailing_mean
from strategy_kit import hand_bars, same, small_bars

# Powers of two keep every log ratio exact, so ties are real ties.
CLOSE = np.array([
    [8.0, 8.0, 10.0],
    [16.0, 4.0, 10.0],
    [32.0, 8.0, 10.0],
    [40.0, 2.0, 10.0],
])


def test_momentum_scores_by_hand():
    cfg = MomentumParams(lookback=2, skip=1, vol_scaled=False)
    scores = momentum_scores(CLOSE, cfg)
    # raw[t] = ln(C[t-1] / C[t-2]); rows 0 and 1 lack history -> NaN
    assert np.isnan(scores[:2]).all()
    # t = 2: ln(16/8) = ln 2, ln(4/8) = -ln 2, 0 -> ranks 3, 1, 2 -> +1, -1, 0
    np.testing.assert_array_equal(scores[2], [1.0, -1.0, 0.0])
    # t = 3: ln(32/16) = ln 2, ln(8/4) = ln 2 (a tie, average rank 2.5 -> 0.5), 0 -> -1
    # bar 3 itself (40, 2) is skipped, so its big moves do not count
    np.testing.assert_array_equal(scores[3], [0.5, 0.5, -1.0])


def test_vol_scaling_by_hand():
    cfg = MomentumParams(lookback=2, skip=0, vol_lookback=2, vol_scaled=True)
    raw = momentum_raw(CLOSE, cfg)
    # symbol 0 at t = 2: return ln(32/8) = 2 ln 2; 1-bar log returns ln 2, ln 2 -> std 0 -> no score
    assert np.isnan(raw[2, 0])
    # symbol 1 at t = 3: return ln(2/4) = -ln 2; log returns ln(8/4) = ln 2, ln(2/8) = -2 ln 2
    # std (ddof 1) of two values = |a - b| / sqrt(2) = 3 ln 2 / sqrt(2) -> score -sqrt(2) / 3
    np.testing.assert_allclose(raw[3, 1], -np.sqrt(2) / 3, rtol=1e-12)
    # symbol 2 never moves: zero volatility -> NaN rather than an infinite score
    assert np.isnan(raw[:, 2]).all()


def test_trailing_volatility_matches_numpy():
    bars = small_bars(80, 6, holes=False)
    vol = trailing_volatility(bars.close, 20)
    log_ret = np.log(bars.close[1:] / bars.close[:-1])
    for t in (20, 47, 79):  # row t uses returns of bars t-19..t, i.e. log_ret rows t-20..t-1
        np.testing.assert_allclose(vol[t], log_ret[t - 20:t].std(axis=0, ddof=1), rtol=1e-12)
    assert np.isnan(vol[:20]).all()


def test_strategy_outputs_a_valid_signal_set_and_is_deterministic():
    bars = small_bars(120, 8)
    cfg = MomentumParams(lookback=30, skip=3, vol_lookback=10)
    first = MomentumStrategy(cfg).generate(bars)
    second = MomentumStrategy(cfg).generate(bars)
    assert same(first.scores, second.scores)
    assert np.isnan(first.scores[:30]).all() and np.isfinite(first.scores[31:, 0]).all()
    assert np.nanmax(first.scores) == 1.0 and np.nanmin(first.scores) == -1.0
    assert set(first.model_version) == {""}
    assert {"ic_per_bar", "signal_summary"} <= set(first.diagnostics)


def test_smoothing_is_the_trailing_mean_of_the_ranked_rows():
    bars = small_bars(90, 6)
    cfg = MomentumParams(lookback=20, skip=2, vol_lookback=10)
    ranked = momentum_scores(bars.close, cfg)
    assert same(MomentumStrategy(cfg).generate(bars).scores, ranked)  # default 1 = off
    smooth = MomentumStrategy(cfg.model_copy(update={"smoothing": 3})).generate(bars).scores
    assert same(smooth, trailing_mean(ranked, 3))
    # row 50: the mean of ranked rows 48..50 over the finite ones. small_bars drops symbol 2's closes
    # at bars 30..32, and lookback 20 reads close[50 - 20] at row 50 -> its row-50 rank is NaN and the
    # smoothed score is the mean of rows 48 and 49 alone. Symbol 5 (no close at bar 45, inside every
    # 10-bar volatility window up to bar 55) has no rank in 48..50 -> NaN.
    assert np.isnan(ranked[50, 2]) and np.isfinite(ranked[48:50, 2]).all()
    assert smooth[50, 2] == (ranked[48, 2] + ranked[49, 2]) / 2
    assert np.isnan(ranked[48:51, 5]).all() and np.isnan(smooth[50, 5])
    for n in (0, 1, 3, 4):
        assert smooth[50, n] == pytest.approx(ranked[48:51, n].mean(), abs=1e-15)


def test_missing_close_gives_no_score_for_that_symbol():
    close = np.exp(np.cumsum(np.random.default_rng(1).normal(0, 0.01, (40, 4)), axis=0)) * 50
    close[25, 1] = np.nan
    scores = MomentumStrategy(MomentumParams(lookback=10, skip=2, vol_lookback=5)).generate(hand_bars(close)).scores
    # bar 25's close feeds row 25 (volatility) and rows 27 and 35 (skip/lookback ends)
    assert np.isnan(scores[25, 1]) and np.isnan(scores[35, 1])
    assert np.isfinite(scores[25, [0, 2, 3]]).all()


def test_skip_must_be_inside_lookback():
    with pytest.raises(ValidationError, match="skip"):
        MomentumParams(lookback=5, skip=5)

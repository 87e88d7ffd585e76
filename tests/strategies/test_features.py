import numpy as np
import pytest

from parity.strategies.features import FEATURE_NAMES, FEATURES, MAX_LOOKBACK, IncrementalFeatures, compute_features
from parity.strategies.features.docs import DOC_PATH, render
from strategy_kit import hand_bars, same, small_bars

IDX = {name: i for i, name in enumerate(FEATURE_NAMES)}


def test_registry_lists_45_distinct_features_with_lookbacks():
    assert len(FEATURES) == 45 and len(set(FEATURE_NAMES)) == 45
    assert all(f.formula and f.group and 0 <= f.lookback <= MAX_LOOKBACK for f in FEATURES)


def test_docs_match_the_registry():
    assert DOC_PATH.read_text() == render(), "docs/features.md is stale: run python -m parity.strategies.features.docs"


def test_shape_and_warm_up():
    bars = small_bars(130, 7, holes=False)
    f = compute_features(bars)
    assert f.shape == (130, 7, 45) and f.dtype == np.float64
    for spec in FEATURES:
        col = f[:, :, IDX[spec.name]]
        assert np.isfinite(col[MAX_LOOKBACK:]).all(), spec.name  # warm after the longest lookback
        assert np.isnan(col[: spec.lookback]).all() or spec.lookback == 0, spec.name


@pytest.mark.parametrize("t", [70, 101])
def test_each_feature_reads_exactly_its_declared_lookback(t):
    bars = small_bars(110, 9, holes=False)
    base = compute_features(bars)
    rng = np.random.default_rng(t)

    def perturbed(rows: slice):
        changed = {}
        for name in ("open", "high", "low", "close", "volume"):
            arr = getattr(bars, name).copy()
            arr[rows] *= rng.uniform(0.3, 3.0, arr[rows].shape)
            changed[name] = arr
        return compute_features(hand_bars(changed["close"], changed["open"], changed["high"], changed["low"],
                                          changed["volume"], bars.sectors))

    for spec in FEATURES:
        i = IDX[spec.name]
        older = perturbed(slice(0, t - spec.lookback))  # everything before the window
        assert same(older[t, :, i], base[t, :, i]), f"{spec.name} reads before t - {spec.lookback}"
        oldest = perturbed(slice(t - spec.lookback, t - spec.lookback + 1))  # the window's first bar
        assert not same(oldest[t, :, i], base[t, :, i]), f"{spec.name} does not read bar t - {spec.lookback}"


def test_incremental_equals_batch_bit_for_bit():
    bars = small_bars(140, 10)  # with missing closes
    batch = compute_features(bars)
    live = IncrementalFeatures(bars.sector_ids()[0])
    for t in range(bars.n_bars):
        row = live.update_bar(bars, t)
        assert same(row, batch[t]), f"bar {t}: live features differ from batch"


def test_incremental_warm_started_from_history_equals_batch():
    bars = small_bars(130, 6)
    batch = compute_features(bars)
    live = IncrementalFeatures.from_bars(bars.slice(0, 100))
    for t in range(100, 130):
        assert same(live.update_bar(bars, t), batch[t])


def test_incremental_rejects_a_wrongly_shaped_bar():
    live = IncrementalFeatures(np.zeros(3, dtype=np.int64))
    with pytest.raises(ValueError, match="'close' has shape"):
        live.update(np.ones(3), np.ones(3), np.ones(3), np.ones(2), np.ones(3))


def test_bar_shape_features_by_hand():
    # one bar that matters, t = 1: prev close 100, O 102, H 110, L 98, C 104
    close = np.array([[100.0], [104.0]])
    bars = hand_bars(close, open_=[[100.0], [102.0]], high=[[100.0], [110.0]], low=[[100.0], [98.0]])
    f = compute_features(bars)[1, 0]
    assert f[IDX["ret_1"]] == pytest.approx(np.log(104 / 100))
    assert f[IDX["gap"]] == pytest.approx(np.log(102 / 100))
    assert f[IDX["intraday_ret"]] == pytest.approx(np.log(104 / 102))
    assert f[IDX["range_hl"]] == pytest.approx(np.log(110 / 98))
    assert f[IDX["close_location"]] == pytest.approx((104 - 98) / (110 - 98))  # 0.5
    # bar 0 is flat (H = L): close location is defined as 0.5
    assert compute_features(bars)[0, 0, IDX["close_location"]] == 0.5


def test_rsi_and_stochastic_by_hand():
    # closes 2^k: every 1-bar log return is +-ln 2. The last 14 moves: 10 up, 4 down.
    moves = [1] * 6 + [-1] * 4 + [1] * 4  # bars 1..14
    k = np.concatenate([[0], np.cumsum(moves)]).astype(float)
    close = (2.0 ** k)[:, None]
    f = compute_features(hand_bars(close))[14, 0]
    # mean gain 10 ln2 / 14, mean loss 4 ln2 / 14 -> RSI = 100 * 10 / 14
    assert f[IDX["rsi_14"]] == pytest.approx(100 * 10 / 14)
    # stochastic over bars 1..14 (high = low = close here): exponents 1..6, 5..2, 3..6
    # min 2^1, max 2^6, close 2^6 -> (64 - 2) / (64 - 2) = 1
    assert f[IDX["stoch_14"]] == pytest.approx(1.0)


def test_cross_sectional_and_sector_features_by_hand():
    # three symbols, sectors A, A, B; bar 1 returns ln 2, ln 4, ln 8 (doubling, quadrupling, x8)
    close = np.array([[1.0, 1.0, 1.0], [2.0, 4.0, 8.0]])
    f = compute_features(hand_bars(close, sectors=["A", "A", "B"]))[1]
    np.testing.assert_allclose(f[:, IDX["xs_rank_ret_1"]], [0.0, 0.5, 1.0])
    # sector A mean = (ln 2 + ln 4) / 2 = 1.5 ln 2 -> -0.5 ln 2, +0.5 ln 2; B is alone -> 0
    np.testing.assert_allclose(f[:, IDX["sector_rel_ret_1"]], [-0.5 * np.log(2), 0.5 * np.log(2), 0.0])


def test_beta_and_residuals_by_hand():
    # symbol 0's log returns are exactly twice symbol 1's; the market mean m = 1.5 x
    # -> beta_0 = cov(2x, 1.5x) / var(1.5x) = 3 / 2.25 = 4/3, beta_1 = 1.5 / 2.25 = 2/3,
    #    residual returns and idiosyncratic volatility are 0.
    x = np.random.default_rng(3).normal(0, 0.01, 70)
    x[0] = 0.0
    log_price = np.cumsum(x)
    close = np.exp(np.column_stack([2 * log_price, log_price])) * 50
    f = compute_features(hand_bars(close))[69]
    np.testing.assert_allclose(f[:, IDX["beta_60"]], [4 / 3, 2 / 3], rtol=1e-9)
    np.testing.assert_allclose(f[:, IDX["resid_ret_20"]], [0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(f[:, IDX["idio_vol_60"]], [0.0, 0.0], atol=1e-7)
    # realised volatility: symbol 0's 60-bar std is twice symbol 1's
    assert f[0, IDX["vol_60"]] == pytest.approx(2 * f[1, IDX["vol_60"]], rel=1e-12)


def test_missing_close_blanks_only_the_windows_that_contain_it():
    bars = small_bars(90, 5, holes=False)
    close = bars.close.copy()
    close[70, 1] = np.nan
    f = compute_features(hand_bars(close, bars.open, bars.high, bars.low, bars.volume, bars.sectors))
    assert np.isnan(f[70, 1, IDX["ret_1"]]) and np.isnan(f[71, 1, IDX["ret_1"]])
    assert np.isfinite(f[72, 1, IDX["ret_1"]])
    assert np.isnan(f[89, 1, IDX["vol_20"]])  # bar 70 is inside the 20-bar window ending at 89
    assert np.isfinite(f[70, [0, 2, 3, 4], IDX["xs_rank_ret_1"]]).all()  # the others still rank

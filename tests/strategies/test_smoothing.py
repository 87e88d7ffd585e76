"""The trailing mean of ranked scores: by hand with NaNs, against pandas, and batch == live."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from pydantic import ValidationError

from parity.strategies.params import MomentumParams, XGBoostParams
from parity.strategies.smoothing import TrailingMean, trailing_mean
from strategy_kit import same

NAN = np.nan
RAW = np.array([
    [1.0, NAN, -1.0],
    [0.5, NAN, NAN],
    [-1.0, 0.25, NAN],
    [0.0, NAN, NAN],
    [NAN, NAN, NAN],
    [NAN, NAN, 1.0],
])


def test_trailing_mean_by_hand_with_nans():
    out = trailing_mean(RAW, 3)
    expected = np.array([
        # row 0: only row 0 exists (rows -2, -1 count as NaN) -> the row itself; column 1 has nothing
        [1.0, NAN, -1.0],
        # row 1: col 0 (1 + 0.5) / 2 = 0.75; col 2 has only -1 among rows 0..1 -> -1
        [0.75, NAN, -1.0],
        # row 2: col 0 (1 + 0.5 - 1) / 3 = 0.5 / 3; col 1 0.25 alone; col 2 -1 from row 0
        [0.5 / 3, 0.25, -1.0],
        # row 3 (rows 1..3): col 0 (0.5 - 1 + 0) / 3 = -0.5 / 3; col 1 0.25; col 2 no finite value
        [-0.5 / 3, 0.25, NAN],
        # row 4 (rows 2..4): col 0 (-1 + 0) / 2 = -0.5 (row 4 is NaN, not counted); col 1 0.25
        [-0.5, 0.25, NAN],
        # row 5 (rows 3..5): col 0 only row 3's 0 -> 0; col 1 row 2 has left the window -> NaN; col 2 1
        [0.0, NAN, 1.0],
    ])
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-15)
    assert same(np.isnan(out), np.isnan(expected))


def test_one_bar_is_the_input_and_k_must_be_positive():
    assert same(trailing_mean(RAW, 1), RAW)
    with pytest.raises(ValueError, match="smoothing must be >= 1"):
        trailing_mean(RAW, 0)
    with pytest.raises(ValidationError, match="smoothing"):
        XGBoostParams(smoothing=0)
    with pytest.raises(ValidationError, match="smoothing"):
        MomentumParams(smoothing=0)
    assert XGBoostParams().smoothing == 5 and MomentumParams().smoothing == 1


score_rows = arrays(np.float64, st.tuples(st.integers(1, 12), st.integers(1, 4)),
                    elements=st.one_of(st.just(np.nan), st.floats(-1.0, 1.0)))


@settings(max_examples=150, deadline=None)
@given(raw=score_rows, k=st.integers(1, 6), split=st.integers(0, 12))
def test_matches_pandas_stays_in_range_and_live_equals_batch(raw, k, split):
    batch = trailing_mean(raw, k)
    # pandas' rolling mean skips NaN and needs one finite value: the same definition (float sums aside)
    expected = pd.DataFrame(raw).rolling(k, min_periods=1).mean().to_numpy()
    np.testing.assert_allclose(batch, expected, rtol=0, atol=1e-12)
    assert np.all(np.isnan(batch) == np.isnan(expected))
    finite = batch[np.isfinite(batch)]
    assert np.all((finite >= -1.0) & (finite <= 1.0))
    # live: warm up on the rows before `split`, then one row at a time -> the batch rows to the bit
    split = min(split, len(raw))
    live = TrailingMean(k, raw[:split])
    rows = [live.update(row) for row in raw[split:]]
    assert same(np.array(rows).reshape(-1, raw.shape[1]), batch[split:])


@given(raw=score_rows, k=st.integers(1, 6), t=st.integers(0, 11))
def test_row_t_ignores_later_rows(raw, k, t):
    t = min(t, len(raw) - 1)
    changed = raw.copy()
    changed[t + 1:] = -changed[t + 1:]  # flip every later score (NaN stays NaN)
    changed[t + 1:, 0] = np.nan
    assert same(trailing_mean(raw, k)[: t + 1], trailing_mean(changed, k)[: t + 1])

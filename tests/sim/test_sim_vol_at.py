"""vol_at (one daily-vol figure on demand, as the compiled backtest uses it) is bit for bit the
figure of daily_vol's full matrix, gaps and all."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parity.brokers.sim.volatility import daily_vol, vol_at


@settings(deadline=None)
@given(seed=st.integers(0, 2**32 - 1), lookback=st.integers(2, 12), n_bars=st.integers(1, 60),
       nan_share=st.sampled_from([0.0, 0.1, 0.5]), per_session=st.sampled_from([1.0, 6.5, 390.0]))
def test_vol_at_equals_the_daily_vol_matrix_exactly(seed: int, lookback: int, n_bars: int, nan_share: float,
                                                     per_session: float) -> None:
    rng = np.random.default_rng(seed)
    close = 50 * np.exp(np.cumsum(rng.normal(0, 0.02, (n_bars, 3)), axis=0))
    close[rng.random(close.shape) < nan_share] = np.nan  # missing prints: returns on either side are NaN
    matrix = daily_vol(close, lookback, per_session)
    scale = float(np.sqrt(per_session))
    on_demand = np.array([[vol_at(close, t, s, lookback, scale) for s in range(3)] for t in range(n_bars)])
    assert np.array_equal(on_demand, matrix, equal_nan=True)


def test_vol_at_is_nan_before_the_window_is_full() -> None:
    close = np.array([[10.0], [20.0], [40.0], [120.0], [240.0]])
    assert np.isnan(vol_at(close, 2, 0, 2, 1.0))  # needs bars 0..2 before bar t = 3
    # t = 3: the returns into bars 1 and 2 are both log 2: no spread, vol 0
    assert vol_at(close, 3, 0, 2, 1.0) == 0.0
    # t = 4: the returns into bars 2 and 3, log 2 and log 3: sample stdev |log 3 - log 2| / sqrt 2, times 4
    assert vol_at(close, 4, 0, 2, 4.0) == pytest.approx(4 * np.log(1.5) / np.sqrt(2))
    close[3, 0] = np.nan  # the returns into bars 3 and 4 become NaN: 1 valid of 2 < min 2
    assert np.isnan(vol_at(close, 4, 0, 2, 1.0))

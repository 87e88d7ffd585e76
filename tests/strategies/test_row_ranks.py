"""row_ranks (pandas) is scipy's rankdata(axis=1, nan_policy="omit") to the bit: the features, the
momentum scores and the IC all rank through it."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import rankdata

from parity.strategies.ranks import row_ranks


@given(seed=st.integers(0, 2**32 - 1), rows=st.integers(1, 20), cols=st.integers(1, 12),
       levels=st.sampled_from([3, 1000]), nan_share=st.sampled_from([0.0, 0.3, 1.0]))
def test_row_ranks_equal_scipys_rankdata(seed: int, rows: int, cols: int, levels: int, nan_share: float) -> None:
    rng = np.random.default_rng(seed)
    x = rng.integers(0, levels, (rows, cols)).astype(np.float64)  # few levels: many ties
    x[rng.random(x.shape) < nan_share] = np.nan
    assert np.array_equal(row_ranks(x), rankdata(x, axis=1, nan_policy="omit"), equal_nan=True)


"""Properties of the checks on generated bars: clean data passes untouched; an injected split is
found exactly where it was put and undone."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from data_helpers import long_table
from parity.engine.data import synthetic_bars
from parity.engine.data.pipeline import build_bars
from parity.engine.data.splits import SPLIT_RATIOS

FIELDS = ("open", "high", "low", "close", "volume")


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**31), n_bars=st.integers(2, 60), n_symbols=st.integers(1, 5),
       timeframe=st.sampled_from(["1Day", "5Min"]))
def test_clean_bars_pass_untouched(seed: int, n_bars: int, n_symbols: int, timeframe: str) -> None:
    bars = synthetic_bars(n_bars, n_symbols, seed=seed, timeframe=timeframe)
    out, report = build_bars(long_table(bars), source="gen", timeframe=timeframe,
                             sectors=dict(zip(bars.symbols, bars.sectors)))
    assert report.splits == () and report.bar_issues == () and report.symbol_gaps == ()
    assert report.missing_sessions == ()
    assert out.symbols == bars.symbols and out.sectors == bars.sectors
    for name in ("open_ts", "close_ts", "session", *FIELDS):
        np.testing.assert_array_equal(getattr(out, name), getattr(bars, name))


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31), data=st.data())
def test_injected_split_is_found_and_undone(seed: int, data: st.DataObject) -> None:
    bars = synthetic_bars(40, 3, seed=seed)
    t = data.draw(st.integers(1, 39), label="split row")
    n = data.draw(st.integers(0, 2), label="symbol")
    ratio = data.draw(st.sampled_from(SPLIT_RATIOS), label="ratio")
    # the natural overnight move on that bar must leave the split recognisable (it does ~always)
    assume(abs(np.log(bars.open[t, n] / bars.close[t - 1, n])) < 0.03)
    raw = {f: getattr(bars, f).copy() for f in FIELDS}
    for f in FIELDS[:4]:
        raw[f][t:, n] /= ratio  # from bar t on, the price is per new share
    raw["volume"][t:, n] *= ratio
    injected = replace(bars, **raw)
    out, report = build_bars(long_table(injected), source="gen")
    assert [(s.symbol, s.ratio) for s in report.splits] == [(bars.symbols[n], ratio)]
    # after adjustment the whole history is on the post-split basis: original / ratio, volume x ratio
    for f in FIELDS[:4]:
        expected = getattr(bars, f).copy()
        expected[:, n] /= ratio
        np.testing.assert_allclose(getattr(out, f), expected, rtol=1e-12)
    expected_volume = bars.volume.copy()
    expected_volume[:, n] *= ratio
    np.testing.assert_allclose(out.volume, expected_volume, rtol=1e-12)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31), data=st.data())
def test_injected_one_bar_bad_print_is_rejected_not_split(seed: int, data: st.DataObject) -> None:
    bars = synthetic_bars(40, 3, seed=seed)
    t = data.draw(st.integers(1, 38), label="bad bar")  # not the last: a later bar shows the level came back
    n = data.draw(st.integers(0, 2), label="symbol")
    ratio = data.draw(st.sampled_from(SPLIT_RATIOS), label="ratio")
    assume(abs(np.log(bars.open[t, n] / bars.close[t - 1, n])) < 0.03)
    assume(abs(np.log(bars.open[t + 1, n] / bars.close[t, n])) < 0.03)
    raw = {f: getattr(bars, f).copy() for f in FIELDS}
    for f in FIELDS[:4]:
        raw[f][t, n] /= ratio  # one bar on another basis, then back
    out, report = build_bars(long_table(replace(bars, **raw)), source="gen")
    assert report.splits == ()
    assert [(i.symbol, i.action) for i in report.bar_issues] == [(bars.symbols[n], "rejected")]
    for f in FIELDS:
        expected = getattr(bars, f).copy()
        expected[t, n] = np.nan
        np.testing.assert_array_equal(getattr(out, f), expected)

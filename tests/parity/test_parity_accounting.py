"""Invariants of a whole compiled run, recomputed independently from its own records with numpy."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from parity.brokers.sim.backtest import run_backtest

from parity_kit import bars, config, random_signals


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), allow_short=st.booleans(), participation=st.sampled_from([1.0, 0.001]),
       tif=st.sampled_from(["day", "gtc", "ioc"]))
def test_positions_and_cash_are_the_running_sums_of_the_fills(seed, allow_short, participation, tif):
    b = bars(n_bars=30, n_symbols=5, seed=seed % 50)
    cfg = config(position_sizing={"allow_short": allow_short, "min_trade_size": 0},
                 order_management={"time_in_force": tif},
                 simulation={"fill": {"participation_rate": participation}, "seed": seed})
    r = run_backtest(b, random_signals(b, seed=seed), cfg, "acc")
    f = r.fills
    signed = np.zeros((b.n_bars, b.n_symbols))
    np.add.at(signed, (f["bar"], f["symbol"]), f["side"] * f["qty"])
    np.testing.assert_array_equal(r.positions, np.cumsum(signed, axis=0))
    flow = np.zeros(b.n_bars)
    np.add.at(flow, f["bar"], -(f["side"] * f["qty"] * f["price"]) - f["commission"] - f["sec_fee"] - f["taf_fee"])
    np.testing.assert_allclose(r.equity["cash"], 1_000_000 + np.cumsum(flow), rtol=1e-12)
    value = np.nansum(r.positions * r.close, axis=1)
    np.testing.assert_allclose(r.equity["equity"], r.equity["cash"] + value, rtol=1e-12)
    # every fill belongs to its order and never overfills it
    per_order = np.bincount(f["order_id"], weights=f["qty"], minlength=len(r.orders) + 1)[1:]
    np.testing.assert_allclose(per_order, r.orders["filled_qty"], rtol=1e-12)
    assert np.all(r.orders["filled_qty"] <= r.orders["qty"] + 1e-9)
    if not allow_short:
        assert (r.positions >= 0).all()

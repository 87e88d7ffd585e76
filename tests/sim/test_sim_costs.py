"""Slippage, fees and daily vol: the kernels alone and through match_bar, numbers worked by hand."""

from __future__ import annotations

import numpy as np
import pytest
from sim_kit import bars, order, params, run

from parity.brokers.sim.fees import commission, sec_fee, taf_fee
from parity.brokers.sim.slippage import impact_bps, slippage_bps, slipped_price
from parity.brokers.sim.volatility import daily_vol
from parity.engine.types import Side

BUY, SELL = int(Side.BUY), int(Side.SELL)
QUIET = (20.0, 20.5, 19.5, 20.0, 10_000)


def test_fixed_and_half_spread_bps_add_up() -> None:
    assert slippage_bps(1.0, 5.0, 0.0, np.nan, 100.0, 1e4) == 6.0
    assert slipped_price(BUY, 20.0, 6.0) == pytest.approx(20.012)  # 20 * 1.0006
    assert slipped_price(SELL, 20.0, 6.0) == pytest.approx(19.988)  # 20 * 0.9994
    (f,) = run([order(Side.BUY)], bars([QUIET, QUIET]), params(fixed_bps=1, half_spread_bps=5)).fills
    assert f["price"] == pytest.approx(20.012)


def test_sqrt_impact_scales_with_vol_and_participation() -> None:
    # k 0.5, vol 2%, 100 of 10,000 shares: 1e4 * 0.5 * 0.02 * sqrt(0.01) = 10 bps.
    assert impact_bps(0.5, 0.02, 100.0, 1e4) == pytest.approx(10.0)
    # Four times the shares, twice the impact: sqrt(0.04) = 0.2 -> 20 bps.
    assert impact_bps(0.5, 0.02, 400.0, 1e4) == pytest.approx(20.0)
    assert impact_bps(0.5, np.nan, 100.0, 1e4) == 0.0  # unknown vol: no impact, the fill still happens
    assert impact_bps(0.0, 0.02, 100.0, 1e4) == 0.0


def test_sqrt_impact_with_a_hand_computed_daily_vol_through_match_bar() -> None:
    # Closes with log returns +0.01, -0.01, +0.03: mean 0.01, deviations 0, -0.02, +0.02,
    # sample variance (0 + 0.0004 + 0.0004) / 2 = 0.0004 -> vol 0.02, known from bar 4 on (lookback 3).
    close = 20.0 * np.exp(np.cumsum([0.0, 0.01, -0.01, 0.03, 0.0]))[:, None]
    vol = daily_vol(close, lookback=3, bars_per_session=1.0)
    assert np.isnan(vol[:4, 0]).all() and vol[4, 0] == pytest.approx(0.02)
    rows = [(c, c, c, c, 10_000.0) for c in close[:, 0]]
    rows[4] = (20.0, 20.5, 19.5, 20.0, 10_000.0)
    r = run([order(Side.BUY, qty=400, bar=3)], bars(rows), params(impact_coef=1.0), vol=vol)
    (f,) = r.fills
    # 1e4 * 1.0 * 0.02 * sqrt(400 / 10,000) = 40 bps on the open 20 -> 20.08.
    assert f["bar"] == 4 and f["price"] == pytest.approx(20.08)


def test_daily_vol_scales_by_sqrt_bars_per_session() -> None:
    close = 20.0 * np.exp(np.cumsum([0.0, 0.01, -0.01, 0.03, 0.0]))[:, None]
    # Four bars a session: a per-bar vol of 0.02 is 0.02 * sqrt(4) = 0.04 a day.
    assert daily_vol(close, 3, 4.0)[4, 0] == pytest.approx(0.04)


def test_daily_vol_skips_a_missing_close_and_needs_half_a_window() -> None:
    rng = np.random.default_rng(3)
    close = 50 * np.exp(np.cumsum(rng.normal(0, 0.01, (30, 1)), axis=0))
    close[10, 0] = np.nan  # the returns into bars 10 and 11 are unknown
    vol = daily_vol(close, 4, 1.0)
    returns = np.diff(np.log(close[:, 0]))  # returns[i - 1] is the return into bar i
    # Row 12 uses the returns into bars 8..11, of which 8 and 9 are known: 2 >= half of 4.
    assert vol[12, 0] == pytest.approx(np.std(returns[7:9], ddof=1))
    # Row 13 uses the returns into bars 9..12: into 9 and 12 known.
    assert vol[13, 0] == pytest.approx(np.std([returns[8], returns[11]], ddof=1))


def test_daily_vol_never_looks_ahead() -> None:
    rng = np.random.default_rng(11)
    close = 30 * np.exp(np.cumsum(rng.normal(0, 0.02, (60, 3)), axis=0))
    base = daily_vol(close, 10, 1.0)
    for t in (11, 25, 58):
        changed = close.copy()
        changed[t:] *= rng.uniform(0.5, 2.0, changed[t:].shape)  # rewrite bar t and everything after it
        assert np.array_equal(daily_vol(changed, 10, 1.0)[: t + 1], base[: t + 1], equal_nan=True)
        # ...while row t + 1, which may use bar t's close, does change (the test can fail).
        assert not np.array_equal(daily_vol(changed, 10, 1.0)[t + 1], base[t + 1])


def test_daily_vol_rejects_bad_arguments_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="lookback"):
        daily_vol(np.ones((5, 1)), 1, 1.0)
    with pytest.raises(ValueError, match=r"\(T, N\)"):
        daily_vol(np.ones(5), 3, 1.0)


def test_commission_per_share_with_its_minimum() -> None:
    assert commission(100.0, 0.005, 1.0) == 1.0  # 100 * 0.005 = 0.50 -> the 1.00 minimum
    assert commission(400.0, 0.005, 1.0) == pytest.approx(2.0)  # 400 * 0.005 = 2.00
    assert commission(400.0, 0.0, 0.0) == 0.0


def test_sec_fee_and_taf_on_sells_only_taf_capped_per_fill() -> None:
    assert sec_fee(SELL, 10.0, 100.0, 27.8e-6) == pytest.approx(0.0278)  # 1,000 USD * 27.8e-6
    assert sec_fee(BUY, 10.0, 100.0, 27.8e-6) == 0.0
    assert taf_fee(SELL, 100.0, 0.000166, 8.30) == pytest.approx(0.0166)  # 100 * 0.000166
    assert taf_fee(SELL, 100_000.0, 0.000166, 8.30) == 8.30  # 16.60 capped at 8.30
    assert taf_fee(BUY, 100_000.0, 0.000166, 8.30) == 0.0


def test_fees_recorded_on_each_fill_unrounded() -> None:
    p = params(commission_per_share=0.0035, commission_min=0.35, sec_fee_rate=27.8e-6, taf_per_share=0.000166,
               taf_max=8.30, fixed_bps=10)
    b = bars([QUIET, QUIET])
    buy, sell = run([order(Side.BUY, qty=300), order(Side.SELL, qty=300)], b, p).fills
    # Buy 300: commission 300 * 0.0035 = 1.05; no SEC fee or TAF.
    assert buy["commission"] == pytest.approx(1.05) and buy["sec_fee"] == 0 and buy["taf_fee"] == 0
    # Sell 300 at 20 * 0.999 = 19.98: SEC 27.8e-6 * 19.98 * 300 = 0.1666332; TAF 300 * 0.000166 = 0.0498.
    assert sell["price"] == pytest.approx(19.98)
    assert sell["commission"] == pytest.approx(1.05)
    assert sell["sec_fee"] == pytest.approx(0.1666332, rel=1e-12)
    assert sell["taf_fee"] == pytest.approx(0.0498, rel=1e-12)
    # A 50-share sell: commission 0.175 -> the 0.35 minimum.
    (small,) = run([order(Side.SELL, qty=50)], b, p).fills
    assert small["commission"] == 0.35

"""Calibration recovers known slippage and latency parameters.

1. Fills drawn with the simulator's own slippage kernel plus Gaussian noise (sd 0.5 bps) and
   lognormal latencies: the fit must land within the tolerances stated below, which are several
   standard errors wide for 3,000 fills (so the test is not flaky) yet far tighter than the
   parameters themselves (so a wrong fit cannot pass).
2. A real compiled backtest (parity.brokers.sim.backtest.run_backtest) with impact switched on: no noise, so
   the fit must reproduce the config to 1e-6, which also proves the volatility is recomputed exactly
   as the simulator computes it.
"""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from parity.brokers.sim.slippage import slippage_bps, slipped_price
from parity.engine.config.loader import validate_config
from parity.engine.config.schema import LatencyConfig, ParityConfig, SimulationConfig
from parity.engine.data.synthetic import synthetic_bars
from parity.engine.records import RunRecords
from parity.engine.signals import SignalSet
from parity.engine.types import EQUITY_DTYPE, FILL_DTYPE, ORDER_DTYPE, RISK_EVENT_DTYPE, OrderType
from parity.reports.calibration import calibrate, fit_latency
from parity.reports.costs_prices import prices_from_bars

FIXED, HALF, K = 1.5, 2.0, 0.12
NOISE_BPS = 0.5
SUBMIT_MS, FILL_MS, SIGMA = 80.0, 25.0, 0.3
N_FILLS, N_LIMIT_AT_LIMIT = 3000, 200
# Tolerances: intercept +-0.1 bps (its standard error is ~0.015), impact_coef +-3% (se ~0.5%),
# median latencies +-3% (se ~0.7%), lognormal sigma +-0.03 (se ~0.003).
TOL_INTERCEPT_BPS, TOL_K_REL, TOL_LATENCY_REL, TOL_SIGMA = 0.1, 0.03, 0.03, 0.03


def simulated_fills(seed: int = 11):
    bars = synthetic_bars(260, 30, seed=7)
    prices = prices_from_bars(bars)
    vol = prices.daily_vol(20)
    rng = np.random.default_rng(seed)
    n = N_FILLS + N_LIMIT_AT_LIMIT
    bar = rng.integers(22, 260, n)  # daily_vol is valid from row lookback + 1 = 21
    sym = rng.integers(0, 30, n)
    side = rng.choice([-1, 1], n)
    part = 10 ** rng.uniform(-4, -1, n)
    volume = bars.volume[bar, sym]
    qty = part * volume
    ref = bars.open[bar, sym]
    price = np.empty(n)
    for i in range(n):
        bps = slippage_bps(FIXED, HALF, K, vol[bar[i], sym[i]], qty[i], volume[i]) + rng.normal(0.0, NOISE_BPS)
        price[i] = slipped_price(int(side[i]), ref[i], bps)
    is_limit = np.arange(n) >= N_FILLS  # limit orders filled at their limit: no slippage, must be left out
    price[is_limit] = ref[is_limit]

    orders = np.zeros(n, dtype=ORDER_DTYPE)
    orders["order_id"] = np.arange(1, n + 1)
    orders["bar"], orders["symbol"], orders["side"] = bar - 1, sym, side
    orders["type"] = np.where(is_limit, int(OrderType.LIMIT), int(OrderType.MARKET))
    orders["qty"] = orders["filled_qty"] = qty
    orders["limit_price"] = np.where(is_limit, ref, np.nan)
    orders["stop_price"] = np.nan
    orders["created_at"] = bars.close_ts[bar - 1]
    orders["arrival_at"] = orders["created_at"] + np.round(rng.lognormal(np.log(SUBMIT_MS * 1e6), SIGMA, n)).astype(np.int64)
    orders["decision_price"] = bars.close[bar - 1, sym]
    orders["arrival_price"] = ref
    fills = np.zeros(n, dtype=FILL_DTYPE)
    fills["order_id"], fills["bar"], fills["symbol"], fills["side"] = orders["order_id"], bar, sym, side
    fills["qty"], fills["price"], fills["reference_price"], fills["participation"] = qty, price, ref, part
    fills["ts"] = bars.open_ts[bar]
    fills["reported_at"] = fills["ts"] + np.round(rng.lognormal(np.log(FILL_MS * 1e6), SIGMA, n)).astype(np.int64)
    equity = np.zeros(260, dtype=EQUITY_DTYPE)
    equity["ts"] = bars.close_ts
    rec = RunRecords(symbols=bars.symbols, sectors=bars.sectors, run_key="cal", orders=orders, fills=fills,
                     equity=equity, positions=np.zeros((260, 30)), close=bars.close,
                     risk_events=np.zeros(0, dtype=RISK_EVENT_DTYPE))
    return rec.orders_frame(), rec.fills_frame(), prices


def test_recovers_slippage_and_latency_from_noisy_simulated_fills():
    orders, fills, prices = simulated_fills()
    configured = SimulationConfig(slippage={"fixed_bps": 9.0, "half_spread_bps": HALF, "impact_coef": 1.0})
    cal = calibrate(orders, fills, prices, configured, source="test")
    fit = cal.slippage
    assert fit is not None and fit.n_fills == N_FILLS and fit.n_excluded == N_LIMIT_AT_LIMIT
    assert fit.intercept_bps == pytest.approx(FIXED + HALF, abs=TOL_INTERCEPT_BPS)
    assert fit.impact_coef == pytest.approx(K, rel=TOL_K_REL)
    assert fit.half_spread_bps == HALF and fit.fixed_bps == pytest.approx(FIXED, abs=TOL_INTERCEPT_BPS)
    assert fit.residual_sd_bps == pytest.approx(NOISE_BPS, rel=0.1)
    lat = cal.latency
    assert lat.submit_ms == pytest.approx(SUBMIT_MS, rel=TOL_LATENCY_REL)
    assert lat.fill_ms == pytest.approx(FILL_MS, rel=TOL_LATENCY_REL)
    assert lat.distribution == "lognormal" and lat.lognormal_sigma == pytest.approx(SIGMA, abs=TOL_SIGMA)

    snippet = cal.yaml_snippet()
    pasted = validate_config(yaml.safe_load(snippet))  # pasteable: a valid config on its own
    assert pasted.simulation.slippage.impact_coef == float(f"{fit.impact_coef:.4g}")
    assert pasted.simulation.slippage.fixed_bps == float(f"{fit.fixed_bps:.4g}")
    assert pasted.simulation.latency.distribution == "lognormal"
    assert "R^2" in snippet


def test_too_few_fills_keep_the_configured_values():
    orders, fills, prices = simulated_fills()
    configured = SimulationConfig(slippage={"fixed_bps": 9.0, "impact_coef": 1.0})
    cal = calibrate(orders.iloc[:2], fills.iloc[:2], prices, configured)
    assert cal.slippage is None
    pasted = validate_config(yaml.safe_load(cal.yaml_snippet()))
    assert pasted.simulation.slippage.fixed_bps == 9.0 and pasted.simulation.slippage.impact_coef == 1.0


def test_constant_latency_is_reported_as_constant():
    orders, fills, _ = simulated_fills()
    orders = orders.assign(arrival_at=orders["created_at"] + np.timedelta64(50, "ms"))
    fills = fills.assign(reported_at=fills["ts"] + np.timedelta64(20, "ms"))
    lat = fit_latency(orders, fills, LatencyConfig())
    assert (lat.submit_ms, lat.fill_ms, lat.distribution) == (50.0, 20.0, "constant")


def test_reproduces_the_simulator_exactly_on_a_real_backtest():
    from parity.brokers.sim.backtest import run_backtest

    bars = synthetic_bars(120, 12, seed=3)
    rng = np.random.default_rng(5)
    signals = SignalSet(scores=rng.uniform(-1.0, 1.0, (120, 12)), model_version=np.full(120, "", dtype=object))
    config = ParityConfig(simulation={"slippage": {"fixed_bps": 1.0, "half_spread_bps": 2.0, "impact_coef": 0.25},
                                      "fill": {"participation_rate": 0.05}})
    rec = run_backtest(bars, signals, config, "exact")
    cal = calibrate(rec.orders_frame(), rec.fills_frame(), prices_from_bars(bars), config.simulation)
    fit = cal.slippage
    assert fit is not None and fit.n_fills > 50
    assert fit.intercept_bps == pytest.approx(3.0, abs=1e-6)
    assert fit.impact_coef == pytest.approx(0.25, rel=1e-6)
    assert (cal.latency.submit_ms, cal.latency.distribution) == (50.0, "constant")

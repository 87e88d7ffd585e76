"""Latency draws (constant, seeded distributions) and SimParams built from config."""

from __future__ import annotations

from typing import get_type_hints

import numpy as np
import pytest
from numba import njit
from sim_kit import bars, order, params, run

from parity.brokers.sim.latency import draw_delay_ns, seed_rng
from parity.brokers.sim.params import SimParams, sim_params
from parity.engine.config.loader import load_config
from parity.engine.config.schema import SimulationConfig
from parity.engine.types import LatencyDistribution, LimitFillMode, Side

CONSTANT, EXPONENTIAL, LOGNORMAL = (int(d) for d in LatencyDistribution)
N_DRAWS = 40_000


@njit
def seeded_draws(seed: int, n: int, mean_ns: int, dist: int, sigma: float) -> np.ndarray:
    np.random.seed(seed)  # how a compiled loop seeds: inside numba, once per run
    out = np.empty(n, dtype=np.int64)
    for i in range(n):
        out[i] = draw_delay_ns(mean_ns, dist, sigma)
    return out


def test_constant_delay_is_exact_and_uses_no_randomness() -> None:
    assert draw_delay_ns(50_000_000, CONSTANT, 0.5) == 50_000_000
    seed_rng(1)
    first = draw_delay_ns(1_000_000, EXPONENTIAL, 0.5)
    seed_rng(1)
    draw_delay_ns(50_000_000, CONSTANT, 0.5)  # must not advance the random state
    assert draw_delay_ns(1_000_000, EXPONENTIAL, 0.5) == first


def test_zero_mean_is_zero_for_every_distribution() -> None:
    assert [draw_delay_ns(0, d, 0.5) for d in (CONSTANT, EXPONENTIAL, LOGNORMAL)] == [0, 0, 0]


@pytest.mark.parametrize("dist", [EXPONENTIAL, LOGNORMAL])
def test_draws_are_deterministic_given_the_seed(dist: int) -> None:
    a = seeded_draws(42, 1000, 20_000_000, dist, 0.5)
    b = seeded_draws(42, 1000, 20_000_000, dist, 0.5)
    c = seeded_draws(43, 1000, 20_000_000, dist, 0.5)
    assert a.tobytes() == b.tobytes() and not np.array_equal(a, c)
    assert (a >= 0).all()
    # seed_rng (the Python-side helper) reaches the same state as np.random.seed inside numba.
    seed_rng(42)
    assert draw_delay_ns(20_000_000, dist, 0.5) == a[0]


def test_exponential_draws_have_the_configured_mean() -> None:
    draws = seeded_draws(7, N_DRAWS, 1_000_000, EXPONENTIAL, 0.5)
    # The standard error of the mean is mean / sqrt(n) = 0.5%: allow 5 standard errors (2.5%).
    assert draws.mean() == pytest.approx(1_000_000, rel=5 / np.sqrt(N_DRAWS))


def test_lognormal_draws_have_the_configured_median() -> None:
    sigma = 0.5
    draws = seeded_draws(7, N_DRAWS, 1_000_000, LOGNORMAL, sigma)
    # The sample median of log-draws has standard error ~ 1.2533 * sigma / sqrt(n) = 0.31%: allow 5 of them.
    tol = 5 * 1.2533 * sigma / np.sqrt(N_DRAWS)
    assert np.median(draws) == pytest.approx(1_000_000, rel=tol)
    # And the spread is the configured sigma (standard error sigma / sqrt(2n) = 0.18%: allow 2%).
    assert np.log(draws).std() == pytest.approx(sigma, rel=0.02)


def test_fill_reported_at_is_ts_plus_the_fill_latency() -> None:
    b = bars([(10, 11, 9, 10, 1000), (10, 11, 9, 10, 1000)])
    (f,) = run([order(Side.BUY)], b, params(fill_ns=20_000_000)).fills
    assert f["reported_at"] - f["ts"] == 20_000_000


def test_random_fill_latency_reproducible_run_to_run() -> None:
    b = bars([(10, 11, 9, 10, 1000)] + [(10, 11, 9, 10, 1000)] * 3)
    p = params(fill_ns=20_000_000, latency_dist=EXPONENTIAL, participation_rate=0.1)
    seed_rng(5)
    first = run([order(Side.BUY, qty=250), order(Side.SELL, qty=50)], b, p).fills
    seed_rng(5)
    again = run([order(Side.BUY, qty=250), order(Side.SELL, qty=50)], b, p).fills
    assert first.tobytes() == again.tobytes()
    assert len(set((first["reported_at"] - first["ts"]).tolist())) == len(first)  # really drawn


def test_sim_params_from_default_config_file() -> None:
    p = sim_params(load_config("config/default.yaml").simulation)
    assert p.participation_rate == 0.05 and p.limit_fill_mode == int(LimitFillMode.TOUCH)
    assert (p.fixed_bps, p.half_spread_bps, p.impact_coef) == (1.0, 2.0, 0.1)
    assert (p.submit_ns, p.ack_ns, p.fill_ns) == (50_000_000, 20_000_000, 20_000_000)  # ms -> ns
    assert p.latency_dist == CONSTANT
    assert (p.commission_per_share, p.commission_min, p.taf_max) == (0.0035, 0.35, 8.30)


def test_sim_params_maps_choices_and_coerces_types() -> None:
    cfg = SimulationConfig.model_validate(
        {"fill": {"limit_fill": "through", "participation_rate": 1},
         "latency": {"distribution": "lognormal", "submit_ms": 0.5, "lognormal_sigma": 1}}
    )
    p = sim_params(cfg)
    assert p.limit_fill_mode == int(LimitFillMode.THROUGH) and p.latency_dist == LOGNORMAL
    assert p.submit_ns == 500_000
    for name, kind in get_type_hints(SimParams).items():  # exact types: one numba specialisation
        assert type(getattr(p, name)) is kind, name


def test_extreme_lognormal_tail_stays_a_valid_int64() -> None:
    # sigma 50 puts many draws beyond int64 ns; they are clamped to 2**62 rather than overflowing.
    draws = seeded_draws(3, 200, 50_000_000, LOGNORMAL, 50.0)
    assert (draws >= 0).all() and draws.max() == 2**62

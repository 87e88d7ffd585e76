"""Same config + seed -> byte-identical records; buffer growth never changes a result."""

from __future__ import annotations

import numpy as np

from parity.brokers.sim.backtest import run_backtest

from parity_kit import bars, config, random_signals

RANDOM_LATENCY = {"simulation": {"latency": {"distribution": "lognormal", "submit_ms": 80, "fill_ms": 30},
                                 "fill": {"participation_rate": 0.0002}},
                  "order_management": {"time_in_force": "gtc"}}


def _bytes(r):
    return [r.orders.tobytes(), r.fills.tobytes(), r.equity.tobytes(), r.positions.tobytes(), r.close.tobytes(),
            r.risk_events.tobytes()]


def test_two_runs_are_byte_identical():
    b = bars(n_bars=50, n_symbols=7, seed=2)
    s = random_signals(b, seed=4)
    cfg = config(**RANDOM_LATENCY)
    first, second = run_backtest(b, s, cfg, "det"), run_backtest(b, s, cfg, "det")
    assert len(first.fills) > 0
    assert _bytes(first) == _bytes(second)


def test_tiny_buffers_grow_without_changing_the_records():
    b = bars(n_bars=50, n_symbols=7, seed=2)
    s = random_signals(b, seed=4)
    cfg = config(**RANDOM_LATENCY)
    roomy, tiny = run_backtest(b, s, cfg, "det"), run_backtest(b, s, cfg, "det", initial_capacity=1)
    assert len(roomy.orders) > 100 and len(roomy.risk_events) > 1
    assert _bytes(roomy) == _bytes(tiny)


def test_the_seed_drives_the_latency_draws():
    b = bars(n_bars=30, n_symbols=5, seed=2)
    s = random_signals(b, seed=4)
    a = run_backtest(b, s, config(**RANDOM_LATENCY), "det")
    other = RANDOM_LATENCY | {"simulation": RANDOM_LATENCY["simulation"] | {"seed": 7}}
    c = run_backtest(b, s, config(**other), "det")
    assert not np.array_equal(a.orders["arrival_at"][:5], c.orders["arrival_at"][:5])

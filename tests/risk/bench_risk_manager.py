"""Cost of the risk manager in the compiled loop: 252 daily bars x 53 symbols, random scores.

Run: .venv/bin/python tests/risk/bench_risk_manager.py (prints figures; not a timed test)."""
import time
import numpy as np
from parity.brokers.sim.backtest import run_backtest
from parity.engine.config.schema import ParityConfig
from parity.engine.data.synthetic import synthetic_bars
from parity.engine.signals import SignalSet
b = synthetic_bars(252, 53, seed=1)
scores = np.random.default_rng(0).uniform(-1, 1, (252, 53))
sig = SignalSet(scores, np.array([""] * 252))
loose = {"max_daily_loss": 1.0, "max_position_risk": 1.0, "max_sector_exposure": 4.0, "stop_orders": False}
for name, risk in (("caps only (rules wide open, no stops)", loose), ("full risk manager (defaults)", {})):
    cfg = ParityConfig.model_validate({"risk_management": risk, "position_sizing": {"max_position_size": 0.05}})
    run_backtest(b, sig, cfg, "w")  # compile / warm
    t0 = time.perf_counter(); n = 20
    for _ in range(n):
        r = run_backtest(b, sig, cfg, "w")
    dt = (time.perf_counter() - t0) / n
    print(f"{name}: {dt*1e3:.1f} ms per 252x53 run ({dt/252*1e6:.0f} us per bar), {len(r.orders)} orders, "
          f"{len(r.risk_events)} risk events")

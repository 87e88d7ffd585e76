"""Benchmark: match_bar throughput inside a compiled loop, as core's backtest calls it.

Run: .venv/bin/python tests/sim/bench_match_bar.py   (prints figures; not a test)
Every bar, each symbol gets one new order (alternating market / resting limit, GTC), so a few
hundred orders are working at any time; prices come from seeded synthetic bars.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from numba import njit

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from parity.brokers.sim.matching import match_bar  # noqa: E402
from parity.brokers.sim.params import sim_params  # noqa: E402
from parity.brokers.sim.volatility import daily_vol  # noqa: E402
from parity.engine.config.schema import SimulationConfig  # noqa: E402
from parity.engine.types import FILL_DTYPE, ORDER_DTYPE  # noqa: E402


@njit
def drive(open_, high, low, close, volume, vol, params, orders, fills):
    n_bars, n_symbols = open_.shape
    working = np.empty(orders.shape[0], dtype=np.int64)
    n_working, n_fills, n_orders, matched = 0, 0, 0, 0
    np.random.seed(42)
    for t in range(n_bars):
        matched += n_working
        n_working, n_fills = match_bar(t, orders, working, n_working, open_[t], high[t], low[t], close[t],
                                       volume[t], t * 1000, t % 2 == 1, vol[t], params, fills, n_fills)
        for s in range(n_symbols):
            o = orders[n_orders]
            o.order_id, o.bar, o.symbol = n_orders + 1, t, s
            o.side = 1 if (t + s) % 2 == 0 else -1
            o.type = (t + s) % 2
            o.tif = 1
            o.qty = 500.0
            o.limit_price = close[t, s] * (1.0 - 0.002 * o.side)
            o.stop_price = np.nan
            o.created_at, o.arrival_at = t * 1000 + 500, t * 1000 + 550
            o.arrival_price = np.nan
            working[n_working] = n_orders
            n_working += 1
            n_orders += 1
    return n_fills, matched


def main(n_bars: int = 20_000, n_symbols: int = 53) -> None:
    rng = np.random.default_rng(0)
    close = 50 * np.exp(np.cumsum(rng.normal(0, 0.01, (n_bars, n_symbols)), axis=0))
    open_ = close * np.exp(rng.normal(0, 0.003, close.shape))
    high = np.maximum(open_, close) * (1 + rng.uniform(0, 0.01, close.shape))
    low = np.minimum(open_, close) * (1 - rng.uniform(0, 0.01, close.shape))
    volume = rng.integers(2_000, 50_000, close.shape).astype(np.float64)
    vol = daily_vol(close, 20, 1.0)
    params = sim_params(SimulationConfig())
    orders = np.zeros(n_bars * n_symbols, ORDER_DTYPE)
    fills = np.zeros(n_bars * n_symbols * 4, FILL_DTYPE)
    args = (open_, high, low, close, volume, vol, params)
    drive(*(a[:10] if isinstance(a, np.ndarray) else a for a in args), orders.copy(), fills.copy())  # compile
    start = time.perf_counter()
    n_fills, matched = drive(*args, orders, fills)
    seconds = time.perf_counter() - start
    print(f"match_bar: {n_bars} bars x {n_symbols} symbols, {matched:,} order-bar matches, {n_fills:,} fills "
          f"in {seconds * 1e3:.0f} ms -> {seconds / matched * 1e9:.0f} ns per working order per bar, "
          f"{seconds / n_bars * 1e6:.1f} us per bar")
    start = time.perf_counter()
    daily_vol(close, 20, 1.0)
    print(f"daily_vol: {n_bars} x {n_symbols}, lookback 20 in {(time.perf_counter() - start) * 1e3:.0f} ms")


if __name__ == "__main__":
    main()

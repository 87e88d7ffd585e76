"""The benchmark workloads: seeded synthetic bars, one moving-average crossover strategy, one config.

Every engine trades the same orders on the same prices, so only the engines differ. The config is
config/default.yaml with the simulated market's frictions all on: participation cap (partial fills),
slippage with square-root impact, lognormal submit/fill latency and per-share fees, and every risk
rule active. max_position_size is 1 / symbols by default, min_trade_size a tenth of that budget (a fully long book is 100% invested, so the
caps bind now and then, as in a sensibly sized run); `position_size=0.05` is the stress variant in
which the sector and total-exposure caps rescale nearly every position at every bar (about one risk
event per symbol-bar).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from parity.engine.config import load_config
from parity.engine.config.schema import ParityConfig
from parity.engine.data.bars import Bars
from parity.engine.data.synthetic import synthetic_bars
from parity.engine.signals import SignalSet

REPO = Path(__file__).resolve().parents[1]
SEED = 7


@dataclass(frozen=True)
class Workload:
    name: str
    n_bars: int
    n_symbols: int
    timeframe: str
    fast: int  # moving-average windows of the crossover, in bars
    slow: int

    @property
    def cells(self) -> int:
        return self.n_bars * self.n_symbols

    def label(self) -> str:
        unit = "daily" if self.timeframe == "1Day" else "1-min"
        return f"{self.name}: {self.n_symbols} x {self.n_bars:,} {unit}"


WORKLOADS = {
    "D": Workload("D", 2_520, 53, "1Day", 10, 50),
    "M": Workload("M", 98_280, 53, "1Min", 30, 120),
    "L": Workload("L", 98_280, 500, "1Min", 30, 120),
}


def tiny(n_bars: int = 300, n_symbols: int = 6) -> Workload:
    """A seconds-long workload for the smoke test."""
    return Workload("tiny", n_bars, n_symbols, "1Day", 5, 20)


def make_bars(w: Workload) -> Bars:
    return synthetic_bars(w.n_bars, w.n_symbols, seed=SEED, timeframe=w.timeframe)


def _rolling_mean(x: np.ndarray, window: int) -> np.ndarray:
    """Trailing mean over `window` rows (NaN for the first window - 1 rows); row t uses rows <= t."""
    c = np.cumsum(x, axis=0)
    out = np.full_like(x, np.nan)
    out[window - 1] = c[window - 1] / window
    out[window:] = (c[window:] - c[:-window]) / window
    return out


def ma_crossover(bars: Bars, fast: int, slow: int) -> SignalSet:
    """+1 while the fast moving average of the close is above the slow one, -1 below, NaN in warm-up
    (long-only config: -1 means flat)."""
    close = bars.close
    scores = np.sign(_rolling_mean(close, fast) - _rolling_mean(close, slow))
    scores[: slow - 1] = np.nan
    return SignalSet(np.ascontiguousarray(scores), np.full(bars.n_bars, "", dtype=object))


def bench_config(n_symbols: int, position_size: float | None = None) -> ParityConfig:
    """config/default.yaml with every simulated-market friction switched on; max_position_size
    `position_size`, else 1 / n_symbols."""
    size = position_size if position_size else 1.0 / n_symbols
    base = load_config(REPO / "config" / "default.yaml")
    # a rebalance smaller than a tenth of one position's budget is skipped, whatever the universe size
    min_trade = 0.1 * size * float(base.simulation.initial_cash)
    return load_config(REPO / "config" / "default.yaml", [
        "simulation.latency.distribution=lognormal",
        "simulation.fill.participation_rate=0.05",
        f"position_sizing.max_position_size={size!r}",
        f"position_sizing.min_trade_size={min_trade!r}",
    ])

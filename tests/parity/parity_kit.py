"""Shared inputs for the parity tests: small synthetic bars, seeded scores and configs."""

from __future__ import annotations

import numpy as np

from parity.engine.config.schema import ParityConfig
from parity.engine.data.synthetic import synthetic_bars
from parity.engine.data.bars import Bars
from parity.engine.signals import SignalSet


def bars(n_bars: int = 60, n_symbols: int = 8, seed: int = 3, timeframe: str = "1Day") -> Bars:
    return synthetic_bars(n_bars, n_symbols, seed=seed, timeframe=timeframe)


def random_signals(b: Bars, seed: int = 0, nan_share: float = 0.05) -> SignalSet:
    """Seeded uniform scores in [-1, 1] with some NaN (no view) cells and a NaN warm-up row."""
    rng = np.random.default_rng(seed)
    scores = rng.uniform(-1.0, 1.0, (b.n_bars, b.n_symbols))
    scores[rng.random(scores.shape) < nan_share] = np.nan
    scores[0] = np.nan
    return SignalSet(scores, np.full(b.n_bars, "", dtype=object))


def config(**sections) -> ParityConfig:
    return ParityConfig.model_validate(sections)


FRICTIONLESS_BUT_SLIPPAGE = {  # the vectorbt cross-check: only fixed bps, everything else off
    "risk_management": {"stop_orders": False},  # a stop fills at its stop price, which vectorbt is not given
    "simulation": {
        "initial_cash": 1_000_000,
        "fill": {"participation_rate": 1.0},
        "slippage": {"fixed_bps": 5.0, "half_spread_bps": 0.0, "impact_coef": 0.0},
        "latency": {"submit_ms": 0, "ack_ms": 0, "fill_ms": 0},
        "fees": {"commission_per_share": 0.0, "commission_min": 0.0, "sec_fee_rate": 0.0, "taf_per_share": 0.0,
                 "taf_max_per_trade": 0.0},
    },
}

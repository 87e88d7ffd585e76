"""Small builders for kernel tests: a Book and empty record buffers."""

from __future__ import annotations

import numpy as np

from parity.engine.config.schema import ParityConfig
from parity.engine.kernels.step import make_book
from parity.engine.params import EngineParams, engine_params
from parity.engine.types import ORDER_DTYPE, RISK_EVENT_DTYPE


def book(positions, prices=None, pending=None, cash=None, equity=None):
    """A Book marked at `prices`; cash defaults so that equity = 100,000 unless given."""
    positions = np.asarray(positions, dtype=np.float64)
    n = positions.shape[0]
    marks = np.full(n, 10.0) if prices is None else np.asarray(prices, dtype=np.float64)
    pending = np.zeros(n) if pending is None else np.asarray(pending, dtype=np.float64)
    held = float(np.nansum(positions * marks))
    if equity is None:
        equity = 100_000.0
    if cash is None:
        cash = equity - held
    return make_book(positions, pending, np.full(n, np.nan), marks, float(cash), float(equity), float(equity),
                     float(equity), np.zeros(n), np.zeros(n), np.full(n, np.nan), False, np.zeros(n, dtype=np.bool_))


# Rules a kernel test does not name stay out of its way: position risk and sector caps wide open,
# no protective stops (tests/risk/ covers them); pass risk_management={...} to use them.
LOOSE_RISK = {"max_position_risk": 1.0, "max_sector_exposure": 4.0, "stop_orders": False}


def params(**sections) -> EngineParams:
    """EngineParams from a config with the given section overrides, e.g. position_sizing={...}."""
    sections.setdefault("risk_management", LOOSE_RISK)
    return engine_params(ParityConfig.model_validate(sections))


def buffers(n_orders: int = 1, n_events: int = 1):
    return np.zeros(n_orders, ORDER_DTYPE), np.zeros(n_events, RISK_EVENT_DTYPE)



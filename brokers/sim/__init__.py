"""The simulated broker: numba matching, slippage, latency and fees, and the compiled backtest loop.

    from brokers.sim import SimBroker, run_backtest

Exports resolve lazily, so importing one kernel module (e.g. brokers.sim.params) does not load the
whole engine.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "SimBroker": "brokers.sim.broker",
    "run_backtest": "brokers.sim.backtest",
    "SimParams": "brokers.sim.params",
    "sim_params": "brokers.sim.params",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'brokers.sim' has no attribute '{name}'")
    return getattr(import_module(_EXPORTS[name]), name)

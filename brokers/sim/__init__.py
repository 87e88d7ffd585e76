"""The simulated broker: numba matching, slippage, latency and fees, and the compiled backtest loop.

    from parity.brokers.sim import SimBroker, run_backtest

Exports resolve lazily, so importing one kernel module (e.g. parity.brokers.sim.params) does not load the
whole engine.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "SimBroker": "parity.brokers.sim.broker",
    "run_backtest": "parity.brokers.sim.backtest",
    "SimParams": "parity.brokers.sim.params",
    "sim_params": "parity.brokers.sim.params",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'parity.brokers.sim' has no attribute '{name}'")
    return getattr(import_module(_EXPORTS[name]), name)

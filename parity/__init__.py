"""Parity: backtest-first systematic US-equity trading. The Python API (parity/api.py):

    import parity
    result = parity.backtest(parity.load_config("config/default.yaml"))

`load_config`, `load_bars`, `backtest`, `Result`, and the strategy contract: `Strategy`, `SignalSet`, `Bars`,
`StaleSignals`. They load on first use, so `parity --help` and the engine's own modules (which live
in this package) do not import the API's dependencies.
"""

from __future__ import annotations

import importlib
from typing import Any

_API = {
    "load_config": "parity.api", "load_bars": "parity.api", "backtest": "parity.api", "Result": "parity.api",
    "Strategy": "parity.engine.signals", "SignalSet": "parity.engine.signals",
    "StaleSignals": "parity.engine.signals", "Bars": "parity.engine.data.bars",
}
__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'parity' has no attribute {name!r}")

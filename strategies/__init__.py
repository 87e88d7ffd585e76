"""Strategies: turn bars into one score per symbol per bar (`parity.engine.signals.SignalSet`).

- "momentum": cross-sectional momentum, the rule-based baseline (momentum.py).
- "xgboost": walk-forward XGBoost over 45 engineered features (xgboost_strategy.py).
`build_strategy` wires one from the config; `LiveScorer` scores live bars one at a time with the
same numbers as the batch run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from parity.engine.config.schema import StrategyConfig
from parity.engine.signals import Strategy
from parity.strategies.momentum import MomentumStrategy

if TYPE_CHECKING:
    from parity.strategies.live import LiveScorer
    from parity.strategies.xgboost_strategy import XGBoostStrategy

# Imported on first use (PEP 562): xgboost, scikit-learn and polars cost ~0.5 s and ~60 MB, which a
# momentum backtest never needs.
_LAZY = {"LiveScorer": "parity.strategies.live", "XGBoostStrategy": "parity.strategies.xgboost_strategy"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'strategies' has no attribute {name!r}")


def build_strategy(cfg: StrategyConfig) -> Strategy:
    """The strategy named by `cfg.name` ("momentum" | "xgboost"), configured from its section."""
    if cfg.name == "momentum":
        return MomentumStrategy(cfg.momentum)
    if cfg.name == "xgboost":
        from parity.strategies.xgboost_strategy import XGBoostStrategy

        return XGBoostStrategy(cfg.xgboost)
    raise ValueError(f"strategy.name: '{cfg.name}' is not one of momentum, xgboost")


__all__ = ["LiveScorer", "MomentumStrategy", "XGBoostStrategy", "build_strategy"]

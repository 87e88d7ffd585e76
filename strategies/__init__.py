"""Strategies: turn bars into one score per symbol per bar (`engine.signals.SignalSet`).

- "momentum": cross-sectional momentum, the rule-based baseline (momentum.py).
- "xgboost": walk-forward XGBoost over 45 engineered features (xgboost_strategy.py).
`build_strategy` wires one from the config; `LiveScorer` scores live bars one at a time with the
same numbers as the batch run.
"""

from __future__ import annotations

from engine.config.schema import StrategyConfig
from engine.signals import Strategy
from strategies.live import LiveScorer
from strategies.momentum import MomentumStrategy
from strategies.xgboost_strategy import XGBoostStrategy


def build_strategy(cfg: StrategyConfig) -> Strategy:
    """The strategy named by `cfg.name` ("momentum" | "xgboost"), configured from its section."""
    if cfg.name == "momentum":
        return MomentumStrategy(cfg.momentum)
    if cfg.name == "xgboost":
        return XGBoostStrategy(cfg.xgboost)
    raise ValueError(f"strategy.name: '{cfg.name}' is not one of momentum, xgboost")


__all__ = ["LiveScorer", "MomentumStrategy", "XGBoostStrategy", "build_strategy"]

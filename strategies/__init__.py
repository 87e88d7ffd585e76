"""The strategies Parity ships, each a `parity.engine.signals.Strategy` with its own `Params` model:

- "momentum": cross-sectional momentum, the rule-based baseline (momentum.py);
- "xgboost": walk-forward XGBoost over 45 engineered features (xgboost_strategy.py, xgboost_live.py);
- "signals": precomputed scores from the user's own file (signals_file.py).

They are looked up by name like any user's strategy is by import path (parity/strategy_registry.py).
Nothing is imported here: xgboost, polars and scipy cost ~0.5 s and ~60 MB that a momentum run never needs.
"""

"""45 engineered features per symbol per bar: batch (`compute_features`) and live (`IncrementalFeatures`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from parity.strategies.features.compute import compute_features, features_from_arrays
    from parity.strategies.features.incremental import IncrementalFeatures
    from parity.strategies.features.registry import FEATURE_NAMES, FEATURES, MAX_LOOKBACK, FeatureSpec

# Loaded on first use (PEP 562): compute.py brings polars (0.2 s), which the momentum baseline, a
# user of windows_nb only, never needs.
_LAZY = {"compute_features": "compute", "features_from_arrays": "compute", "IncrementalFeatures": "incremental",
         "FEATURE_NAMES": "registry", "FEATURES": "registry", "MAX_LOOKBACK": "registry", "FeatureSpec": "registry"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"parity.strategies.features.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'parity.strategies.features' has no attribute {name!r}")


__all__ = ["FEATURES", "FEATURE_NAMES", "MAX_LOOKBACK", "FeatureSpec", "IncrementalFeatures",
           "compute_features", "features_from_arrays"]

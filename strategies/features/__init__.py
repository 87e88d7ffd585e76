"""45 engineered features per symbol per bar: batch (`compute_features`) and live (`IncrementalFeatures`)."""

from strategies.features.compute import compute_features, features_from_arrays
from strategies.features.incremental import IncrementalFeatures
from strategies.features.registry import FEATURE_NAMES, FEATURES, MAX_LOOKBACK, FeatureSpec

__all__ = ["FEATURES", "FEATURE_NAMES", "MAX_LOOKBACK", "FeatureSpec", "IncrementalFeatures",
           "compute_features", "features_from_arrays"]

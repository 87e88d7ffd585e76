"""What a strategy hands the engine: one score per symbol per bar, plus what produced it.

Strategies live in `strategies/` and are wired in from the config; the engine only sees this type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pandas as pd

from parity.engine.data.bars import Bars


@dataclass(frozen=True)
class SignalSet:
    # float64 (T, N) in [-1, 1]; NaN = no view. Row t uses only data up to the close of bar t.
    scores: np.ndarray
    # (T,) str: the model version that produced row t ("" for rule-based strategies).
    model_version: np.ndarray
    # Tables for the run report, e.g. "feature_importance", "ic_per_retrain"; may be empty.
    diagnostics: dict[str, pd.DataFrame] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.scores.ndim != 2 or self.scores.dtype != np.float64:
            raise ValueError(f"SignalSet.scores: expected float64 (T, N), got {self.scores.dtype}{self.scores.shape}")
        finite = self.scores[np.isfinite(self.scores)]
        if finite.size and (finite.min() < -1.0 or finite.max() > 1.0):
            raise ValueError("SignalSet.scores must lie in [-1, 1]")
        if self.model_version.shape != (self.scores.shape[0],):
            raise ValueError("SignalSet.model_version must have one entry per bar")

    def frame(self, bars: Bars) -> pd.DataFrame:
        """Long format for signals.parquet: ts, symbol, score, model_version."""
        t, n = self.scores.shape
        return pd.DataFrame({
            "ts": bars.index.repeat(n),  # tz-aware UTC, like every other run table
            "symbol": np.tile(np.array(bars.symbols, dtype=object), t),
            "score": self.scores.reshape(-1),
            "model_version": np.repeat(self.model_version, n),
        })


class Strategy(Protocol):
    name: str

    def generate(self, bars: Bars, artifacts_dir: "str | None" = None) -> SignalSet:
        """Scores for every bar of `bars`; may save models under `artifacts_dir`."""
        ...

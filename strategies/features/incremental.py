"""Live features: one new bar at a time, identical to the batch computation.

Keeps the last MAX_LOOKBACK + 1 bars (the longest window any feature reads, plus the bar itself)
and runs the batch function over them; the newest row equals the batch row bit for bit, because
every feature of bar t reads bars t - lookback .. t only and every window is reduced on its own
(see windows_nb.py). tests/strategies/test_features.py checks both facts.
"""

from __future__ import annotations

import numpy as np

from parity.engine.data.bars import Bars
from parity.strategies.features.compute import features_from_arrays
from parity.strategies.features.registry import MAX_LOOKBACK

_FIELDS = ("open", "high", "low", "close", "volume")


class IncrementalFeatures:
    """Bounded window of recent bars -> the 45 features of the newest bar."""

    window = MAX_LOOKBACK + 1

    def __init__(self, sector_codes: np.ndarray) -> None:
        self.sector_codes = np.asarray(sector_codes, dtype=np.int64)
        n = self.sector_codes.size
        self._buf = {f: np.empty((0, n)) for f in _FIELDS}

    @classmethod
    def from_bars(cls, bars: Bars) -> "IncrementalFeatures":
        """A window warmed up with the last bars of `bars` (history before going live)."""
        engine = cls(bars.sector_ids()[0])
        engine._buf = {f: getattr(bars, f)[-cls.window:].copy() for f in _FIELDS}
        return engine

    def update(self, open_: np.ndarray, high: np.ndarray, low: np.ndarray, close: np.ndarray,
               volume: np.ndarray) -> np.ndarray:
        """Append one bar ((N,) arrays, NaN = missing) and return its features, (N, 45)."""
        for name, row in zip(_FIELDS, (open_, high, low, close, volume)):
            row = np.asarray(row, dtype=np.float64)
            if row.shape != self.sector_codes.shape:
                raise ValueError(f"IncrementalFeatures.update: '{name}' has shape {row.shape}, "
                                 f"expected ({self.sector_codes.size},) (one value per symbol)")
            self._buf[name] = np.vstack([self._buf[name][-(self.window - 1):], row[None, :]])
        b = self._buf
        return features_from_arrays(b["open"], b["high"], b["low"], b["close"], b["volume"], self.sector_codes)[-1]

    def update_bar(self, bar: Bars, row: int = -1) -> np.ndarray:
        """`update` from one row of a Bars (the last one by default)."""
        return self.update(*(getattr(bar, f)[row] for f in _FIELDS))

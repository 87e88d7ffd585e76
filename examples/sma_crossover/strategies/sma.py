"""A moving-average crossover: long when the fast mean of closes is above the slow one.

A complete Parity strategy: a name, the history one score row needs (`lookback`), a pydantic
`Params` model (validated from the config's strategy.params) and `generate(bars) -> SignalSet`.
No live path is written: Parity's default scores each new bar from the trailing `lookback` bars,
which gives the same numbers as the backtest because row t reads only bars t - slow + 1 .. t.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from parity import Bars, SignalSet


class SMAParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    fast: int = Field(10, ge=1, description="bars in the fast moving average")
    slow: int = Field(40, ge=2, description="bars in the slow moving average")

    @model_validator(mode="after")
    def _fast_below_slow(self) -> "SMAParams":
        if self.fast >= self.slow:
            raise ValueError(f"fast ({self.fast}) must be below slow ({self.slow})")
        return self


def trailing_mean(close: np.ndarray, n: int) -> np.ndarray:
    """(T, N) mean of the last n closes, each window summed on its own; NaN until n bars exist."""
    out = np.full(close.shape, np.nan)
    for t in range(n - 1, close.shape[0]):
        out[t] = close[t - n + 1: t + 1].mean(axis=0)
    return out


class SMACrossover:
    name = "sma_crossover"
    Params = SMAParams

    def __init__(self, params: SMAParams = SMAParams()) -> None:
        self.params = params
        self.lookback = params.slow

    def generate(self, bars: Bars) -> SignalSet:
        fast = trailing_mean(bars.close, self.params.fast)
        slow = trailing_mean(bars.close, self.params.slow)
        with np.errstate(invalid="ignore"):
            scores = np.where(np.isfinite(fast) & np.isfinite(slow), np.sign(fast - slow), np.nan)
        return SignalSet(scores=scores)

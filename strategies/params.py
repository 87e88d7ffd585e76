"""Parameters of the strategies Parity ships, one frozen pydantic model each.

A strategy declares its parameter model as its `Params` class attribute (engine/signals.py); the
config's `strategy.params` is validated against it with the same errors as every other key
(unknown key with "did you mean", ranges).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class MomentumParams(Section):
    lookback: int = Field(60, ge=2, le=1000, description="bars of trailing return")
    skip: int = Field(5, ge=0, le=100, description="most recent bars left out (short-term reversal)")
    vol_lookback: int = Field(20, ge=2, le=1000, description="bars of 1-bar returns behind the volatility scale")
    vol_scaled: bool = Field(True, description="divide the trailing return by its volatility before ranking")
    smoothing: int = Field(1, ge=1, le=250, description="bars of trailing mean of the ranked score; 1 = off")

    @model_validator(mode="after")
    def _skip_inside_lookback(self) -> "MomentumParams":
        if self.skip >= self.lookback:
            raise ValueError(f"skip ({self.skip}) must be smaller than lookback ({self.lookback}); lower skip or raise lookback")
        return self


class XGBoostParams(Section):
    # Walk-forward: a model trained at bar t sees only labels of bars <= t - horizon (purge and
    # embargo = horizon) and scores bars t .. t + retrain_every - 1. See strategies/walkforward.py.
    horizon: int = Field(5, ge=1, le=250, description="label: forward return over this many bars")
    label: Literal["raw", "rank", "excess"] = Field("rank", description="raw return, cross-sectional rank, or return minus the universe mean")
    # Overlapping portfolios: averaging the last `horizon` score rows holds each prediction about as
    # long as it predicts, instead of re-trading the whole book on every re-rank (strategies/smoothing.py).
    smoothing: int = Field(5, ge=1, le=250, description="bars of trailing mean of the ranked score; 1 = off")
    window: Literal["expanding", "rolling"] = "expanding"
    train_bars: int = Field(120, ge=20, description="minimum (expanding) or fixed (rolling) training bars")
    retrain_every: int = Field(20, ge=1, description="bars between retrains")
    n_estimators: int = Field(200, ge=1, le=10_000, description="boosting rounds (trees)")
    max_depth: int = Field(3, ge=1, le=16)
    learning_rate: float = Field(0.05, gt=0, le=1)
    subsample: float = Field(0.8, gt=0, le=1, description="share of training rows drawn per tree")
    colsample_bytree: float = Field(0.8, gt=0, le=1, description="share of features drawn per tree")
    min_child_weight: float = Field(5.0, ge=0)
    reg_lambda: float = Field(1.0, ge=0, description="L2 penalty on leaf weights")
    n_jobs: int = Field(2, ge=1, le=64, description="XGBoost threads")
    seed: int = Field(42, ge=0, description="XGBoost's random_state (row and column subsampling)")



"""Cross-sectional momentum: the baseline strategy, rule-based and deterministic.

Score of symbol n at bar t: the log return from the close of bar t - lookback to the close of bar
t - skip (the last `skip` bars are left out to avoid short-term reversal), optionally divided by the
standard deviation of its 1-bar log returns over the last `vol_lookback` bars, then ranked across
the symbols of bar t onto [-1, 1]. Row t reads closes t - max(lookback, vol_lookback) .. t only.
With `smoothing` k > 1 the strategy's score is the trailing mean of the last k ranked rows
(strategies/smoothing.py), so a row reads k - 1 bars further back.
"""

from __future__ import annotations

import numpy as np

from parity.strategies.params import MomentumParams
from parity.engine.data.bars import Bars
from parity.engine.signals import SignalSet
from parity.strategies.diagnostics import signal_diagnostics
from parity.strategies.features.windows_nb import window_cov
from parity.strategies.ranks import cross_sectional_rank
from parity.strategies.smoothing import trailing_mean

# Momentum has no label horizon; its diagnostics measure the next bar's return.
_DIAGNOSTIC_HORIZON = 1


def trailing_volatility(close: np.ndarray, lookback: int) -> np.ndarray:
    """(T, N) sample std (ddof=1) of 1-bar log returns over bars t - lookback + 1 .. t.

    Each window is reduced on its own (no running sums), so a row depends only on its window's
    values: recomputing it from the last bars alone gives the same number to the bit.
    """
    log_ret = np.full(close.shape, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        log_ret[1:] = np.log(close[1:] / close[:-1])
    return np.sqrt(np.maximum(window_cov(log_ret, log_ret, lookback), 0.0))


def momentum_raw(close: np.ndarray, cfg: MomentumParams) -> np.ndarray:
    """(T, N) trailing return (vol-scaled if configured) before ranking; NaN while warming up."""
    t = close.shape[0]
    raw = np.full(close.shape, np.nan)
    if t > cfg.lookback:
        with np.errstate(invalid="ignore", divide="ignore"):
            raw[cfg.lookback:] = np.log(close[cfg.lookback - cfg.skip: t - cfg.skip] / close[: t - cfg.lookback])
    if cfg.vol_scaled:
        vol = trailing_volatility(close, cfg.vol_lookback)
        with np.errstate(invalid="ignore", divide="ignore"):
            raw = np.where(vol > 0, raw / vol, np.nan)
    raw[~np.isfinite(raw)] = np.nan
    return raw


def momentum_scores(close: np.ndarray, cfg: MomentumParams) -> np.ndarray:
    """(T, N) ranked momentum in [-1, 1] (lowest momentum -1, highest +1), before smoothing."""
    return cross_sectional_rank(momentum_raw(close, cfg))


def history_needed(cfg: MomentumParams) -> int:
    """Bars one ranked row needs, itself included: the live scorer keeps this many closes."""
    return max(cfg.lookback, cfg.vol_lookback if cfg.vol_scaled else 0) + 1


class MomentumStrategy:
    """The baseline; live scoring is the engine's default trailing window (row t reads `lookback` bars)."""

    name = "momentum"
    Params = MomentumParams

    def __init__(self, cfg: MomentumParams = MomentumParams()) -> None:
        self.cfg = cfg
        self.lookback = history_needed(cfg) + cfg.smoothing - 1

    def generate(self, bars: Bars) -> SignalSet:
        scores = trailing_mean(momentum_scores(bars.close, self.cfg), self.cfg.smoothing)
        return SignalSet(scores=scores, diagnostics=signal_diagnostics(scores, bars, _DIAGNOSTIC_HORIZON))

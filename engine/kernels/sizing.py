"""Signal filter and position sizing: scores of one bar -> target positions in shares.

Rules (per symbol, given score s, decision price p, equity E):
- no view (s or p NaN, or p <= 0): the target is the current holding (position + working orders),
  so nothing is traded or cancelled for that symbol;
- |s| < signal_threshold: target 0 (flat);
- otherwise weight w = s * max_position_size (a score of +-1 takes the full per-symbol budget) and
  target = w * E / p shares, rounded toward zero to whole shares unless fractional;
- w < 0 without allow_short: target 0 (the short view becomes "be flat"). A SHORT_NOT_ALLOWED event
  (SCALED, requested = the short target, allowed = 0) is recorded when that short view meets a
  non-flat holding, i.e. when the order it produces is cut at flat instead of reversing the
  position. A flat symbol that stays flat records nothing: in a long-only run half of all
  symbol-bars carry a negative score, and one event each would bury the real risk interventions.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from parity.engine.kernels.buffers import push_risk_event
from parity.engine.kernels.codes import SCALED, SHORT_NOT_ALLOWED
from parity.engine.kernels.state import Book
from parity.engine.params import SizingParams


FRACTIONAL_STEP = 1e-6  # smallest share increment kept for fractional targets
_ROUNDING_SLACK = 1e-9  # absorbs float noise such as 49.99999999997 meaning 50 shares


@njit(cache=True, inline="always")
def to_shares(qty: float, fractional: bool) -> float:
    """Round a share quantity toward zero: whole shares, or FRACTIONAL_STEP when fractional."""
    if fractional:
        units = math.floor(abs(qty) / FRACTIONAL_STEP + _ROUNDING_SLACK)
        return math.copysign(units * FRACTIONAL_STEP, qty) if units > 0 else 0.0
    units = math.floor(abs(qty) + _ROUNDING_SLACK)  # whole shares: no division by a step of 1
    return math.copysign(units, qty) if units > 0 else 0.0


@njit(cache=True, inline="always")
def size_targets(bar: int, ts: int, scores: np.ndarray, prices: np.ndarray, book: Book, sp: SizingParams,
                 events: np.ndarray, n_events: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Targets (shares) and `has_view` for one bar; returns (targets, has_view, events, n_events)."""
    n = scores.shape[0]
    targets = np.empty(n)
    has_view = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        s = scores[i]
        p = prices[i]
        if not (math.isfinite(s) and math.isfinite(p) and p > 0.0):
            targets[i] = book.positions[i] + book.pending[i]
            continue
        has_view[i] = True
        if abs(s) < sp.signal_threshold or book.equity <= 0.0:
            targets[i] = 0.0
            continue
        shares = to_shares(s * sp.max_position_size * book.equity / p, sp.fractional)
        if shares < 0.0 and not sp.allow_short:
            if book.positions[i] + book.pending[i] != 0.0:
                events, n_events = push_risk_event(events, n_events, bar, ts, i, SHORT_NOT_ALLOWED, SCALED,
                                                   shares, 0.0)
            shares = 0.0
        targets[i] = shares
    return targets, has_view, events, n_events

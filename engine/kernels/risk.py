"""Risk review: targets in, ADJUSTED targets out (the input is never edited), one event per change.

Each rule is one small @njit function with the same shape,
    rule(bar, ts, adjusted, has_view, prices, book, sector_ids, rp, events, n_events) -> (events, n_events)
that may only scale `adjusted` toward zero (or hold it at the current holding) and appends a
RISK_EVENT_DTYPE record (rule, action, requested, allowed) for every symbol it changes. To add a
rule, write it here and call it from `review_targets`; rules run in the order listed there.

Targets are final holdings *including* working orders: a symbol without a view keeps
position + pending as its target, so orders that have not filled yet count toward every cap and two
bars of unfilled orders cannot breach a limit together.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from engine.kernels.buffers import push_risk_event
from engine.kernels.sizing import to_shares
from engine.kernels.state import Book
from engine.params import RiskParams
from engine.types import RiskAction, RiskRule

POSITION_SIZE = int(RiskRule.POSITION_SIZE)
TOTAL_EXPOSURE = int(RiskRule.TOTAL_EXPOSURE)
SCALED = int(RiskAction.SCALED)

_CAP_TOLERANCE = 1e-12  # relative: a target exactly at a cap is not a breach


@njit(cache=True)
def valuation_price(prices: np.ndarray, book: Book, i: int) -> float:
    """Decision price when the symbol trades this bar, else its last mark, else 0."""
    p = prices[i]
    if math.isfinite(p) and p > 0.0:
        return p
    m = book.marks[i]
    return m if math.isfinite(m) else 0.0


@njit(cache=True)
def cap_position_size(bar: int, ts: int, adjusted: np.ndarray, has_view: np.ndarray, prices: np.ndarray,
                      book: Book, sector_ids: np.ndarray, rp: RiskParams, events: np.ndarray,
                      n_events: int) -> tuple[np.ndarray, int]:
    """|target| * price <= max_position_size * equity for every tradable symbol, with or without a
    view (a held position that grew past the cap is trimmed)."""
    limit = rp.max_position_size * max(book.equity, 0.0)
    for i in range(adjusted.shape[0]):
        p = prices[i]
        if not (math.isfinite(p) and p > 0.0) or adjusted[i] == 0.0:
            continue
        if abs(adjusted[i]) * p > limit * (1.0 + _CAP_TOLERANCE):
            allowed = to_shares(math.copysign(limit / p, adjusted[i]), rp.fractional)
            events, n_events = push_risk_event(events, n_events, bar, ts, i, POSITION_SIZE, SCALED,
                                               adjusted[i], allowed)
            adjusted[i] = allowed
    return events, n_events


@njit(cache=True)
def cap_total_exposure(bar: int, ts: int, adjusted: np.ndarray, has_view: np.ndarray, prices: np.ndarray,
                       book: Book, sector_ids: np.ndarray, rp: RiskParams, events: np.ndarray,
                       n_events: int) -> tuple[np.ndarray, int]:
    """sum |target| * price <= max_total_exposure * equity. Holdings without a view are locked (not
    traded); the targets with a view share what is left, all scaled by one factor."""
    limit = rp.max_total_exposure * max(book.equity, 0.0)
    locked = 0.0
    free = 0.0
    for i in range(adjusted.shape[0]):
        value = abs(adjusted[i]) * valuation_price(prices, book, i)
        if has_view[i]:
            free += value
        else:
            locked += value
    if locked + free <= limit * (1.0 + _CAP_TOLERANCE) or free == 0.0:
        return events, n_events
    scale = max(limit - locked, 0.0) / free
    for i in range(adjusted.shape[0]):
        if not has_view[i] or adjusted[i] == 0.0:
            continue
        allowed = to_shares(adjusted[i] * scale, rp.fractional)
        if allowed != adjusted[i]:
            events, n_events = push_risk_event(events, n_events, bar, ts, i, TOTAL_EXPOSURE, SCALED,
                                               adjusted[i], allowed)
            adjusted[i] = allowed
    return events, n_events


@njit(cache=True)
def review_targets(bar: int, ts: int, targets: np.ndarray, has_view: np.ndarray, prices: np.ndarray,
                   book: Book, sector_ids: np.ndarray, rp: RiskParams, events: np.ndarray,
                   n_events: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Run every rule in order on a copy of `targets`; returns (adjusted, events, n_events)."""
    adjusted = targets.copy()
    events, n_events = cap_position_size(bar, ts, adjusted, has_view, prices, book, sector_ids, rp, events,
                                         n_events)
    events, n_events = cap_total_exposure(bar, ts, adjusted, has_view, prices, book, sector_ids, rp, events,
                                          n_events)
    return adjusted, events, n_events

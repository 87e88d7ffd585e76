"""Risk review: targets in, ADJUSTED targets out (the input is never edited), one event per change.

Each rule is one small @njit function with the same shape,
    rule(bar, ts, adjusted, has_view, prices, book, sector_ids, rp, events, n_events) -> (events, n_events)
that may only scale `adjusted` toward zero (or hold it at the current holding) and appends a
RISK_EVENT_DTYPE record (rule, action, requested, allowed) for every symbol it changes. To add a
rule, write it here and call it from `review_targets`; rules run in the order listed there.

Targets are final holdings *including* working orders: a symbol without a view keeps
position + pending as its target, so orders that have not filled yet count toward every cap and two
bars of unfilled orders cannot breach a limit together.

Rules, in order (each only moves targets toward zero, so a later rule never undoes an earlier one):
1. daily loss: once the session's lowest equity is `max_daily_loss` below its start, a target may
   only lie between 0 and the filled position (no added risk; reducing still goes) -> REFUSED, for
   the rest of the session (the start is the equity at the previous session's last close; with
   daily bars a day that closed max_daily_loss down lets the next day's orders only reduce);
2. position size: |target| * price <= max_position_size * equity -> SCALED;
3. position risk: |target| * price * stop_loss_pct (the loss if the stop, which sits stop_loss_pct
   from the entry, is hit) <= max_position_risk * equity -> SCALED;
4. sector exposure: gross value per sector <= max_sector_exposure * equity -> SCALED;
5. total exposure: gross value <= max_total_exposure * equity -> SCALED;
6. buying power: the buying power the targets' added exposure reserves at the venue <= the account's
   buying power (book.buying_power) -> SCALED (see cap_buying_power).
Group caps (4, 5) scale the targets with a view by one factor; holdings without a view are left as
they are unless they alone break the cap, in which case the tradable ones are scaled too (a position
that grew by market movement is trimmed at the next bar). Only symbols without a price are locked.
The emergency stop and protective stops are not rules here: see engine/kernels/emergency.py and
engine/kernels/stops.py.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from parity.engine.kernels.buffers import push_risk_event
from parity.engine.kernels.codes import (BUYING_POWER, DAILY_LOSS, POSITION_RISK, POSITION_SIZE, REFUSED, SCALED,
                                  SECTOR_EXPOSURE, TOTAL_EXPOSURE)
from parity.engine.kernels.sizing import to_shares
from parity.engine.kernels.state import Book
from parity.engine.params import RiskParams


_CAP_TOLERANCE = 1e-12  # relative: a target exactly at a cap is not a breach


@njit(cache=True, inline="always")
def valuation_price(prices: np.ndarray, book: Book, i: int) -> float:
    """Decision price when the symbol trades this bar, else its last mark, else 0."""
    p = prices[i]
    if math.isfinite(p) and p > 0.0:
        return p
    m = book.marks[i]
    return m if math.isfinite(m) else 0.0


@njit(cache=True, inline="always")
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


@njit(cache=True, inline="always")
def daily_loss_breached(book: Book, rp: RiskParams) -> bool:
    """The session's lowest equity so far is max_daily_loss (or more) below its starting equity."""
    start = book.session_start_equity
    return start > 0.0 and book.session_low_equity <= start * (1.0 - rp.max_daily_loss)


@njit(cache=True, inline="always")
def refuse_beyond_holding(bar: int, ts: int, adjusted: np.ndarray, i: int, holding: float, rule: int,
                          events: np.ndarray, n_events: int) -> tuple[np.ndarray, int]:
    """Clamp symbol i's target between 0 and `holding` (only trades that reduce it may go), recording
    a REFUSED event under `rule` when that changes the target."""
    allowed = min(max(adjusted[i], min(holding, 0.0)), max(holding, 0.0))
    if allowed != adjusted[i]:
        events, n_events = push_risk_event(events, n_events, bar, ts, i, rule, REFUSED, adjusted[i], allowed)
        adjusted[i] = allowed
    return events, n_events


@njit(cache=True, inline="always")
def halt_on_daily_loss(bar: int, ts: int, adjusted: np.ndarray, has_view: np.ndarray, prices: np.ndarray,
                       book: Book, sector_ids: np.ndarray, rp: RiskParams, events: np.ndarray,
                       n_events: int) -> tuple[np.ndarray, int]:
    """After the daily loss limit: every target is clamped between 0 and the filled position, so
    working orders that add risk are cancelled and no new ones go out; reducing orders still go."""
    if not daily_loss_breached(book, rp):
        return events, n_events
    for i in range(adjusted.shape[0]):
        p = prices[i]
        if not (math.isfinite(p) and p > 0.0):
            continue
        events, n_events = refuse_beyond_holding(bar, ts, adjusted, i, book.positions[i], DAILY_LOSS, events,
                                                 n_events)
    return events, n_events


@njit(cache=True, inline="always")
def cap_position_risk(bar: int, ts: int, adjusted: np.ndarray, has_view: np.ndarray, prices: np.ndarray,
                      book: Book, sector_ids: np.ndarray, rp: RiskParams, events: np.ndarray,
                      n_events: int) -> tuple[np.ndarray, int]:
    """|target| * price * stop_loss_pct <= max_position_risk * equity (the loss if the stop is hit)."""
    budget = rp.max_position_risk * max(book.equity, 0.0)
    for i in range(adjusted.shape[0]):
        p = prices[i]
        if not (math.isfinite(p) and p > 0.0) or adjusted[i] == 0.0:
            continue
        if abs(adjusted[i]) * p * rp.stop_loss_pct > budget * (1.0 + _CAP_TOLERANCE):
            allowed = to_shares(math.copysign(budget / (rp.stop_loss_pct * p), adjusted[i]), rp.fractional)
            events, n_events = push_risk_event(events, n_events, bar, ts, i, POSITION_RISK, SCALED,
                                               adjusted[i], allowed)
            adjusted[i] = allowed
    return events, n_events


@njit(cache=True, inline="always")
def scale_groups(bar: int, ts: int, adjusted: np.ndarray, has_view: np.ndarray, prices: np.ndarray, book: Book,
                 group_ids: np.ndarray, one_group: bool, limit: float, rule: int, fractional: bool,
                 events: np.ndarray, n_events: int) -> tuple[np.ndarray, int]:
    """Per group g (group_ids[i]; < 0 = in none; one_group: every symbol in group 0), sum of
    |target| * value price <= limit. Targets with a view share the room left by the others (one
    factor per group); if holdings without a view alone exceed it, the view targets go to zero and
    the tradable holdings without a view are scaled by one factor instead. Two passes over N."""
    n = adjusted.shape[0]
    n_groups = 1 if one_group else 0
    if not one_group:
        for i in range(n):  # a loop rather than group_ids.max(): that costs half a second of compile
            n_groups = max(n_groups, group_ids[i] + 1)
    if n_groups <= 0:
        return events, n_events
    locked = np.zeros(n_groups)  # no price this bar: cannot trade
    held = np.zeros(n_groups)  # price but no view
    free = np.zeros(n_groups)  # view
    for i in range(n):
        g = 0 if one_group else group_ids[i]
        if g < 0 or adjusted[i] == 0.0:
            continue
        value = abs(adjusted[i]) * valuation_price(prices, book, i)
        p = prices[i]
        if not (math.isfinite(p) and p > 0.0):
            locked[g] += value
        elif has_view[i]:
            free[g] += value
        else:
            held[g] += value
    over = False
    for g in range(n_groups):
        if locked[g] + held[g] + free[g] > limit * (1.0 + _CAP_TOLERANCE):
            over = True
    if not over:
        return events, n_events
    view_scale = np.ones(n_groups)
    held_scale = np.ones(n_groups)
    for g in range(n_groups):
        if locked[g] + held[g] + free[g] <= limit * (1.0 + _CAP_TOLERANCE):
            continue
        room = limit - locked[g]
        if free[g] > 0.0:
            view_scale[g] = max(room - held[g], 0.0) / free[g]
        if room < held[g] and held[g] > 0.0:
            held_scale[g] = max(room, 0.0) / held[g]
    for i in range(n):
        g = 0 if one_group else group_ids[i]
        p = prices[i]
        if g < 0 or adjusted[i] == 0.0 or not (math.isfinite(p) and p > 0.0):
            continue
        scale = view_scale[g] if has_view[i] else held_scale[g]
        if scale >= 1.0:
            continue
        allowed = to_shares(adjusted[i] * scale, fractional)
        if allowed != adjusted[i]:
            events, n_events = push_risk_event(events, n_events, bar, ts, i, rule, SCALED, adjusted[i], allowed)
            adjusted[i] = allowed
    return events, n_events


@njit(cache=True, inline="always")
def cap_sector_exposure(bar: int, ts: int, adjusted: np.ndarray, has_view: np.ndarray, prices: np.ndarray,
                        book: Book, sector_ids: np.ndarray, rp: RiskParams, events: np.ndarray,
                        n_events: int) -> tuple[np.ndarray, int]:
    """Gross value per sector (sector_ids[i]; < 0 = no sector) <= max_sector_exposure * equity."""
    limit = rp.max_sector_exposure * max(book.equity, 0.0)
    return scale_groups(bar, ts, adjusted, has_view, prices, book, sector_ids, False, limit, SECTOR_EXPOSURE,
                        rp.fractional, events, n_events)


@njit(cache=True, inline="always")
def cap_total_exposure(bar: int, ts: int, adjusted: np.ndarray, has_view: np.ndarray, prices: np.ndarray,
                       book: Book, sector_ids: np.ndarray, rp: RiskParams, events: np.ndarray,
                       n_events: int) -> tuple[np.ndarray, int]:
    """sum |target| * price <= max_total_exposure * equity (see scale_groups)."""
    limit = rp.max_total_exposure * max(book.equity, 0.0)
    return scale_groups(bar, ts, adjusted, has_view, prices, book, sector_ids, True, limit, TOTAL_EXPOSURE,
                        rp.fractional, events, n_events)


@njit(cache=True, inline="always")
def held_part(target: float, position: float) -> float:
    """The part of `target` the filled position already holds (same side, at most |target|); the rest
    of the target is exposure that orders must add."""
    if target > 0.0:
        return min(target, max(position, 0.0))
    return max(target, min(position, 0.0))


@njit(cache=True, inline="always")
def cap_buying_power(bar: int, ts: int, adjusted: np.ndarray, has_view: np.ndarray, prices: np.ndarray,
                     book: Book, sector_ids: np.ndarray, rp: RiskParams, events: np.ndarray,
                     n_events: int) -> tuple[np.ndarray, int]:
    """What the targets add beyond the filled positions (working orders included: a venue reserves
    buying power for an open order until it fills), priced as the venue reserves it (|added| * price *
    rp.buy_reserve for buys, rp.short_reserve for opening shorts), <= book.buying_power. Sales do not
    count toward it until they fill (Alpaca does not free buying power for open sell orders). When it
    binds, every tradable symbol's added part is scaled by one factor (the room left by symbols without
    a price, which cannot trade); the part the position holds is never cut."""
    power = book.buying_power
    if not power < np.inf:
        return events, n_events
    locked = 0.0
    need = 0.0
    for i in range(adjusted.shape[0]):
        added = adjusted[i] - held_part(adjusted[i], book.positions[i])
        if added == 0.0:
            continue
        cost = abs(added) * valuation_price(prices, book, i) * (rp.buy_reserve if added > 0.0 else rp.short_reserve)
        p = prices[i]
        if math.isfinite(p) and p > 0.0:
            need += cost
        else:
            locked += cost
    room = max(power, 0.0) - locked
    if need <= room * (1.0 + _CAP_TOLERANCE) + 1e-9:
        return events, n_events
    scale = max(room, 0.0) / need
    for i in range(adjusted.shape[0]):
        p = prices[i]
        if not (math.isfinite(p) and p > 0.0):
            continue
        held = held_part(adjusted[i], book.positions[i])
        added = adjusted[i] - held
        if added == 0.0:
            continue
        allowed = held + to_shares(added * scale, rp.fractional)
        if allowed != adjusted[i]:
            events, n_events = push_risk_event(events, n_events, bar, ts, i, BUYING_POWER, SCALED, adjusted[i],
                                               allowed)
            adjusted[i] = allowed
    return events, n_events


@njit(cache=True, inline="always")
def review_targets(bar: int, ts: int, targets: np.ndarray, has_view: np.ndarray, prices: np.ndarray,
                   book: Book, sector_ids: np.ndarray, rp: RiskParams, events: np.ndarray,
                   n_events: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Run every rule in order on a copy of `targets`; returns (adjusted, events, n_events)."""
    adjusted = targets.copy()
    events, n_events = halt_on_daily_loss(bar, ts, adjusted, has_view, prices, book, sector_ids, rp, events,
                                          n_events)
    events, n_events = cap_position_size(bar, ts, adjusted, has_view, prices, book, sector_ids, rp, events,
                                         n_events)
    events, n_events = cap_position_risk(bar, ts, adjusted, has_view, prices, book, sector_ids, rp, events,
                                         n_events)
    events, n_events = cap_sector_exposure(bar, ts, adjusted, has_view, prices, book, sector_ids, rp, events,
                                           n_events)
    events, n_events = cap_total_exposure(bar, ts, adjusted, has_view, prices, book, sector_ids, rp, events,
                                          n_events)
    events, n_events = cap_buying_power(bar, ts, adjusted, has_view, prices, book, sector_ids, rp, events,
                                        n_events)
    return adjusted, events, n_events

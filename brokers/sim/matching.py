"""`match_bar`: the simulated venue's matching of every working order against one bar.

Market orders fill at the open, limits on touch or trade-through (at the open when it gaps through),
stops when the bar reaches them; fills are capped at a share of the bar's volume, slipped against
the trader (slippage.py) and charged fees (fees.py). The rules that are a matter of choice, in one
place:

- Eligibility: an order trades in bar t only if `bar_open_ts >= arrival_at` and it was decided on an
  earlier bar (`order.bar < t`), so it never fills in the bar whose close produced it.
- Tradable: the symbol's open, high, low and volume are all finite this bar; otherwise the order
  waits (a NaN volume would make the participation cap meaningless).
- A triggered STOP executes as a MARKET order from then on, so a remainder left by the participation
  cap fills at the next bar's open without re-triggering; a triggered STOP_LIMIT executes as a LIMIT.
  The order keeps its `type`; `triggered` records the change (`execution_type` reads both).
- STOP_LIMIT on its trigger bar: fills at the trigger reference (slipped, never beyond the limit)
  when that reference is within the limit, else rests as a LIMIT from the next bar.
- Limit fills at the limit price take no slippage (the order is the resting side); a limit that
  the open gaps through fills at the slipped open, capped at the limit.
- Fill prices are not clamped to the bar's range: a large impact may price a fill outside it.
- Participation cap: all fills in one symbol in one bar total <= participation_rate * volume. Orders
  with a whole-share qty fill whole shares (floored, with a 1e-9 tolerance so that 0.29 * 100 = 28.999...
  still allows 29 shares); orders with a fractional qty fill any amount.
- IOC: the remainder is cancelled after the first bar at or after arrival, even if the symbol did
  not trade in that bar (an IOC order does not wait). DAY: expires at the end of a session bar
  (session_end) unless it was decided on that very bar (it then belongs to the next session: an
  order decided at a daily bar's close must not expire before it reaches the venue).
- Malformed orders (qty not > 0, missing limit/stop price for their type, unknown enum, symbol out
  of range) are set REJECTED and leave `working`; orders already terminal (e.g. cancelled by the
  caller) are simply dropped from `working`.
- Fees are unrounded floats (see fees.py). `reported_at` draws one fill latency per fill, in fill
  order, from numba's random state (see latency.py for seeding).

The caller must give `fills` room for at least `n_working` more records (one fill per order per bar
at most); otherwise a ValueError is raised before anything changes.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from parity.brokers.sim.fees import commission, sec_fee, taf_fee
from parity.brokers.sim.latency import draw_delay_ns
from parity.brokers.sim.params import SimParams
from parity.brokers.sim.slippage import slippage_bps, slipped_price
from parity.engine.types import LimitFillMode, OrderStatus, OrderType, Side, TimeInForce

BUY = int(Side.BUY)
SELL = int(Side.SELL)
MARKET = int(OrderType.MARKET)
LIMIT = int(OrderType.LIMIT)
STOP = int(OrderType.STOP)
STOP_LIMIT = int(OrderType.STOP_LIMIT)
DAY = int(TimeInForce.DAY)
GTC = int(TimeInForce.GTC)
IOC = int(TimeInForce.IOC)
PARTIALLY_FILLED = int(OrderStatus.PARTIALLY_FILLED)
FILLED = int(OrderStatus.FILLED)
CANCELED = int(OrderStatus.CANCELED)
EXPIRED = int(OrderStatus.EXPIRED)
REJECTED = int(OrderStatus.REJECTED)
NEW = int(OrderStatus.NEW)
THROUGH = int(LimitFillMode.THROUGH)

_SHARE_TOLERANCE = 1e-9  # absolute slack before flooring a share count (float noise of rate * volume)


@njit(cache=True, inline="always")
def is_terminal(status: int) -> bool:
    return status == FILLED or status == CANCELED or status == EXPIRED or status == REJECTED


@njit(cache=True, inline="always")
def is_well_formed(side: int, otype: int, tif: int, qty: float, limit: float, stop: float, symbol: int, n_symbols: int) -> bool:
    """Whether an order can be matched at all (anything else is REJECTED)."""
    if not (qty > 0.0 and np.isfinite(qty)) or (side != BUY and side != SELL):
        return False
    if symbol < 0 or symbol >= n_symbols or tif < DAY or tif > IOC or otype < MARKET or otype > STOP_LIMIT:
        return False
    if (otype == LIMIT or otype == STOP_LIMIT) and not (limit > 0.0 and np.isfinite(limit)):
        return False
    if (otype == STOP or otype == STOP_LIMIT) and not (stop > 0.0 and np.isfinite(stop)):
        return False
    return True


@njit(cache=True, inline="always")
def is_tradable(open_: float, high: float, low: float, volume: float) -> bool:
    return np.isfinite(open_) and np.isfinite(high) and np.isfinite(low) and np.isfinite(volume)


@njit(cache=True, inline="always")
def limit_touched(side: int, limit: float, high: float, low: float, mode: int) -> bool:
    """TOUCH: the bar reached the limit; THROUGH: it traded strictly beyond it."""
    if side == BUY:
        return low < limit if mode == THROUGH else low <= limit
    return high > limit if mode == THROUGH else high >= limit


@njit(cache=True, inline="always")
def stop_triggered(side: int, stop: float, high: float, low: float) -> bool:
    return high >= stop if side == BUY else low <= stop


@njit(cache=True, inline="always")
def stop_reference(side: int, stop: float, open_: float) -> float:
    """Where a triggered stop executes before slippage: the stop, or the open if it gapped through."""
    return max(open_, stop) if side == BUY else min(open_, stop)


@njit(cache=True, inline="always")
def within_limit(side: int, price: float, limit: float) -> bool:
    return price <= limit if side == BUY else price >= limit


@njit(cache=True, inline="always")
def cap_at_limit(side: int, price: float, limit: float) -> float:
    return min(price, limit) if side == BUY else max(price, limit)


@njit(cache=True, inline="always")
def execution_type(otype: int, triggered: bool) -> int:
    """The type an order executes as now: a triggered STOP as MARKET, a triggered STOP_LIMIT as LIMIT."""
    if triggered and otype == STOP:
        return MARKET
    if triggered and otype == STOP_LIMIT:
        return LIMIT
    return otype


@njit(cache=True, inline="always")
def execution_terms(side: int, otype: int, limit: float, stop: float, open_: float, high: float, low: float, mode: int):
    """How an order executes in this bar: (fills, reference price, price bound or NaN, slips, type after).

    `otype` is the execution_type; `type after` is the one it executes as from now on (a STOP that
    triggers here executes as MARKET, a STOP_LIMIT as LIMIT).
    """
    nan = np.nan
    if otype == MARKET:
        return True, open_, nan, True, MARKET
    if otype == LIMIT:
        if not limit_touched(side, limit, high, low, mode):
            return False, nan, nan, False, LIMIT
        if within_limit(side, open_, limit):  # gapped through: the open is better than the limit
            return True, open_, limit, True, LIMIT
        return True, limit, limit, False, LIMIT
    if not stop_triggered(side, stop, high, low):
        return False, nan, nan, False, otype
    reference = stop_reference(side, stop, open_)
    if otype == STOP:
        return True, reference, nan, True, MARKET
    if within_limit(side, reference, limit):
        return True, reference, limit, True, LIMIT
    return False, nan, nan, False, LIMIT


@njit(cache=True, inline="always")
def fill_quantity(remaining: float, available: float, whole_shares: bool) -> float:
    """Shares to fill now: the remainder, capped by the volume still available in this bar."""
    if whole_shares:
        available = np.floor(available * (1.0 + 1e-12) + _SHARE_TOLERANCE)
    if not available > 0.0:
        return 0.0
    return min(remaining, available)


@njit(cache=True, inline="always")
def fill_price(side: int, reference: float, bound: float, slips: bool, qty: float, volume: float, vol: float, params: SimParams) -> float:
    price = reference
    if slips:
        bps = slippage_bps(params.fixed_bps, params.half_spread_bps, params.impact_coef, vol, qty, volume)
        price = slipped_price(side, reference, bps)
    if np.isfinite(bound):
        price = cap_at_limit(side, price, bound)
    return price


@njit(cache=True, inline="always")
def record_fill(fills, k: int, order, t: int, qty: float, price: float, reference: float, ts: int, volume: float, params: SimParams) -> None:
    f = fills[k]
    f.order_id = order.order_id
    f.bar = t
    f.symbol = order.symbol
    f.side = order.side
    f.qty = qty
    f.price = price
    f.reference_price = reference
    f.commission = commission(qty, params.commission_per_share, params.commission_min)
    f.sec_fee = sec_fee(order.side, price, qty, params.sec_fee_rate)
    f.taf_fee = taf_fee(order.side, qty, params.taf_per_share, params.taf_max)
    f.ts = ts
    f.reported_at = ts + draw_delay_ns(params.fill_ns, params.latency_dist, params.lognormal_sigma)
    f.participation = qty / volume


@njit(cache=True, inline="always")
def try_fill(order, t: int, open_: float, high: float, low: float, volume: float, vol: float, taken, bar_open_ts: int, params: SimParams, fills, n_fills: int) -> int:
    """Fill what this bar allows of one eligible order on a tradable symbol; returns the new n_fills."""
    side = int(order.side)
    otype = execution_type(order.type, order.triggered)
    fills_now, reference, bound, slips, type_after = execution_terms(
        side, otype, order.limit_price, order.stop_price, open_, high, low, params.limit_fill_mode
    )
    if type_after != otype:
        order.triggered = True
    if not fills_now:
        return n_fills
    s = order.symbol
    remaining = order.qty - order.filled_qty
    qty = fill_quantity(remaining, params.participation_rate * volume - taken[s], order.qty == np.floor(order.qty))
    if qty <= 0.0:
        return n_fills
    price = fill_price(side, reference, bound, slips, qty, volume, vol, params)
    record_fill(fills, n_fills, order, t, qty, price, reference, bar_open_ts, volume, params)
    taken[s] += qty
    if qty >= remaining:
        order.filled_qty = order.qty
        order.status = FILLED
    else:
        order.filled_qty += qty
        order.status = PARTIALLY_FILLED
    return n_fills + 1


@njit(cache=True, inline="always")
def apply_time_in_force(order, t: int, eligible: bool, session_end: bool) -> None:
    """After the bar: IOC remainder cancelled, DAY expired at its session's end, GTC untouched."""
    if is_terminal(order.status):
        return
    if order.tif == IOC and eligible:
        order.status = CANCELED
    elif order.tif == DAY and session_end and order.bar < t:
        order.status = EXPIRED


@njit(cache=True, inline="always")
def executes_now(order, t: int, bar_open_ts: int, open_: float, high: float, low: float, volume: float,
                 mode: int) -> bool:
    """Whether match_bar would execute `order` in bar t (before the participation cap): working,
    eligible, tradable and its execution_terms fill. Lets a caller compute per-fill inputs (the
    daily vol behind impact) only for the orders that need them."""
    if is_terminal(order.status) or bar_open_ts < order.arrival_at or order.bar >= t:
        return False
    if not is_tradable(open_, high, low, volume):
        return False
    return execution_terms(int(order.side), execution_type(order.type, order.triggered), order.limit_price,
                           order.stop_price, open_, high, low, mode)[0]


@njit(cache=True, inline="always")
def resting_untouched(order, high: float, low: float) -> bool:
    """A GTC stop (or stop-limit) that was already checked on an earlier bar and that this bar does not
    reach: all the full path below would do is keep it working. Its arrival price is set only once it
    passed is_well_formed and was eligible, so the checks that bar made still hold. Protective stops
    rest like this on most bars, and they are most of the working orders."""
    return (order.tif == GTC and (order.type == STOP or order.type == STOP_LIMIT) and not order.triggered
            and not np.isnan(order.arrival_price) and not stop_triggered(order.side, order.stop_price, high, low))


@njit(cache=True)
def match_bar(t, orders, working, n_working, open_, high, low, close, volume, bar_open_ts, session_end, daily_vol, params, fills, n_fills):
    """Match the working orders (oldest first) against bar t; returns (new n_working, new n_fills).

    Updates orders in place (filled_qty, status, arrival_price, `triggered` of stops), appends
    fills at fills[n_fills:], and compacts `working` to the still-working orders in their order.
    Never touches cash or positions. `close` is part of the signature for models that need it.
    """
    if fills.shape[0] - n_fills < n_working:
        raise ValueError("match_bar: fills buffer has less free room than there are working orders; grow it first")
    n_symbols = open_.shape[0]
    taken = np.zeros(n_symbols)  # shares already filled per symbol in this bar (participation cap)
    kept = 0
    for w in range(n_working):
        order = orders[working[w]]
        if is_terminal(order.status):
            continue
        s = order.symbol
        if resting_untouched(order, high[s], low[s]):
            working[kept] = working[w]
            kept += 1
            continue
        if not is_well_formed(order.side, order.type, order.tif, order.qty, order.limit_price, order.stop_price, s, n_symbols):
            order.status = REJECTED
            continue
        eligible = bar_open_ts >= order.arrival_at and order.bar < t
        if eligible and is_tradable(open_[s], high[s], low[s], volume[s]):
            if np.isnan(order.arrival_price):
                order.arrival_price = open_[s]
            n_fills = try_fill(order, t, open_[s], high[s], low[s], volume[s], daily_vol[s], taken, bar_open_ts, params, fills, n_fills)
        apply_time_in_force(order, t, eligible, session_end)
        if not is_terminal(order.status):
            working[kept] = working[w]
            kept += 1
    return kept, n_fills

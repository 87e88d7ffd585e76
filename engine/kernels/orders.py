"""Order management: adjusted targets -> new orders, cancels of stale orders, and the working set.

For each tradable symbol (decision price finite), with holding h = position + pending:
1. delta = target - h. |delta| * price < min_trade_size -> nothing happens (MIN_TRADE_SIZE event,
   REFUSED): the working orders already carry (nearly) the right intent. Unless
   the target is exactly the position (plus working exits): then cancelling is all it takes, and a
   cancel is not a trade, so it always goes.
2. Otherwise the symbol's intent changed: its working rebalance orders are cancelled (replace
   semantics: at most one rebalance order per symbol works at a time, so stale intent never piles
   up) and the replacement order is target - position. If that is below min_trade_size the action is
   a cancel alone (MIN_TRADE_SIZE event if it was not zero).
   A MIN_TRADE_SIZE event marks the start of a run of skipped rebalances: while a symbol's wanted
   trade stays below the minimum bar after bar (a held position's target drifts with its price every
   bar), the later bars record nothing (`book.skip_noted`); a bar where the symbol trades, wants
   nothing or only cancels ends the run. One event per bar would make these 97% of a run's events.
3. At most max_orders_per_bar new orders per bar. Candidates are ranked: risk-reducing first
   (|target| < |position + pending|), then larger notional, then lower symbol index; the rest get a
   MAX_ORDERS_PER_BAR event (REFUSED) and are left entirely alone (no cancel either), so a refused
   symbol keeps whatever was working. Cancel-only actions do not use an order slot. Risk-reducing
   orders are never refused by the cap (they use slots first; only orders that add risk are cut),
   and protective orders (engine/kernels/stops.py, emergency.py) do not count toward it.

Working orders: `pending` holds every working order except resting protective stops;
`exit_pending` is its protective part (triggered stops, stop-outs, emergency flatten), which a
rebalance never cancels, so a replacement is target - position - exit_pending. `cancel[i]` gets
CANCEL_REBALANCE when the symbol's working rebalance orders must go.

New orders are ORDER_DTYPE records: order_id = index + 1, status NEW, created_at = arrival_at = the
decision time (the caller adds submit latency), decision_price = close, arrival_price NaN. Limit
prices sit `limit_offset` in the trader's favour (buy below, sell above the decision price) and are
rounded further in that direction to the venue tick (a cent, or 1/100 cent below $1).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from parity.engine.kernels.buffers import ensure_capacity, push_risk_event
from parity.engine.kernels.cancels import CANCEL_REBALANCE, order_kind
from parity.engine.kernels.codes import CANCELED, LIMIT, MARKET, MAX_ORDERS_PER_BAR, MIN_TRADE_SIZE, NEW, REBALANCE, REFUSED
from parity.engine.kernels.state import Book
from parity.engine.params import OrderParams


_TICK_SLACK = 1e-9  # so 99.90 * 100 = 9989.999999 still floors to 99.90


@njit(cache=True, inline="always")
def limit_price_for(side: int, decision_price: float, offset: float) -> float:
    """Limit `offset` away from the decision price in the trader's favour, on the venue's tick grid."""
    raw = decision_price * (1.0 - side * offset)
    tick = 0.01 if raw >= 1.0 else 0.0001
    if side > 0:
        return math.floor(raw / tick + _TICK_SLACK) * tick
    return math.ceil(raw / tick - _TICK_SLACK) * tick


@njit(cache=True, inline="always")
def _ranks_before(a: int, b: int, reducing: np.ndarray, notional: np.ndarray) -> bool:
    """Priority of candidate symbol a over b: risk-reducing, then larger notional, then lower index."""
    if reducing[a] != reducing[b]:
        return reducing[a]
    if notional[a] != notional[b]:
        return notional[a] > notional[b]
    return a < b


@njit(cache=True, inline="always")
def prioritise(candidates: np.ndarray, reducing: np.ndarray, notional: np.ndarray) -> np.ndarray:
    """Candidate symbols sorted by `_ranks_before` (insertion sort: N is small, the order is total)."""
    out = candidates.copy()
    for k in range(1, out.shape[0]):
        c = out[k]
        j = k - 1
        while j >= 0 and _ranks_before(c, out[j], reducing, notional):
            out[j + 1] = out[j]
            j -= 1
        out[j + 1] = c
    return out


# Not inline, for the same reason as push_risk_event: one compiled copy for every caller.
@njit(cache=True)
def append_order(orders: np.ndarray, n_orders: int, bar: int, ts: int, symbol: int, qty_signed: float, otype: int,
                 tif: int, reason: int, limit_price: float, stop_price: float,
                 decision_price: float) -> tuple[np.ndarray, int]:
    """Append one NEW ORDER_DTYPE record (any type and reason); returns (orders, n_orders)."""
    orders = ensure_capacity(orders, n_orders + 1)
    o = orders[n_orders]
    o["order_id"] = n_orders + 1
    o["bar"] = bar
    o["symbol"] = symbol
    o["side"] = 1 if qty_signed > 0.0 else -1
    o["type"] = otype
    o["tif"] = tif
    o["reason"] = reason
    o["status"] = NEW
    o["qty"] = abs(qty_signed)
    o["filled_qty"] = 0.0
    o["limit_price"] = limit_price
    o["stop_price"] = stop_price
    o["created_at"] = ts
    o["arrival_at"] = ts
    o["decision_price"] = decision_price
    o["arrival_price"] = np.nan
    o["triggered"] = False  # every field is written: a grown buffer's new rows are uninitialised
    return orders, n_orders + 1


@njit(cache=True, inline="always")
def write_order(orders: np.ndarray, n_orders: int, bar: int, ts: int, symbol: int, qty_signed: float,
                price: float, op: OrderParams) -> tuple[np.ndarray, int]:
    """A rebalance order with the configured type, limit offset and time in force."""
    side = 1 if qty_signed > 0.0 else -1
    limit = limit_price_for(side, price, op.limit_offset) if op.order_type == LIMIT else np.nan
    return append_order(orders, n_orders, bar, ts, symbol, qty_signed, op.order_type, op.tif, REBALANCE, limit,
                        np.nan, price)


@njit(cache=True, inline="always")
def generate_orders(bar: int, ts: int, adjusted: np.ndarray, prices: np.ndarray, book: Book, op: OrderParams,
                    orders: np.ndarray, n_orders: int, cancel: np.ndarray, events: np.ndarray,
                    n_events: int) -> tuple[np.ndarray, int, np.ndarray, int]:
    """Append this bar's orders and set `cancel[i]` for symbols whose working rebalance orders must go.

    Returns (orders, n_orders, events, n_events)."""
    n = adjusted.shape[0]
    cancel[:] = 0
    candidates = np.empty(n, dtype=np.int64)
    n_candidates = 0
    reducing = np.zeros(n, dtype=np.bool_)
    notional = np.zeros(n)
    for i in range(n):
        p = prices[i]
        if not (math.isfinite(p) and p > 0.0):
            continue
        holding = book.positions[i] + book.pending[i]
        delta = adjusted[i] - holding
        noted = book.skip_noted[i]
        book.skip_noted[i] = False
        if delta == 0.0:
            continue
        replacement = adjusted[i] - book.positions[i] - book.exit_pending[i]
        rebalance_pending = book.pending[i] - book.exit_pending[i]
        if abs(delta) * p < op.min_trade_size and replacement != 0.0:
            if not noted:
                events, n_events = push_risk_event(events, n_events, bar, ts, i, MIN_TRADE_SIZE, REFUSED,
                                                   adjusted[i], holding)
            book.skip_noted[i] = True
            continue
        if replacement == 0.0 or abs(replacement) * p < op.min_trade_size:
            if rebalance_pending != 0.0:
                cancel[i] |= CANCEL_REBALANCE
            if replacement != 0.0:
                if not noted:
                    events, n_events = push_risk_event(events, n_events, bar, ts, i, MIN_TRADE_SIZE, REFUSED,
                                                       adjusted[i], book.positions[i])
                book.skip_noted[i] = True
            continue
        candidates[n_candidates] = i
        n_candidates += 1
        reducing[i] = abs(adjusted[i]) < abs(holding)  # less planned exposure (a trim of a working buy too)
        notional[i] = abs(replacement) * p
    ranked = prioritise(candidates[:n_candidates], reducing, notional)
    for k in range(ranked.shape[0]):
        i = ranked[k]
        if k >= op.max_orders_per_bar and not reducing[i]:
            events, n_events = push_risk_event(events, n_events, bar, ts, i, MAX_ORDERS_PER_BAR, REFUSED,
                                               adjusted[i], book.positions[i] + book.pending[i])
            continue
        if book.pending[i] != book.exit_pending[i]:
            cancel[i] |= CANCEL_REBALANCE
        orders, n_orders = write_order(orders, n_orders, bar, ts, i,
                                       adjusted[i] - book.positions[i] - book.exit_pending[i], prices[i], op)
    return orders, n_orders, events, n_events


@njit(cache=True)
def pending_by_symbol(orders: np.ndarray, working: np.ndarray, n_working: int, pending: np.ndarray) -> None:
    """Signed unfilled shares of the working orders, per symbol, written into `pending`."""
    pending[:] = 0.0
    for k in range(n_working):
        o = orders[working[k]]
        pending[o["symbol"]] += o["side"] * (o["qty"] - o["filled_qty"])


@njit(cache=True)
def cancel_working(orders: np.ndarray, working: np.ndarray, n_working: int, cancel: np.ndarray) -> int:
    """Cancel every working order whose kind (parity.engine.kernels.cancels.order_kind) is flagged in its
    symbol's `cancel` bits; keeps the survivors' relative order in `working` and returns their count."""
    kept = 0
    for k in range(n_working):
        idx = working[k]
        o = orders[idx]
        if int(cancel[o["symbol"]]) & order_kind(o["reason"], o["stop_price"], o["filled_qty"]):
            o["status"] = CANCELED
        else:
            working[kept] = idx
            kept += 1
    return kept

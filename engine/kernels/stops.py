"""Protective stops: one resting STOP order (reason STOP_LOSS, GTC) per open position, kept in step
with the position by the decision kernel every bar.

Why a resting order rather than a check at each close: the exit then triggers inside the bar when
the low (high, for a short) reaches the stop, and fills by the venue's own rules: the SimBroker
(brokers/sim/matching.py) fills a triggered stop at the stop price, or at the open when the bar gaps
through it; Alpaca does the same with a real stop order. The state of a stop lives at the broker
(its open order), so a restarted process finds it there.

Per symbol with a decision price, each bar:
- protected shares q = min(|position|, max(side * planned, 0)), where `planned` is the holding once
  this bar's orders and the working ones are done (position + exits + kept rebalance + new rebalance).
  A rebalance that reduces the position shrinks the stop by the same amount, so a stop and a
  reducing order that both fill can never take the position through zero;
- stop level: entry * (1 - stop_loss_pct) for a long (entry * (1 + pct) for a short), entry being
  the average entry price (the decision price if unknown). Trailing: the level also follows the
  close, close * (1 - pct), and never loosens (it is at least the resting stop's level);
  levels are rounded to the tick away from the price (a cent, 1/100 cent below $1);
- if the close is already through the level, a stop order would be marketable: the protected shares
  leave at MARKET (reason STOP_LOSS, DAY) instead, filling at the next open like a gapped stop, and a
  STOP_LOSS / EXIT risk event records it. While such an exit is due or working, the symbol's target
  may not add risk (`hold_exiting_positions`), so a buy never works against the exit;
- otherwise, if the resting stop differs in quantity or level, it is cancelled (CANCEL_STOP) and
  replaced; with q = 0 it is only cancelled.
Protective orders are exempt from max_orders_per_bar and min_trade_size: nothing may starve them.
`risk_management.stop_orders: false` turns stops off (position risk is still capped as if a stop sat
stop_loss_pct away).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from parity.engine.kernels.buffers import push_risk_event
from parity.engine.kernels.cancels import CANCEL_REBALANCE, CANCEL_STOP
from parity.engine.kernels.codes import DAY, EXIT, GTC, MARKET, STOP, STOP_LOSS_REASON, STOP_LOSS_RULE
from parity.engine.kernels.orders import append_order
from parity.engine.kernels.risk import refuse_beyond_holding
from parity.engine.kernels.state import Book
from parity.engine.params import RiskParams


_SLACK = 1e-9
_SAME_LEVEL = 1e-9


@njit(cache=True, inline="always")
def round_away(level: float, side: int) -> float:
    """Round a stop level to the tick, away from the price: down for a long's sell stop, up for a short's."""
    tick = 0.01 if level >= 1.0 else 0.0001
    if side > 0:
        return math.floor(level / tick + _SLACK) * tick
    return math.ceil(level / tick - _SLACK) * tick


@njit(cache=True, inline="always")
def stop_level(side: int, avg_entry: float, close: float, resting_qty: float, resting_price: float,
               rp: RiskParams) -> float:
    """Stop price protecting a position on `side` (+1 long, -1 short); see the module docstring."""
    entry = avg_entry if math.isfinite(avg_entry) and avg_entry > 0.0 else close
    level = entry * (1.0 - side * rp.stop_loss_pct)
    if rp.trailing_stop:
        trail = close * (1.0 - side * rp.stop_loss_pct)
        level = max(level, trail) if side > 0 else min(level, trail)
        if resting_qty * side < 0.0 and math.isfinite(resting_price):  # a resting stop on this side: never loosen
            level = max(level, resting_price) if side > 0 else min(level, resting_price)
    return round_away(level, side)


@njit(cache=True, inline="always")
def breached(side: int, close: float, level: float) -> bool:
    """The close is at or through the stop level (a stop order there would be marketable)."""
    return (close - level) * side <= 0.0


@njit(cache=True, inline="always")
def hold_exiting_positions(bar: int, ts: int, adjusted: np.ndarray, prices: np.ndarray, book: Book, rp: RiskParams,
                           events: np.ndarray, n_events: int, levels: np.ndarray) -> tuple[np.ndarray, int]:
    """No added risk in a symbol that is leaving by a protective exit: one working (exit_pending) or
    one about to be sent because the close is through the stop. Its target is clamped between 0 and
    position + working exits (STOP_LOSS / REFUSED event), so no rebalance order works against the
    exit and a buy can never fill while the sell does not. Runs after the risk review.

    Writes each stop level it computes into `levels` (NaN elsewhere) for place_stops to reuse."""
    levels[:] = np.nan
    for i in range(adjusted.shape[0]):
        p = prices[i]
        pos = book.positions[i]
        if not (math.isfinite(p) and p > 0.0) or pos == 0.0:
            continue
        side = 1 if pos > 0.0 else -1
        exiting = book.exit_pending[i] != 0.0
        if not exiting and rp.stop_orders:
            level = stop_level(side, book.avg_entry[i], p, book.stop_qty[i], book.stop_price[i], rp)
            levels[i] = level
            exiting = breached(side, p, level)
        if not exiting:
            continue
        events, n_events = refuse_beyond_holding(bar, ts, adjusted, i, pos + book.exit_pending[i], STOP_LOSS_RULE,
                                                 events, n_events)
    return events, n_events


@njit(cache=True, inline="always")
def planned_holdings(first: int, orders: np.ndarray, n_orders: int, book: Book, cancel: np.ndarray) -> np.ndarray:
    """Holding per symbol once this bar's new orders and the working orders that survive are done."""
    planned = book.positions + book.exit_pending
    for i in range(planned.shape[0]):
        if not (int(cancel[i]) & CANCEL_REBALANCE):
            planned[i] += book.pending[i] - book.exit_pending[i]
    for k in range(first, n_orders):
        o = orders[k]
        planned[o["symbol"]] += o["side"] * o["qty"]
    return planned


@njit(cache=True, inline="always")
def place_stops(bar: int, ts: int, first: int, prices: np.ndarray, book: Book, rp: RiskParams, orders: np.ndarray,
                n_orders: int, cancel: np.ndarray, events: np.ndarray, n_events: int,
                levels: np.ndarray) -> tuple[np.ndarray, int, np.ndarray, int]:
    """Place, replace or cancel each symbol's protective stop after this bar's rebalance orders
    (orders[first:n_orders]); returns (orders, n_orders, events, n_events). `levels`: the stop levels
    hold_exiting_positions computed this bar (NaN where it did not), the same figures stop_level gives."""
    planned = planned_holdings(first, orders, n_orders, book, cancel)
    for i in range(prices.shape[0]):
        p = prices[i]
        if not (math.isfinite(p) and p > 0.0):
            continue  # no decision price: the resting stop (if any) keeps working as it is
        pos = book.positions[i]
        side = 1 if pos > 0.0 else -1
        qty = 0.0
        if rp.stop_orders and pos != 0.0:
            qty = min(abs(pos), max(side * planned[i], 0.0))
        resting = book.stop_qty[i]
        if qty == 0.0:
            if resting != 0.0:
                cancel[i] |= CANCEL_STOP
            continue
        level = levels[i]
        if not math.isfinite(level):
            level = stop_level(side, book.avg_entry[i], p, resting, book.stop_price[i], rp)
        if breached(side, p, level):  # a stop there would be marketable: leave at the next open
            if resting != 0.0:
                cancel[i] |= CANCEL_STOP
            orders, n_orders = append_order(orders, n_orders, bar, ts, i, -side * qty, MARKET, DAY, STOP_LOSS_REASON,
                                            np.nan, np.nan, p)
            events, n_events = push_risk_event(events, n_events, bar, ts, i, STOP_LOSS_RULE, EXIT, planned[i],
                                               planned[i] - side * qty)
            continue
        if resting == -side * qty and abs(book.stop_price[i] - level) <= _SAME_LEVEL * level:
            continue
        if resting != 0.0:
            cancel[i] |= CANCEL_STOP
        orders, n_orders = append_order(orders, n_orders, bar, ts, i, -side * qty, STOP, GTC, STOP_LOSS_REASON,
                                        np.nan, level, p)
    return orders, n_orders, events, n_events

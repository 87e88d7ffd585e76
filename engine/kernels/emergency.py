"""The emergency stop as the decision kernel applies it: while `book.halted`, this replaces sizing,
risk review and rebalancing for the bar.

- No new risk: no rebalance order is created; every working rebalance order is cancelled.
- Protective orders stay: resting stops and exits keep working (they only reduce risk).
- With flatten_on_emergency_stop: resting stops are cancelled and every position still open after
  the working exits is closed by a MARKET order (reason EMERGENCY_FLATTEN, DAY); an exit already
  working is counted, so the flatten is not sent twice. A symbol not trading this bar is flattened
  at its last mark as the decision price (the venue fills it when it trades again).
Events, all rule EMERGENCY_STOP: one portfolio-wide REFUSED event per halted bar (symbol -1,
requested = the number of symbols with a position or working order, allowed = 0), a REFUSED event
per symbol whose working rebalance orders are cancelled (requested = position + pending, allowed =
what is left), and an EXIT event per flatten order (requested = position, allowed = 0).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from parity.engine.kernels.buffers import push_risk_event
from parity.engine.kernels.cancels import CANCEL_REBALANCE, CANCEL_STOP
from parity.engine.kernels.codes import DAY, EMERGENCY_FLATTEN, EMERGENCY_STOP, EXIT, MARKET, REFUSED
from parity.engine.kernels.orders import append_order
from parity.engine.kernels.risk import valuation_price
from parity.engine.kernels.state import Book
from parity.engine.params import RiskParams

NO_SYMBOL = np.int64(-1)  # the portfolio-wide event's symbol


@njit(cache=True)
def emergency_stop(bar: int, ts: int, prices: np.ndarray, book: Book, rp: RiskParams, orders: np.ndarray,
                   n_orders: int, cancel: np.ndarray, events: np.ndarray,
                   n_events: int) -> tuple[np.ndarray, int, np.ndarray, int]:
    """Cancels and flatten orders for one halted bar; returns (orders, n_orders, events, n_events)."""
    cancel[:] = 0
    active = 0
    for i in range(prices.shape[0]):
        if book.positions[i] != 0.0 or book.pending[i] != 0.0 or book.stop_qty[i] != 0.0:
            active += 1
    events, n_events = push_risk_event(events, n_events, bar, ts, NO_SYMBOL, EMERGENCY_STOP, REFUSED, float(active),
                                       0.0)
    for i in range(prices.shape[0]):
        rebalance_pending = book.pending[i] - book.exit_pending[i]
        if rebalance_pending != 0.0:
            cancel[i] |= CANCEL_REBALANCE
            events, n_events = push_risk_event(events, n_events, bar, ts, i, EMERGENCY_STOP, REFUSED,
                                               book.positions[i] + book.pending[i],
                                               book.positions[i] + book.exit_pending[i])
        if not rp.flatten_on_emergency_stop:
            continue
        if book.stop_qty[i] != 0.0:
            cancel[i] |= CANCEL_STOP
        remaining = book.positions[i] + book.exit_pending[i]
        price = valuation_price(prices, book, i)
        if remaining == 0.0 or price <= 0.0:
            continue
        orders, n_orders = append_order(orders, n_orders, bar, ts, i, -remaining, MARKET, DAY, EMERGENCY_FLATTEN,
                                        np.nan, np.nan, price)
        events, n_events = push_risk_event(events, n_events, bar, ts, i, EMERGENCY_STOP, EXIT, book.positions[i],
                                           0.0)
    return orders, n_orders, events, n_events

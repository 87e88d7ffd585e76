"""Kinds of working orders, the cancel bits a decision sets per symbol, and the per-symbol split of
working orders into the Book's `pending`, `exit_pending`, `stop_qty` and `stop_price`.

Three kinds, each a bit, so `cancel[i] & kind` says whether a loop must cancel that order:
- CANCEL_REBALANCE: orders the rebalance (engine/kernels/orders.py) placed;
- CANCEL_STOP: resting protective stops: reason STOP_LOSS, a stop price, nothing filled yet;
- CANCEL_EXIT: every other protective order (a stop that has started to fill, a stop-out or an
  emergency flatten at market).
The kind is a function of fields every loop knows about its own orders (reason and stop price as
sent, cumulative filled quantity as the broker reports it), so the compiled loop, the stepped loop
and a live runner classify the same order the same way. A resting stop is not "pending": it only
acts if the price falls through it, so it is neither a holding nor counted toward any cap.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from parity.engine.kernels.codes import REBALANCE, STOP_LOSS_REASON

CANCEL_REBALANCE = 1
CANCEL_STOP = 2
CANCEL_EXIT = 4
CANCEL_ALL = CANCEL_REBALANCE | CANCEL_STOP | CANCEL_EXIT


@njit(cache=True, inline="always")
def order_kind(reason: int, stop_price: float, filled_qty: float) -> int:
    """CANCEL_REBALANCE, CANCEL_STOP or CANCEL_EXIT for one working order."""
    if reason == REBALANCE:
        return CANCEL_REBALANCE
    if reason == STOP_LOSS_REASON and math.isfinite(stop_price) and filled_qty == 0.0:
        return CANCEL_STOP
    return CANCEL_EXIT


@njit(cache=True)
def working_by_symbol(orders: np.ndarray, working: np.ndarray, n_working: int, pending: np.ndarray,
                      exit_pending: np.ndarray, stop_qty: np.ndarray, stop_price: np.ndarray) -> None:
    """Write the Book's working-order arrays from orders[working[:n_working]] (signed remaining shares).

    A symbol with several resting stops (it never has more than one unless a cancel is still in
    flight) reports their sum and the stop price of the last one."""
    pending[:] = 0.0
    exit_pending[:] = 0.0
    stop_qty[:] = 0.0
    stop_price[:] = np.nan
    for k in range(n_working):
        o = orders[working[k]]
        i = o["symbol"]
        remaining = o["side"] * (o["qty"] - o["filled_qty"])
        kind = order_kind(o["reason"], o["stop_price"], o["filled_qty"])
        if kind == CANCEL_STOP:
            stop_qty[i] += remaining
            stop_price[i] = o["stop_price"]
            continue
        pending[i] += remaining
        if kind == CANCEL_EXIT:
            exit_pending[i] += remaining

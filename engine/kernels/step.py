"""`decide_bar`: the one piece of decision logic every loop calls after a bar closes.

sizing -> risk review -> order generation, over the state after bar t. The compiled backtest
(brokers/sim/backtest.py) calls it inside its numba loop; the stepped loop (engine/stepper.py) calls
it once per bar from Python with what the broker reports, so backtest and live share every line of
sizing, risk and order code.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from parity.engine.kernels.emergency import emergency_stop
from parity.engine.kernels.orders import generate_orders
from parity.engine.kernels.risk import review_targets
from parity.engine.kernels.sizing import size_targets
from parity.engine.kernels.state import Book
from parity.engine.kernels.stops import hold_exiting_positions, place_stops
from parity.engine.params import EngineParams


@njit(cache=True)
def make_book(positions: np.ndarray, pending: np.ndarray, avg_entry: np.ndarray, marks: np.ndarray, cash: float,
              equity: float, session_start_equity: float, session_low_equity: float, exit_pending: np.ndarray,
              stop_qty: np.ndarray, stop_price: np.ndarray, halted: bool, skip_noted: np.ndarray,
              buying_power: float = np.inf) -> Book:
    """The single constructor both loops use (add new Book fields here). Without `buying_power` the
    buying-power rule does not bind (a caller that knows no account)."""
    return Book(positions, pending, avg_entry, marks, cash, equity, session_start_equity, session_low_equity,
                exit_pending, stop_qty, stop_price, halted, skip_noted, float(buying_power))


@njit(cache=True)
def decide_bar(bar: int, ts: int, scores: np.ndarray, prices: np.ndarray, book: Book, sector_ids: np.ndarray,
               params: EngineParams, orders: np.ndarray, n_orders: int, cancel: np.ndarray, events: np.ndarray,
               n_events: int) -> tuple[np.ndarray, int, np.ndarray, int]:
    """New orders (appended to `orders`), cancels and risk events for bar `bar`, decided at time `ts`
    on `scores` (row of the SignalSet) and `prices` (the bar's closes; NaN = not trading).

    `cancel` (int8, N) is written with bit flags per symbol (parity.engine.kernels.stops.CANCEL_*): which of
    the symbol's working orders the loop must cancel before the new ones go out. Under an emergency
    stop (book.halted) only parity.engine.kernels.emergency runs. Otherwise: sizing -> risk review ->
    no added risk while exiting -> rebalance orders -> protective stops.

    Returns (orders, n_orders, events, n_events); either buffer may be a grown copy."""
    if book.halted:
        return emergency_stop(bar, ts, prices, book, params.risk, orders, n_orders, cancel, events, n_events)
    targets, has_view, events, n_events = size_targets(bar, ts, scores, prices, book, params.sizing, events,
                                                       n_events)
    adjusted, events, n_events = review_targets(bar, ts, targets, has_view, prices, book, sector_ids,
                                                params.risk, events, n_events)
    levels = np.empty(prices.shape[0])
    events, n_events = hold_exiting_positions(bar, ts, adjusted, prices, book, params.risk, events, n_events, levels)
    first = n_orders
    orders, n_orders, events, n_events = generate_orders(bar, ts, adjusted, prices, book, params.orders, orders,
                                                         n_orders, cancel, events, n_events)
    return place_stops(bar, ts, first, prices, book, params.risk, orders, n_orders, cancel, events, n_events, levels)

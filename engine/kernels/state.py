"""The portfolio as the decision kernels see it after a bar closes.

Both loops build a `Book` from their own bookkeeping (the compiled loop from its arrays, the stepped
loop from what the broker reports) and hand it to `decide_bar`. Arrays are (N,), one per symbol.
Rules that need more state add a field here and fill it in `parity.engine.kernels.step.make_book`, the one
place both loops construct it. Everything here is derivable from what a broker reports (positions,
cash, open orders) plus two numbers a loop keeps (the session's starting and lowest equity) and the
halt flag: a restarted live process rebuilds it without hidden memory. One exception changes no
decision, only the audit trail: `skip_noted`, which keeps a run of skipped small rebalances to one
MIN_TRADE_SIZE event (a restart may record that event once more). Working orders are split by
`parity.engine.kernels.stops.working_by_symbol`: resting protective stops are NOT in `pending` (they only
act if the price falls through them); every other working order is.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Book(NamedTuple):
    positions: np.ndarray  # signed shares held now
    pending: np.ndarray  # signed shares still working in orders (remaining, not yet filled)
    avg_entry: np.ndarray  # average entry price of the open position; NaN when flat
    marks: np.ndarray  # last known close per symbol (NaN before the first print)
    cash: float
    equity: float  # cash + positions marked at `marks`
    session_start_equity: float  # equity at the close before the current session began
    session_low_equity: float  # lowest equity at any decision of the current session, this one included
    exit_pending: np.ndarray  # the part of `pending` in protective exits (triggered stops, stop-outs, flatten)
    stop_qty: np.ndarray  # signed shares of the resting protective stop (negative protects a long); 0 = none
    stop_price: np.ndarray  # its stop price; NaN when none
    halted: bool  # emergency stop in force (engine/halt.py): no new risk, open orders cancelled
    skip_noted: np.ndarray  # bool: the last decision already recorded this symbol's rebalance as below
    # min_trade_size (engine/kernels/orders.py updates it in place; the loop keeps it between bars)
    buying_power: float  # what the account may spend on exposure with no order of the engine working:
    # the broker's figure (a cash account: its cash); inf when the broker does not report one

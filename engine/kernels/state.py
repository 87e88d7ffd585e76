"""The portfolio as the decision kernels see it after a bar closes.

Both loops build a `Book` from their own bookkeeping (the compiled loop from its arrays, the stepped
loop from what the broker reports) and hand it to `decide_bar`. Arrays are (N,), one per symbol.
Rules that need more state (high-water marks for trailing stops, a halt flag) add a field here and
fill it in `engine.kernels.step.make_book`, the one place both loops construct it.
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

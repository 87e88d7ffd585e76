"""Portfolio accounting: fills into cash, positions and average entry prices; marking to market.

Cash moves by the full fill notional plus every fee: a buy of q at p costs q*p + fees, a sell of q
at p brings q*p - fees. Short positions hold negative shares (their sale proceeds sit in cash).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def apply_fill(position: float, avg_entry: float, cash: float, side: int, qty: float, price: float,
               fees: float) -> tuple[float, float, float]:
    """(position, avg_entry, cash) after one fill of `qty` > 0 shares on `side` (+1 buy, -1 sell).

    Average entry: adding to a position weights the old and new prices by shares; reducing it leaves
    the average unchanged; crossing through zero restarts it at the fill price; flat -> NaN.
    """
    signed = side * qty
    new_position = position + signed
    new_cash = cash - signed * price - fees
    if new_position == 0.0:
        new_avg = np.nan
    elif position == 0.0 or (position > 0.0) != (new_position > 0.0):
        new_avg = price  # opened, or flipped through zero: the remainder was bought/sold at `price`
    elif (signed > 0.0) == (position > 0.0):
        new_avg = (avg_entry * abs(position) + price * qty) / abs(new_position)
    else:
        new_avg = avg_entry  # reduced, same direction
    return new_position, new_avg, new_cash


@njit(cache=True)
def apply_fills(fills: np.ndarray, start: int, stop: int, positions: np.ndarray, avg_entry: np.ndarray,
                cash: float) -> float:
    """Apply fills[start:stop] in order, updating `positions`/`avg_entry` in place; returns cash."""
    for k in range(start, stop):
        f = fills[k]
        i = f["symbol"]
        fees = f["commission"] + f["sec_fee"] + f["taf_fee"]
        positions[i], avg_entry[i], cash = apply_fill(positions[i], avg_entry[i], cash, f["side"], f["qty"],
                                                      f["price"], fees)
    return cash


@njit(cache=True)
def update_marks(marks: np.ndarray, close: np.ndarray) -> None:
    """Carry the last known close forward: NaN (not trading this bar) keeps the previous mark."""
    for i in range(marks.shape[0]):
        if math.isfinite(close[i]):
            marks[i] = close[i]


@njit(cache=True)
def mark_to_market(positions: np.ndarray, marks: np.ndarray, cash: float) -> tuple[float, float, float]:
    """(equity, gross value, net value); a position with no mark yet counts at 0 (it cannot exist:
    nothing fills before its symbol's first print)."""
    gross = 0.0
    net = 0.0
    for i in range(positions.shape[0]):
        q = positions[i]
        if q != 0.0 and math.isfinite(marks[i]):
            v = q * marks[i]
            gross += abs(v)
            net += v
    return cash + net, gross, net


@njit(cache=True)
def account_buying_power(cash: float, equity: float, gross: float, multiplier: float) -> float:
    """A simulated account's buying power with no order working, as Alpaca computes it: the cash on a
    cash account (multiplier <= 1), else multiplier x equity less the gross position value; never < 0."""
    if multiplier <= 1.0:
        return max(cash, 0.0)
    return max(multiplier * equity - gross, 0.0)

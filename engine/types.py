"""Value types shared by every stage: int enums numba can read, and the record dtypes of a run.

Enums are `IntEnum`s so that numba kernels see plain ints (numba compiles IntEnum members to
constants) while Python code and reports see names. Records are numpy structured arrays,
preallocated by the kernels and turned into DataFrames only at the edge (engine/records.py).
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Side(IntEnum):
    BUY = 1
    SELL = -1


class OrderType(IntEnum):
    MARKET = 0
    LIMIT = 1
    STOP = 2
    STOP_LIMIT = 3


class TimeInForce(IntEnum):
    DAY = 0  # expires at the end of the session it became active in
    GTC = 1  # carries until filled or cancelled
    IOC = 2  # whatever the first eligible bar cannot fill is cancelled


class OrderStatus(IntEnum):
    NEW = 0
    PARTIALLY_FILLED = 1
    FILLED = 2
    CANCELED = 3
    EXPIRED = 4
    REJECTED = 5


TERMINAL_STATUSES = frozenset(
    {OrderStatus.FILLED, OrderStatus.CANCELED, OrderStatus.EXPIRED, OrderStatus.REJECTED}
)


class LimitFillMode(IntEnum):
    TOUCH = 0  # a buy limit fills when the bar's low reaches the limit
    THROUGH = 1  # only when the low trades strictly below it (queue-position conservative)


class LatencyDistribution(IntEnum):
    CONSTANT = 0
    EXPONENTIAL = 1  # mean = configured delay
    LOGNORMAL = 2  # median = configured delay, sigma from config


class OrderReason(IntEnum):
    """Why the engine created an order."""

    REBALANCE = 0
    STOP_LOSS = 1
    EMERGENCY_FLATTEN = 2
    RISK_TRIM = 3


class RiskRule(IntEnum):
    POSITION_SIZE = 0
    TOTAL_EXPOSURE = 1
    DAILY_LOSS = 2
    POSITION_RISK = 3
    SECTOR_EXPOSURE = 4
    STOP_LOSS = 5
    MAX_ORDERS_PER_BAR = 6
    MIN_TRADE_SIZE = 7
    EMERGENCY_STOP = 8
    SHORT_NOT_ALLOWED = 9
    BUYING_POWER = 10


class RiskAction(IntEnum):
    SCALED = 0  # target reduced to the allowed amount
    REFUSED = 1  # target held at the current position (no order)
    EXIT = 2  # position closed by a protective rule (stop loss, emergency flatten)


# --- Records -------------------------------------------------------------------------------------
# Timestamps are int64 nanoseconds since the epoch, UTC. `bar` is the row index into the run's bars.
# `symbol` is the column index into the run's universe; names are attached at the edge.

ORDER_DTYPE = np.dtype(
    [
        ("order_id", np.int64),
        ("bar", np.int64),  # bar whose close produced the decision
        ("symbol", np.int32),
        ("side", np.int8),  # Side
        ("type", np.int8),  # OrderType
        ("tif", np.int8),  # TimeInForce
        ("reason", np.int8),  # OrderReason
        ("status", np.int8),  # OrderStatus (final, as of the end of the run)
        ("qty", np.float64),  # shares, > 0
        ("filled_qty", np.float64),
        ("limit_price", np.float64),  # NaN when not a limit / stop-limit
        ("stop_price", np.float64),  # NaN when not a stop / stop-limit
        ("created_at", np.int64),  # decision timestamp (close of `bar`)
        ("arrival_at", np.int64),  # when the order reaches the venue (created_at + submit latency)
        ("decision_price", np.float64),  # close of `bar`: the benchmark for shortfall
        ("arrival_price", np.float64),  # open of the first bar the order could trade in; NaN if none
        # A STOP / STOP_LIMIT whose stop was reached: it now executes as a MARKET / LIMIT order, but
        # keeps its `type` (orders.parquet shows the execution as `executed_as`). The simulated venue
        # sets it when the stop triggers; the stepped loop, which the protocol tells only of fills,
        # when a fill of a stop arrives.
        ("triggered", np.bool_),
    ]
)

FILL_DTYPE = np.dtype(
    [
        ("order_id", np.int64),
        ("bar", np.int64),
        ("symbol", np.int32),
        ("side", np.int8),  # +1 buy, -1 sell
        ("qty", np.float64),  # shares, > 0
        ("price", np.float64),  # execution price including slippage
        ("reference_price", np.float64),  # price before slippage (open, limit or stop)
        ("commission", np.float64),
        ("sec_fee", np.float64),
        ("taf_fee", np.float64),
        ("ts", np.int64),  # execution time
        ("reported_at", np.int64),  # when the engine learns of it (ts + fill latency)
        ("participation", np.float64),  # qty / bar volume
    ]
)

EQUITY_DTYPE = np.dtype(
    [
        ("ts", np.int64),
        ("cash", np.float64),
        ("equity", np.float64),
        ("gross_exposure", np.float64),  # sum |position value| / equity
        ("net_exposure", np.float64),  # sum position value / equity
    ]
)

RISK_EVENT_DTYPE = np.dtype(
    [
        ("bar", np.int64),
        ("ts", np.int64),
        ("symbol", np.int32),  # -1 for portfolio-wide rules
        ("rule", np.int8),  # RiskRule
        ("action", np.int8),  # RiskAction
        ("requested", np.float64),  # requested target, shares (or a value the rule names)
        ("allowed", np.float64),  # what the rule allowed
    ]
)

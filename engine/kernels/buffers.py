"""Growable record buffers for kernels: append without ever truncating silently.

A kernel keeps (array, count) pairs; when an append would overflow, the array is copied into one
twice as large and the new array is returned, so callers always reassign `arr, n = push(arr, n, ..)`.
"""

from __future__ import annotations

import numpy as np
from numba import njit, typeof, types

from engine.types import RISK_EVENT_DTYPE

EVENTS_TYPE = typeof(np.zeros(1, RISK_EVENT_DTYPE))  # the numba type of a risk-event buffer


@njit(cache=True, inline="always")
def ensure_capacity(arr: np.ndarray, needed: int) -> np.ndarray:
    """`arr` itself if it holds `needed` rows, else a copy at least twice as long."""
    size = arr.shape[0]
    if needed <= size:
        return arr
    out = np.empty(max(needed, 2 * size, 16), dtype=arr.dtype)
    for k in range(size):  # a loop, not out[:size] = arr: the slice assignment compiles numba's
        out[k] = arr[k]  # shape-mismatch message formatting, a second of compile time for nothing
    return out


# One explicit signature, compiled once: callers pass rule and action as global constants, which numba
# types as literals, and without a fixed signature it compiled this once per (rule, action) pair; as
# inline="always" it was re-inlined at every call site (the slowest pass of decide_bar's compile).
@njit(types.Tuple((EVENTS_TYPE, types.int64))(EVENTS_TYPE, types.int64, types.int64, types.int64, types.int64,
                                              types.int64, types.int64, types.float64, types.float64), cache=True)
def push_risk_event(events: np.ndarray, n: int, bar: int, ts: int, symbol: int, rule: int, action: int,
                    requested: float, allowed: float) -> tuple[np.ndarray, int]:
    """Append one RISK_EVENT_DTYPE record; returns the (possibly grown) buffer and the new count."""
    events = ensure_capacity(events, n + 1)
    e = events[n]
    e["bar"] = bar
    e["ts"] = ts
    e["symbol"] = symbol
    e["rule"] = rule
    e["action"] = action
    e["requested"] = requested
    e["allowed"] = allowed
    return events, n + 1

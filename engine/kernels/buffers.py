"""Growable record buffers for kernels: append without ever truncating silently.

A kernel keeps (array, count) pairs; when an append would overflow, the array is copied into one
twice as large and the new array is returned, so callers always reassign `arr, n = push(arr, n, ..)`.
"""

from __future__ import annotations

import numpy as np
from numba import njit


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


# Not inline: re-inlined at each of its ~14 call sites in decide_bar, it made numba's untyped inline
# pass the slowest part of that compile. Callers pass np.int64 constants, so it compiles once.
@njit(cache=True)
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

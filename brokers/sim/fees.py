"""Regulatory and broker fees of one fill, in USD.

Kept unrounded: a broker rounds each fee to the cent (SEC fee and TAF rounded up) on its statement,
but summing unrounded fees over a run is closer to the true cost of many small fills and keeps the
accounting independent of how fills are split. Rates come from config (SimParams).
"""

from __future__ import annotations

from numba import njit

from parity.engine.types import Side

SELL = int(Side.SELL)


@njit(cache=True, inline="always")
def commission(qty: float, per_share: float, minimum: float) -> float:
    """Per-share commission with a per-fill minimum (0 when both are 0)."""
    return max(per_share * qty, minimum)


@njit(cache=True, inline="always")
def sec_fee(side: int, price: float, qty: float, rate: float) -> float:
    """SEC Section 31 fee: a rate per USD of sell notional; buys pay nothing."""
    if side != SELL:
        return 0.0
    return rate * price * qty


@njit(cache=True, inline="always")
def taf_fee(side: int, qty: float, per_share: float, cap: float) -> float:
    """FINRA Trading Activity Fee: per share sold, capped per trade; buys pay nothing."""
    if side != SELL:
        return 0.0
    return min(per_share * qty, cap)

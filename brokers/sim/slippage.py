"""Slippage: how far a fill's price moves against the trader from its reference price.

Three components add up, in basis points: a fixed cost, half the quoted spread, and square-root
market impact `1e4 * k * daily_vol * sqrt(qty / bar_volume)`. A missing (NaN) daily vol counts as
no impact rather than blocking the fill. Buys pay up, sells receive less.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def impact_bps(impact_coef: float, daily_vol: float, qty: float, volume: float) -> float:
    """Square-root impact in bps; 0 when the coefficient is 0 or vol/volume are unknown."""
    if impact_coef == 0.0 or not np.isfinite(daily_vol) or not volume > 0.0:
        return 0.0
    return 1e4 * impact_coef * daily_vol * np.sqrt(qty / volume)


@njit(cache=True, inline="always")
def slippage_bps(
    fixed_bps: float, half_spread_bps: float, impact_coef: float, daily_vol: float, qty: float, volume: float
) -> float:
    """Total slippage of a fill in bps (always >= 0)."""
    return fixed_bps + half_spread_bps + impact_bps(impact_coef, daily_vol, qty, volume)


@njit(cache=True, inline="always")
def slipped_price(side: int, reference: float, bps: float) -> float:
    """`reference` moved `bps` against the trader: side +1 (buy) pays more, -1 (sell) gets less."""
    return reference * (1.0 + side * bps * 1e-4)

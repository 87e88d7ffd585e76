"""Latency draws: how long an order takes to reach the venue, be acknowledged, or be reported filled.

`draw_delay_ns` uses numba's own `np.random` state (separate from NumPy's global state in Python).
A run is reproducible when the caller seeds that state once, inside compiled code, before the first
draw: `seed_rng(seed)` does exactly that for callers in Python, a compiled loop may call
`np.random.seed(seed)` itself. The CONSTANT distribution consumes no random numbers, so switching
it on or off elsewhere never shifts the draws of a stochastic run.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from parity.engine.types import LatencyDistribution

CONSTANT = int(LatencyDistribution.CONSTANT)
EXPONENTIAL = int(LatencyDistribution.EXPONENTIAL)
LOGNORMAL = int(LatencyDistribution.LOGNORMAL)
_MAX_DELAY_NS = 2.0**62  # a far lognormal tail must not overflow int64 when converted


@njit(cache=True)
def seed_rng(seed: int) -> None:
    """Seed numba's random state (np.random.seed in Python does not reach compiled code)."""
    np.random.seed(seed)


@njit(cache=True, inline="always")
def draw_delay_ns(mean_ns: int, dist: int, sigma: float) -> int:
    """A delay >= 0 in whole ns: CONSTANT -> mean_ns; EXPONENTIAL -> that mean; LOGNORMAL -> that median."""
    if mean_ns <= 0:
        return 0
    if dist == EXPONENTIAL:
        delay = np.random.exponential(float(mean_ns))
    elif dist == LOGNORMAL:
        delay = np.random.lognormal(np.log(float(mean_ns)), sigma)
    else:
        return mean_ns
    return int(np.round(min(delay, _MAX_DELAY_NS)))

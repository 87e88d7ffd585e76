"""`SimParams`: the simulated market's parameters as plain numbers the numba kernels can read.

Built once from the validated `simulation:` config section. Milliseconds become int ns, the string
choices become the int enums of parity.engine.types. Every field is coerced to exactly `float` or `int`
so that numba compiles (and caches) one specialisation of the kernels, whatever the YAML held.
"""

from __future__ import annotations

from typing import NamedTuple

from parity.engine.config.schema import SimulationConfig
from parity.engine.types import LatencyDistribution, LimitFillMode

_LIMIT_FILL_MODES = {"touch": LimitFillMode.TOUCH, "through": LimitFillMode.THROUGH}
_LATENCY_DISTRIBUTIONS = {
    "constant": LatencyDistribution.CONSTANT,
    "exponential": LatencyDistribution.EXPONENTIAL,
    "lognormal": LatencyDistribution.LOGNORMAL,
}


# The simulated account is a cash account: its buying power is its cash (see
# parity.engine.kernels.portfolio.account_buying_power). No config key chooses a margin account yet.
CASH_ACCOUNT_MULTIPLIER = 1.0


class SimParams(NamedTuple):
    participation_rate: float  # max share of a bar's volume all orders in a symbol may take
    limit_fill_mode: int  # LimitFillMode.TOUCH / THROUGH
    fixed_bps: float
    half_spread_bps: float
    impact_coef: float  # k in k * daily_vol * sqrt(qty / bar_volume)
    submit_ns: int  # mean/median submit delay
    ack_ns: int
    fill_ns: int  # delay before the engine learns of a fill (fills.reported_at)
    latency_dist: int  # LatencyDistribution
    lognormal_sigma: float
    commission_per_share: float
    commission_min: float
    sec_fee_rate: float  # per USD of sell notional
    taf_per_share: float  # per share sold
    taf_max: float  # per fill (trade) cap
    margin_multiplier: float = CASH_ACCOUNT_MULTIPLIER  # 1 = a cash account (buying power = cash)


def ms_to_ns(ms: float) -> int:
    """Milliseconds (config unit) to whole nanoseconds (the kernels' unit)."""
    return int(round(float(ms) * 1_000_000))


def sim_params(cfg: SimulationConfig) -> SimParams:
    """The kernels' view of a validated `simulation:` config section."""
    return SimParams(
        participation_rate=float(cfg.fill.participation_rate),
        limit_fill_mode=int(_LIMIT_FILL_MODES[cfg.fill.limit_fill]),
        fixed_bps=float(cfg.slippage.fixed_bps),
        half_spread_bps=float(cfg.slippage.half_spread_bps),
        impact_coef=float(cfg.slippage.impact_coef),
        submit_ns=ms_to_ns(cfg.latency.submit_ms),
        ack_ns=ms_to_ns(cfg.latency.ack_ms),
        fill_ns=ms_to_ns(cfg.latency.fill_ms),
        latency_dist=int(_LATENCY_DISTRIBUTIONS[cfg.latency.distribution]),
        lognormal_sigma=float(cfg.latency.lognormal_sigma),
        commission_per_share=float(cfg.fees.commission_per_share),
        commission_min=float(cfg.fees.commission_min),
        sec_fee_rate=float(cfg.fees.sec_fee_rate),
        taf_per_share=float(cfg.fees.taf_per_share),
        taf_max=float(cfg.fees.taf_max_per_trade),
        margin_multiplier=CASH_ACCOUNT_MULTIPLIER,
    )

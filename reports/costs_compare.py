"""A paper run's realised costs against what the simulator would have assumed for the same fills.

For every fill of the run, the simulator's assumption is computed with its own kernels
(brokers/sim/slippage.py, brokers/sim/fees.py) and the run's `simulation:` config:

- model slippage: fixed + half spread + square-root impact at the fill's participation and the
  simulator's daily_vol for that bar (0 for a fill at its order's limit price, as the simulator never
  slips a limit fill at its limit);
- model fees: commission, SEC fee and TAF of the same quantity at the same price.

Realised slippage is measured against the order's arrival price (the price when the order could
first trade, which the simulator would have filled at before slippage), in bps of that price, so the
difference includes whatever the venue did between arrival and the fill. Participation is the fill's
recorded one, else qty / bar volume when the bars are known; without either, impact counts as 0
(the `participation` column is then NaN).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from parity.brokers.sim.fees import commission, sec_fee, taf_fee
from parity.brokers.sim.slippage import slippage_bps
from parity.engine.config.schema import SimulationConfig
from parity.reports.calibration import fill_daily_vol
from parity.reports.costs_benchmarks import complete_benchmarks
from parity.reports.costs_prices import MarketPrices


def compare_with_simulator(orders: pd.DataFrame, fills: pd.DataFrame, prices: MarketPrices,
                           sim: SimulationConfig) -> pd.DataFrame:
    """Per fill: realised vs modelled slippage and fees, in USD and bps (columns named `realised_*` / `model_*`).

    Missing arrival prices and participation are completed first (reports/costs_benchmarks.py).
    """
    orders, fills = complete_benchmarks(orders, fills, prices)
    by_id = orders.set_index("order_id")
    ids = fills["order_id"].to_numpy()
    arrival = by_id["arrival_price"].reindex(ids).to_numpy(dtype=np.float64)
    limit = by_id["limit_price"].reindex(ids).to_numpy(dtype=np.float64)
    side = fills["side"].to_numpy(dtype=np.int64)
    qty = fills["qty"].to_numpy(dtype=np.float64)
    price = fills["price"].to_numpy(dtype=np.float64)
    arrival = np.where(np.isfinite(arrival), arrival, fills["reference_price"].to_numpy(dtype=np.float64))
    part = fills["participation"].to_numpy(dtype=np.float64)
    vol = fill_daily_vol(fills, prices, sim.slippage.vol_lookback)
    at_limit = np.isfinite(limit) & (price == limit)
    slip, fees = sim.slippage, sim.fees
    model_bps = np.array([
        # the kernel's impact reads sqrt(qty / volume): participation over a unit volume is the same number
        0.0 if lim else slippage_bps(slip.fixed_bps, slip.half_spread_bps, slip.impact_coef, v,
                                     p if math.isfinite(p) else 0.0, 1.0)
        for lim, v, p in zip(at_limit, vol, part)
    ])
    model_fees = np.array([
        commission(q, fees.commission_per_share, fees.commission_min) + sec_fee(s, px, q, fees.sec_fee_rate)
        + taf_fee(s, q, fees.taf_per_share, fees.taf_max_per_trade)
        for s, q, px in zip(side, qty, price)
    ])
    realised_fees = fills[["commission", "sec_fee", "taf_fee"]].to_numpy(dtype=np.float64).sum(axis=1)
    notional = qty * arrival
    out = pd.DataFrame({
        "order_id": ids, "symbol": fills["symbol"].to_numpy(), "side": side, "qty": qty, "price": price,
        "arrival_price": arrival, "participation": part, "daily_vol": vol, "notional": notional,
        "realised_slippage_bps": side * (price - arrival) / arrival * 1e4,
        "model_slippage_bps": model_bps,
        "realised_fees": realised_fees, "model_fees": model_fees,
    }, index=fills.index)
    out["realised_fee_bps"] = realised_fees / notional * 1e4
    out["model_fee_bps"] = model_fees / notional * 1e4
    out["difference_bps"] = (out["realised_slippage_bps"] + out["realised_fee_bps"]
                             - out["model_slippage_bps"] - out["model_fee_bps"])
    return out


def comparison_summary(comparison: pd.DataFrame) -> dict[str, Any]:
    """Notional-weighted means of the per-fill comparison (realised - model > 0: the simulator was optimistic)."""
    w = comparison["notional"].to_numpy(dtype=np.float64)
    total = float(w.sum())

    def mean(col: str) -> float:
        return float((comparison[col].to_numpy() * w).sum() / total) if total > 0 else math.nan

    return {
        "fills": int(len(comparison)),
        "notional": total,
        "realised_slippage_bps": mean("realised_slippage_bps"),
        "model_slippage_bps": mean("model_slippage_bps"),
        "realised_fee_bps": mean("realised_fee_bps"),
        "model_fee_bps": mean("model_fee_bps"),
        "difference_bps": mean("difference_bps"),
    }

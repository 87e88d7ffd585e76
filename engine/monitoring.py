"""Monitoring: small pure functions over a run's records, shared by reports and the live runner.

Alerts fire when a series *enters* a breach (not on every bar it stays there), so a live runner can
forward each one as it appears and a report can list them without a flood.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parity.engine.types import OrderStatus


@dataclass(frozen=True)
class Alert:
    kind: str  # "gross_exposure", "drawdown", "rejections"
    ts: int  # ns UTC of the bar that breached
    value: float
    limit: float
    message: str


def order_status_counts(orders: np.ndarray) -> dict[str, int]:
    """Number of orders in each status (every status listed, zeros included), by lower-case name."""
    counts = np.bincount(orders["status"].astype(np.int64), minlength=len(OrderStatus))
    return {s.name.lower(): int(counts[s.value]) for s in OrderStatus}


def fill_ratio(orders: np.ndarray) -> float:
    """Filled shares / ordered shares over all orders (NaN without orders)."""
    ordered = float(orders["qty"].sum())
    return float(orders["filled_qty"].sum()) / ordered if ordered > 0 else float("nan")


def drawdown(equity: np.ndarray) -> np.ndarray:
    """Fraction below the running peak at each bar (0 at a new high, 0.1 = 10% below)."""
    equity = np.asarray(equity, dtype=np.float64)
    peak = np.maximum.accumulate(equity)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(peak > 0, 1.0 - equity / peak, np.nan)


def _entries(breach: np.ndarray) -> np.ndarray:
    """Indices where `breach` turns True (including at index 0)."""
    previous = np.concatenate(([False], breach[:-1]))
    return np.flatnonzero(breach & ~previous)


def exposure_alerts(equity_records: np.ndarray, max_gross_exposure: float, tolerance: float = 0.01) -> list[Alert]:
    """Bars where gross exposure rose above the cap by more than `tolerance` (relative); fills and
    price moves between decisions can carry a book a little past its cap."""
    gross = equity_records["gross_exposure"]
    limit = max_gross_exposure * (1.0 + tolerance)
    return [Alert("gross_exposure", int(equity_records["ts"][i]), float(gross[i]), max_gross_exposure,
                  f"gross exposure {gross[i]:.1%} above the {max_gross_exposure:.1%} cap")
            for i in _entries(np.nan_to_num(gross) > limit)]


def drawdown_alerts(equity_records: np.ndarray, max_drawdown: float) -> list[Alert]:
    """Bars where the drawdown from the running peak first exceeds `max_drawdown` (each episode once)."""
    dd = drawdown(equity_records["equity"])
    return [Alert("drawdown", int(equity_records["ts"][i]), float(dd[i]), max_drawdown,
                  f"equity {dd[i]:.1%} below its peak (alert at {max_drawdown:.1%})")
            for i in _entries(np.nan_to_num(dd) > max_drawdown)]


def rejection_alerts(orders: np.ndarray, bar_ts: np.ndarray, max_share: float = 0.1) -> list[Alert]:
    """Bars whose orders were rejected more often than `max_share` of the time (a broken venue or
    account: buying power, halted symbols, bad prices)."""
    alerts = []
    for bar in np.unique(orders["bar"]):
        of_bar = orders[orders["bar"] == bar]
        share = float(np.mean(of_bar["status"] == OrderStatus.REJECTED))
        if share > max_share:
            alerts.append(Alert("rejections", int(bar_ts[bar]), share, max_share,
                                f"{share:.0%} of the {len(of_bar)} orders of this bar were rejected"))
    return alerts

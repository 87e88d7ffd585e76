"""Run statistics: a pure function of a run's equity, fills and orders frames.

Return and risk figures (total return, CAGR, Sharpe, Sortino, max drawdown, volatility) follow
vectorbt's returns accessor formula for formula (NaN-skipping means, sample std as
sqrt(var * n / (n - 1)), downside deviation over all periods); tests/reports check them against
vectorbt itself. They are computed here with numpy because importing vectorbt costs 1-2.5 s, more
than a whole warm backtest of the baseline. The rest is what vectorbt does not know about (turnover,
order/fill counts and the cost breakdown). The same function serves backtests and paper runs,
because both produce the same frames (engine/records.py).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

TRADING_DAYS_PER_YEAR = 252.0
# Regular-session bars per day for intraday timeframes (6.5 hours of trading).
_BARS_PER_SESSION = {"1Day": 1.0, "1Hour": 6.5, "15Min": 26.0, "5Min": 78.0, "1Min": 390.0}

COST_KINDS = ("commission", "sec_fee", "taf_fee", "slippage")


def periods_per_year(timeframe: str) -> float:
    """Bars per year for a `data.timeframe` value (252 sessions of regular trading hours)."""
    try:
        return TRADING_DAYS_PER_YEAR * _BARS_PER_SESSION[timeframe]
    except KeyError:
        raise ValueError(f"unknown timeframe {timeframe!r}; expected one of {', '.join(_BARS_PER_SESSION)}") from None


def fill_costs(fills: pd.DataFrame) -> pd.DataFrame:
    """Per-fill cost in USD by kind: the fees as recorded, and slippage = |price - reference| * qty.

    Columns: one per COST_KINDS entry plus `notional` (price * qty); index as `fills`.
    """
    qty = fills["qty"].to_numpy(dtype=np.float64)
    price = fills["price"].to_numpy(dtype=np.float64)
    reference = fills["reference_price"].to_numpy(dtype=np.float64)
    return pd.DataFrame(
        {
            "commission": fills["commission"].to_numpy(dtype=np.float64),
            "sec_fee": fills["sec_fee"].to_numpy(dtype=np.float64),
            "taf_fee": fills["taf_fee"].to_numpy(dtype=np.float64),
            "slippage": np.abs(price - reference) * qty,
            "notional": np.abs(price * qty),
        },
        index=fills.index,
    )


def compute_stats(
    equity: pd.DataFrame,
    fills: pd.DataFrame,
    orders: pd.DataFrame,
    periods_per_year: float,
) -> dict[str, Any]:
    """Summary statistics of one run, as a JSON-serialisable dict (non-finite numbers become None).

    `equity` has one row per bar (ts, equity, ...); its first row is the starting capital, so
    returns are bar-over-bar changes from there. Ratios are annualised with `periods_per_year`.
    """
    if periods_per_year <= 0:
        raise ValueError(f"periods_per_year must be > 0, got {periods_per_year}")
    values = equity["equity"].to_numpy(dtype=np.float64)
    n_periods = max(len(values) - 1, 0)
    ret = return_figures(values, periods_per_year)

    costs = fill_costs(fills)
    traded = float(costs["notional"].sum())
    total_costs = {kind: float(costs[kind].sum()) for kind in COST_KINDS}
    cost_sum = sum(total_costs.values())
    average_equity = float(np.mean(values)) if len(values) else math.nan
    turnover_total = traded / average_equity if average_equity else math.nan
    ordered_qty = float(orders["qty"].sum()) if len(orders) else 0.0
    filled_qty = float(orders["filled_qty"].sum()) if len(orders) else 0.0
    status_counts = orders["status"].value_counts() if len(orders) else pd.Series(dtype=np.int64)

    stats: dict[str, Any] = {
        "start": _iso(equity["ts"].iloc[0]) if len(equity) else None,
        "end": _iso(equity["ts"].iloc[-1]) if len(equity) else None,
        "bars": int(len(values)),
        "periods_per_year": periods_per_year,
        "start_equity": values[0] if len(values) else math.nan,
        "end_equity": values[-1] if len(values) else math.nan,
        **ret,
        "traded_notional": traded,
        "average_equity": average_equity,
        "turnover_total": turnover_total,
        "turnover_annual": turnover_total * periods_per_year / n_periods if n_periods else math.nan,
        "orders": int(len(orders)),
        "orders_by_status": {str(k): int(v) for k, v in status_counts.items()},
        "orders_with_fills": int((orders["filled_qty"] > 0).sum()) if len(orders) else 0,
        "fills": int(len(fills)),
        "fill_rate": filled_qty / ordered_qty if ordered_qty else math.nan,  # filled / ordered shares
        "costs": total_costs,
        "total_costs": cost_sum,
        "costs_bps": {kind: _bps(v, traded) for kind, v in total_costs.items()},
        "total_costs_bps": _bps(cost_sum, traded),
    }
    return _json_safe(stats)


def return_figures(values: np.ndarray, periods_per_year: float) -> dict[str, float]:
    """total_return, cagr, annual_volatility, sharpe, sortino and max_drawdown of an equity curve
    (one value per bar, the first the starting capital), as vectorbt's returns accessor computes them
    from the bar-over-bar returns with ann_factor = periods_per_year (NaN returns are skipped)."""
    n_periods = max(len(values) - 1, 0)
    out = {"total_return": 0.0 if n_periods == 0 else math.nan, "cagr": math.nan, "annual_volatility": math.nan,
           "sharpe": math.nan, "sortino": math.nan,
           # On the equity curve itself: a drawdown of the returns would miss a loss in the first period.
           "max_drawdown": float(np.nanmin(values / np.fmax.accumulate(values) - 1.0)) if len(values) else 0.0}
    if n_periods == 0:
        return out
    with np.errstate(divide="ignore", invalid="ignore"):
        returns = np.diff(values) / values[:-1]
    valid = returns[~np.isnan(returns)]
    growth = float(np.cumprod(valid + 1.0)[-1]) if len(valid) else 1.0
    out["total_return"] = growth - 1.0
    try:
        out["cagr"] = growth ** (periods_per_year / n_periods) - 1.0
    except OverflowError:  # a short run of minute bars compounds past float range: inf, as vectorbt gives
        out["cagr"] = math.inf
    if n_periods < 2:
        return out
    n = len(valid)
    mean = _sum_in_order(valid) / n if n else math.nan
    # sample std as vectorbt's nanstd_1d_nb: the population variance scaled by n / (n - 1)
    std = math.sqrt(_sum_in_order((valid - mean) ** 2) / n * n / (n - 1)) if n > 1 else math.nan
    downside = math.sqrt(_sum_in_order(np.minimum(valid, 0.0) ** 2) / n) * math.sqrt(periods_per_year) if n else math.nan
    out["annual_volatility"] = std * periods_per_year ** (1.0 / 2.0)
    out["sharpe"] = math.inf if std == 0.0 else mean / std * math.sqrt(periods_per_year)
    out["sortino"] = math.inf if downside == 0.0 else mean * periods_per_year / downside
    return out


def _sum_in_order(x: np.ndarray) -> float:
    """Left-to-right sum, as vectorbt's numba loops add (numpy's sum is pairwise, which changes last
    bits): the figures then equal vectorbt's exactly."""
    return float(np.cumsum(x)[-1]) if len(x) else 0.0


def _bps(cost: float, notional: float) -> float:
    return cost / notional * 1e4 if notional else math.nan


def _iso(ts: Any) -> str:
    return pd.Timestamp(ts).isoformat()


def _json_safe(value: Any) -> Any:
    """Plain Python floats/ints/str; NaN and +-inf -> None (strict JSON has no such numbers)."""
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return f if math.isfinite(f) else None
    return value

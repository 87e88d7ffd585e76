"""Cost aggregates over an attribution frame (parity.reports.costs.attribute_orders): groupings, headline
figures, break-even cost and the cumulative cost drag on equity.

Group bps are notional-weighted: sum of dollars / sum of decision notional * 1e4, so a group's
component bps still add up to its total bps.

Headline definitions:
- costs charged = fees + slippage (fill price vs reference price): the money the venue took, which
  the equity curve already contains. gross P&L = net P&L (last - first equity) + costs charged.
- cost share of gross P&L = costs charged / gross P&L (NaN when gross P&L is 0; > 1 means costs
  turned a gross profit into a loss; negative when the strategy lost money before costs).
- a trade is an order with at least one fill. break-even cost per trade = gross P&L / trades: the
  average cost per trade at which net P&L would be zero; in bps it is gross P&L / traded notional.
- implementation shortfall (delay, execution, fees, opportunity) is reported beside them: it is the
  gap to a paper portfolio trading every order at its decision price, not money paid.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from parity.reports.costs import COMPONENTS, EXECUTION_PARTS
from parity.reports.costs_prices import MARKET_TZ, MarketPrices, utc_ns

PARTICIPATION_EDGES = (0.0, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.10, np.inf)
PARTICIPATION_LABELS = ("<0.01%", "0.01-0.05%", "0.05-0.1%", "0.1-0.5%", "0.5-1%", "1-2.5%", "2.5-5%", "5-10%", ">10%")
VOL_EDGES = (0.0, 0.01, 0.015, 0.02, 0.03, 0.05, np.inf)  # daily volatility
VOL_LABELS = ("<1%", "1-1.5%", "1.5-2%", "2-3%", "3-5%", ">5%")
NO_FILLS, UNKNOWN = "no fills", "unknown"
GROUPINGS = ("symbol", "sector", "side", "type", "reason", "participation_bucket", "vol_bucket", "time_of_day", "month")
_SUMMED = ("notional", *COMPONENTS, *EXECUTION_PARTS, "total")


def add_context(attribution: pd.DataFrame, prices: MarketPrices, vol_lookback: int) -> pd.DataFrame:
    """The grouping columns: side label, month, time of day (intraday only), daily vol and buckets.

    daily_vol is the simulator's volatility known at the decision (parity.brokers.sim.volatility.daily_vol,
    row decision bar + 1: returns up to the decision close) from `prices`.
    """
    out = attribution.copy()
    out["side"] = np.where(out["side"].to_numpy() > 0, "buy", "sell")
    created = pd.to_datetime(out["created_at"], utc=True).dt.tz_convert(MARKET_TZ)
    out["month"] = created.dt.strftime("%Y-%m")
    vol = prices.daily_vol(vol_lookback) if len(prices.close_ts) else np.empty((0, len(prices.symbols)))
    if len(out) and len(prices.close_ts):
        rows = np.minimum(out["bar"].to_numpy(dtype=np.int64) + 1, len(prices.close_ts) - 1)
        cols = np.array([prices.column(s) for s in out["symbol"]], dtype=np.int64)
        out["daily_vol"] = vol[rows, cols]
    else:
        out["daily_vol"] = np.nan
    out["participation_bucket"] = _bucket(out["participation"], PARTICIPATION_EDGES, PARTICIPATION_LABELS, NO_FILLS)
    out["vol_bucket"] = _bucket(out["daily_vol"], VOL_EDGES, VOL_LABELS, UNKNOWN)
    if prices.intraday:
        when = out["first_fill_ts"].where(out["first_fill_ts"].notna(), out["arrival_at"])
        local = pd.to_datetime(when, utc=True).dt.tz_convert(MARKET_TZ).dt.floor("30min")
        out["time_of_day"] = local.dt.strftime("%H:%M")
    else:
        out["time_of_day"] = "daily bars"
    return out


def cost_by(attribution: pd.DataFrame, key: str) -> pd.DataFrame:
    """Orders, notional and every component in USD and bps, grouped by `key` (one of GROUPINGS or any column)."""
    if key not in attribution.columns:
        raise KeyError(f"cost_by: no column {key!r}; call add_context first for {', '.join(GROUPINGS)}")
    grouped = attribution.groupby(key, observed=True, sort=True, dropna=False)
    table = grouped[list(_SUMMED)].sum()
    table.insert(0, "orders", grouped.size())
    table.insert(1, "filled_orders", grouped["filled_qty"].apply(lambda q: int((q > 0).sum())))
    per_bps = np.where(table["notional"] > 0, 1e4 / table["notional"].where(table["notional"] > 0, 1.0), np.nan)
    for name in (*COMPONENTS, *EXECUTION_PARTS, "total"):
        table[f"{name}_bps"] = table[name].to_numpy() * per_bps
    return table


def cost_tables(attribution: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """`cost_by` for every grouping that means something for this run (time of day: intraday only)."""
    return {key: cost_by(attribution, key) for key in GROUPINGS
            if key in attribution.columns and not (key == "time_of_day" and (attribution[key] == "daily bars").all())}


def cost_summary(attribution: pd.DataFrame, equity: pd.DataFrame) -> dict[str, Any]:
    """Headline figures of a run's costs (definitions in the module note); plain floats, NaN if undefined."""
    values = equity["equity"].to_numpy(dtype=np.float64)
    net = float(values[-1] - values[0]) if len(values) else math.nan
    charged = float(attribution["fees"].sum() + attribution["slippage"].sum())
    gross = net + charged
    traded = attribution[attribution["filled_qty"] > 0]
    live = attribution[~attribution["untriggered"]]
    trades = int(len(traded))
    traded_notional = float((traded["avg_price"] * traded["filled_qty"]).sum())
    notional = float(attribution["notional"].sum())
    summary: dict[str, Any] = {
        "orders": int(len(attribution)),
        "trades": trades,
        "decision_notional": notional,
        "traded_notional": traded_notional,
        "fill_rate": _ratio(float(live["filled_qty"].sum()), float(live["qty"].sum())),  # untriggered stops left out
        # orders whose arrival price is a stand-in (reports/costs_benchmarks.py), e.g. every order of a paper run
        "arrival_estimated_orders": int(attribution["arrival_estimated"].sum()) if "arrival_estimated" in attribution else 0,
        "untriggered_orders": int(attribution["untriggered"].sum()),
    }
    for name in (*COMPONENTS, *EXECUTION_PARTS, "total"):
        dollars = float(attribution[name].sum())
        summary[f"shortfall_{name}"] = dollars
        summary[f"shortfall_{name}_bps"] = _ratio(dollars, notional) * 1e4
    summary.update({
        "net_pnl": net,
        "costs_charged": charged,
        "gross_pnl": gross,
        "cost_share_of_gross_pnl": _ratio(charged, gross),
        "cost_per_trade": _ratio(charged, trades),
        "cost_per_trade_bps": _ratio(charged, traded_notional) * 1e4,
        "break_even_cost_per_trade": _ratio(gross, trades),
        "break_even_cost_bps": _ratio(gross, traded_notional) * 1e4,
    })
    return summary


def cost_drag(fills: pd.DataFrame, equity: pd.DataFrame) -> pd.DataFrame:
    """Per equity row: cumulative fees and slippage paid up to that bar's close, the equity before them,
    and the drag as a fraction of starting equity. Fills are placed at the first equity row at or after
    their execution time."""
    eq_ts = utc_ns(equity["ts"])
    side = fills["side"].to_numpy(dtype=np.float64)
    slip = side * fills["qty"].to_numpy(dtype=np.float64) * (fills["price"].to_numpy(dtype=np.float64)
                                                              - fills["reference_price"].to_numpy(dtype=np.float64))
    fees = fills[["commission", "sec_fee", "taf_fee"]].to_numpy(dtype=np.float64).sum(axis=1)
    rows = np.minimum(np.searchsorted(eq_ts, utc_ns(fills["ts"]), side="left"), max(len(eq_ts) - 1, 0))
    per_row_fees = np.bincount(rows, weights=fees, minlength=len(eq_ts))[: len(eq_ts)]
    per_row_slip = np.bincount(rows, weights=slip, minlength=len(eq_ts))[: len(eq_ts)]
    start = float(equity["equity"].iloc[0]) if len(equity) else math.nan
    out = pd.DataFrame({
        "equity": equity["equity"].to_numpy(dtype=np.float64),
        "cum_fees": np.cumsum(per_row_fees),
        "cum_slippage": np.cumsum(per_row_slip),
    }, index=pd.DatetimeIndex(pd.to_datetime(eq_ts, utc=True), name="ts"))
    out["cum_costs"] = out["cum_fees"] + out["cum_slippage"]
    out["equity_before_costs"] = out["equity"] + out["cum_costs"]
    out["drag"] = out["cum_costs"] / start
    return out


def _bucket(values: pd.Series, edges: tuple[float, ...], labels: tuple[str, ...], missing: str) -> pd.Series:
    cut = pd.cut(values.astype(np.float64), bins=list(edges), labels=list(labels), right=False)
    return cut.cat.add_categories([missing]).fillna(missing)


def _ratio(num: float, den: float) -> float:
    return num / den if den and math.isfinite(den) else math.nan

"""Implementation shortfall per order: where every basis point between decision and execution went.

A pure function of a run's orders and fills frames (engine/records.py), so it serves backtests and
paper runs alike. Conventions (positive = cost to the trader, for buys and sells alike; s = +1 buy,
-1 sell; Q = ordered shares, q_i / p_i / r_i = each fill's shares, price and reference price, F =
filled shares = sum q_i, U = Q - F unfilled shares):

    delay          = s * F * (arrival - decision)          price drift before the order could trade
    execution      = s * sum q_i * (p_i - arrival)         = timing + slippage:
      timing       = s * sum q_i * (r_i - arrival)           drift while working (later bars of a
                                                             carried order, a limit's price gain)
      slippage     = s * sum q_i * (p_i - r_i)               spread + impact + fixed bps charged
    fees           = sum (commission + sec_fee + taf_fee)
    opportunity    = s * U * (end_price - decision)        what the unfilled shares missed
    total          = delay + execution + fees + opportunity
                   = s * (sum q_i p_i + U end_price - Q decision) + fees   (the paper-portfolio gap)

`decision` is the close of the bar that produced the order; `arrival` the open of the first bar it
could trade in (when an order with fills has no arrival price, its first fill's reference price is
used; reports/costs_benchmarks.py completes what a paper run cannot record before this runs). bps
are of the order's notional Q * decision, the same denominator for every component, so component
bps add up to the total's.

Contingent orders (a finite stop_price: stops and stop-limits, also once triggered, when the
simulator records them as market / limit) are measured against their stop price, which stands in for
both decision and arrival: the strategy asked to trade there, not at the close it was placed on. So a
triggered stop shows no delay; its timing is the gap through the stop, its slippage what the fill
paid beyond that. A contingent order without fills never triggered: it is no trade the strategy
decided to make, so it carries no cost and no notional (flag `untriggered`).

`end_price` convention (order_end_prices): the close of the last bar the order could still trade
in: IOC -> its arrival bar; DAY -> the last bar of its arrival bar's session; GTC -> the bar at which
the next order in the same symbol was decided (the strategy had moved on), else the run's last bar;
never before its last fill. If that close is missing, the last earlier close of the symbol; if the
order was decided on the run's last bar (nothing after it), the decision price (opportunity 0).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from parity.reports.costs_compare import compare_with_simulator, comparison_summary
from parity.reports.costs_prices import MarketPrices, utc_ns

__all__ = ["COMPONENTS", "EXECUTION_PARTS", "attribute_orders", "compare_with_simulator", "comparison_summary",
           "fill_totals", "order_end_prices"]

COMPONENTS = ("delay", "execution", "fees", "opportunity")
EXECUTION_PARTS = ("timing", "slippage")
FEE_COLUMNS = ("commission", "sec_fee", "taf_fee")


def fill_totals(fills: pd.DataFrame) -> pd.DataFrame:
    """Per order: filled shares, sum q*price, sum q*reference, fees, first fill's reference and time,
    qty-weighted participation. Indexed by order_id."""
    qty = fills["qty"].to_numpy(dtype=np.float64)
    frame = pd.DataFrame({
        "order_id": fills["order_id"].to_numpy(),
        "fill_qty": qty,
        "qp": qty * fills["price"].to_numpy(dtype=np.float64),
        "qr": qty * fills["reference_price"].to_numpy(dtype=np.float64),
        "fees": sum(fills[c].to_numpy(dtype=np.float64) for c in FEE_COLUMNS),
        "q_part": qty * fills["participation"].to_numpy(dtype=np.float64),
        "fills": 1,
    })
    grouped = frame.groupby("order_id", sort=True)
    totals = grouped[["fill_qty", "qp", "qr", "fees", "q_part", "fills"]].sum()
    ordered = fills.assign(_ts=utc_ns(fills["ts"])).sort_values(["order_id", "_ts"], kind="stable")
    first = ordered.groupby("order_id", sort=True).first()
    totals["first_reference"] = first["reference_price"].astype(np.float64)
    totals["first_fill_ts"] = pd.to_datetime(first["_ts"].astype(np.int64), utc=True)
    totals["last_fill_bar"] = ordered.groupby("order_id", sort=True)["bar"].max()
    totals["participation"] = totals["q_part"] / totals["fill_qty"]
    return totals.drop(columns="q_part")


def attribute_orders(orders: pd.DataFrame, fills: pd.DataFrame, end_price: pd.Series | None = None) -> pd.DataFrame:
    """One row per order (index order_id): the shortfall components in USD and in bps (`*_bps`).

    `end_price` (indexed by order_id) values the unfilled shares; it may be omitted when every order
    is fully filled. Unknown fill order ids raise, since they would silently drop costs.
    """
    _check_columns(orders, ("order_id", "side", "qty", "decision_price", "arrival_price"), "orders")
    _check_columns(fills, ("order_id", "qty", "price", "reference_price", *FEE_COLUMNS, "participation", "ts", "bar"), "fills")
    out = orders.set_index("order_id", drop=False).rename_axis(None)
    if out.index.has_duplicates:
        raise ValueError(f"orders: order_id {out.index[out.index.duplicated()][0]} appears twice; order ids must be unique")
    totals = fill_totals(fills)
    unknown = totals.index.difference(out.index)
    if len(unknown):
        raise ValueError(f"fills: order_id {unknown[0]} has fills but no order; pass the orders frame of the same run")
    totals = totals.reindex(out.index)
    filled = totals["fill_qty"].fillna(0.0).to_numpy()
    s = out["side"].to_numpy(dtype=np.float64)
    q = out["qty"].to_numpy(dtype=np.float64)
    decision = out["decision_price"].to_numpy(dtype=np.float64)
    arrival = out["arrival_price"].to_numpy(dtype=np.float64)
    arrival = np.where(np.isnan(arrival) & (filled > 0), totals["first_reference"].to_numpy(), arrival)
    stop = out["stop_price"].to_numpy(dtype=np.float64) if "stop_price" in out else np.full(len(out), np.nan)
    contingent = np.isfinite(stop)
    untriggered = contingent & (filled == 0)
    decision = np.where(contingent, stop, decision)
    arrival = np.where(contingent, stop, arrival)
    unfilled = np.where(untriggered, 0.0, np.maximum(q - filled, 0.0))
    if end_price is None:
        if (unfilled > 0).any():
            raise ValueError("attribute_orders: some orders are not fully filled; pass end_price (see order_end_prices)")
        end = np.full(len(out), np.nan)
    else:
        end = end_price.reindex(out.index).to_numpy(dtype=np.float64)
    qp = totals["qp"].fillna(0.0).to_numpy()
    qr = totals["qr"].fillna(0.0).to_numpy()

    delay = np.where(filled > 0, s * filled * (arrival - decision), 0.0)
    timing = np.where(filled > 0, s * (qr - filled * arrival), 0.0)
    slippage = s * (qp - qr)
    fees = totals["fees"].fillna(0.0).to_numpy()
    opportunity = np.where(unfilled > 0, s * unfilled * (end - decision), 0.0)
    execution = timing + slippage
    notional = np.where(untriggered, 0.0, q * decision)
    cols = {
        "filled_qty": filled,
        "unfilled_qty": unfilled,
        "untriggered": untriggered,
        "decision_used": decision,
        "fill_count": totals["fills"].fillna(0).astype(np.int64).to_numpy(),
        "avg_price": np.where(filled > 0, qp / np.where(filled > 0, filled, 1.0), np.nan),
        "arrival_used": arrival,
        "end_price": end,
        "participation": totals["participation"],
        "first_fill_ts": totals["first_fill_ts"],
        "last_fill_bar": totals["last_fill_bar"],
        "notional": notional,
        "delay": delay, "timing": timing, "slippage": slippage, "execution": execution,
        "fees": fees, "opportunity": opportunity,
        "total": delay + execution + fees + opportunity,
    }
    per_bps = np.where(notional > 0, 1e4 / np.where(notional > 0, notional, 1.0), np.nan)
    for name in (*COMPONENTS, *EXECUTION_PARTS, "total"):
        cols[f"{name}_bps"] = cols[name] * per_bps
    out = out.drop(columns=[c for c in cols if c in out.columns])
    return pd.concat([out, pd.DataFrame(cols, index=out.index)], axis=1)


def order_end_prices(orders: pd.DataFrame, fills: pd.DataFrame, prices: MarketPrices) -> pd.Series:
    """The price each order's unfilled shares are valued at (convention in the module note)."""
    n_bars = len(prices.close_ts)
    if n_bars == 0:
        return pd.Series(orders["decision_price"].to_numpy(dtype=np.float64), index=orders["order_id"].to_numpy())
    decided = orders["bar"].to_numpy(dtype=np.int64)
    arrival_bar = np.searchsorted(prices.close_ts, utc_ns(orders["arrival_at"]), side="left")
    arrival_bar = np.maximum(arrival_bar, decided + 1)
    tif = orders["time_in_force"].to_numpy()
    session_last = _last_bar_of_session(prices.session)
    next_decision = _next_decision_bar(orders, n_bars - 1)
    end = np.where(tif == "ioc", arrival_bar, np.where(tif == "day", session_last[np.minimum(arrival_bar, n_bars - 1)], next_decision))
    last_fill = fills.groupby("order_id")["bar"].max().reindex(orders["order_id"].to_numpy()).to_numpy()
    end = np.where(np.isnan(last_fill), end, np.maximum(end, np.nan_to_num(last_fill, nan=-1).astype(np.int64)))
    end = np.minimum(end, n_bars - 1)
    closes = pd.DataFrame(prices.close).ffill().to_numpy()
    cols = np.array([prices.column(s) for s in orders["symbol"]], dtype=np.int64)
    value = closes[end, cols] if len(cols) else np.empty(0)
    decision = orders["decision_price"].to_numpy(dtype=np.float64)
    nothing_after = decided >= n_bars - 1
    value = np.where(nothing_after | np.isnan(value), decision, value)
    return pd.Series(value, index=orders["order_id"].to_numpy(), name="end_price")


def _last_bar_of_session(session: np.ndarray) -> np.ndarray:
    """For each bar, the index of the last bar in its session."""
    idx = np.arange(len(session))
    last = pd.Series(idx).groupby(session).transform("max").to_numpy()
    return last.astype(np.int64)


def _next_decision_bar(orders: pd.DataFrame, last_bar: int) -> np.ndarray:
    """Decision bar of the next order in the same symbol, or `last_bar` when there is none."""
    frame = pd.DataFrame({"symbol": orders["symbol"].to_numpy(), "bar": orders["bar"].to_numpy(dtype=np.int64),
                          "pos": np.arange(len(orders))})
    frame = frame.sort_values(["symbol", "bar", "pos"], kind="stable")
    nxt = frame.groupby("symbol")["bar"].shift(-1)
    # a later order decided on the same bar does not end this one: look for a strictly later bar
    nxt = nxt.where(nxt > frame["bar"])
    nxt = nxt.groupby(frame["symbol"]).bfill().fillna(last_bar).astype(np.int64)
    out = np.empty(len(orders), dtype=np.int64)
    out[frame["pos"].to_numpy()] = nxt.to_numpy()
    return out


def _check_columns(frame: pd.DataFrame, needed: tuple[str, ...], name: str) -> None:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} frame lacks column(s) {', '.join(missing)}; pass the {name} frame of a run "
                         f"(parity.engine.records.RunRecords.{name}_frame() or reports/<run-id>/{name}.parquet)")

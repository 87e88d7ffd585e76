"""Fill in the benchmark prices a run could not record, so every order can be attributed.

A backtest records them all. A run through the Broker protocol (paper trading, the stepped loop)
cannot: engine/stepper.py leaves an order's arrival price and a fill's reference price and
participation unknown (NaN), and sets arrival_at = created_at. They are completed here, each with a
stated stand-in, and flagged (`arrival_estimated` on orders, `reference_estimated` on fills):

- arrival price: the open of the first bar after the decision bar in which the order could trade
  (the simulator's own arrival benchmark), when the bars are known; else the order's first fill's
  reference price; else its first fill's price (delay then covers everything up to that fill).
- fill reference price: the open of the fill's bar when the bars are known, held to the limit price
  for limit and stop-limit orders (a buy limit's reference is min(open, limit), a sell's max), as the
  simulator's reference for a limit fill; else the order's arrival price (all of execution then
  counts as slippage, none as timing).
- participation: qty / the fill bar's volume when the bars are known; else left NaN.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from parity.reports.costs_prices import MarketPrices, utc_ns

_LIMIT_TYPES = ("limit", "stop_limit")


def complete_benchmarks(orders: pd.DataFrame, fills: pd.DataFrame, prices: MarketPrices) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Copies of `orders` and `fills` with missing arrival/reference prices and participation filled in."""
    orders, fills = orders.copy(), fills.copy()
    opens = prices.open if prices.open is not None and len(prices.close_ts) else None
    n_bars = len(prices.close_ts)

    arrival = orders["arrival_price"].to_numpy(dtype=np.float64).copy()
    missing = ~np.isfinite(arrival)
    orders["arrival_estimated"] = missing
    if missing.any() and opens is not None:
        first_bar = np.maximum(np.searchsorted(prices.close_ts, utc_ns(orders["arrival_at"]), side="left"),
                               orders["bar"].to_numpy(dtype=np.int64) + 1)
        arrival = np.where(missing, _first_open(opens, first_bar, _columns(prices, orders["symbol"])), arrival)
    if (~np.isfinite(arrival)).any() and len(fills):
        first = fills.assign(_ts=utc_ns(fills["ts"])).sort_values(["order_id", "_ts"], kind="stable").groupby("order_id").first()
        ids = orders["order_id"].to_numpy()
        first_ref = first["reference_price"].reindex(ids).to_numpy(dtype=np.float64)
        first_price = first["price"].reindex(ids).to_numpy(dtype=np.float64)
        arrival = np.where(np.isfinite(arrival), arrival, np.where(np.isfinite(first_ref), first_ref, first_price))
    orders["arrival_price"] = arrival

    ref = fills["reference_price"].to_numpy(dtype=np.float64).copy()
    no_ref = ~np.isfinite(ref)
    fills["reference_estimated"] = no_ref
    by_id = orders.set_index("order_id")
    if no_ref.any():
        ids = fills["order_id"].to_numpy()
        stand_in = by_id["arrival_price"].reindex(ids).to_numpy(dtype=np.float64)
        bars = fills["bar"].to_numpy(dtype=np.int64)
        inside = (bars >= 0) & (bars < n_bars)
        if opens is not None:
            cols = _columns(prices, fills["symbol"])
            bar_open = np.full(len(fills), np.nan)
            bar_open[inside] = opens[bars[inside], cols[inside]]
            limit = by_id["limit_price"].reindex(ids).to_numpy(dtype=np.float64)
            is_limit = np.isin(by_id["type"].reindex(ids).to_numpy(), _LIMIT_TYPES) & np.isfinite(limit)
            side = fills["side"].to_numpy()
            held = np.where(side > 0, np.fmin(bar_open, limit), np.fmax(bar_open, limit))
            bar_open = np.where(is_limit & np.isfinite(bar_open), held, bar_open)
            stand_in = np.where(np.isfinite(bar_open), bar_open, stand_in)
        ref = np.where(no_ref, stand_in, ref)
    fills["reference_price"] = ref

    part = fills["participation"].to_numpy(dtype=np.float64).copy()
    no_part = ~np.isfinite(part)
    if no_part.any() and prices.volume is not None and n_bars:
        bars = fills["bar"].to_numpy(dtype=np.int64)
        ok = no_part & (bars >= 0) & (bars < n_bars)
        volume = prices.volume[bars[ok], _columns(prices, fills["symbol"])[ok]]
        part[ok] = np.where(volume > 0, fills["qty"].to_numpy(dtype=np.float64)[ok] / np.where(volume > 0, volume, 1.0), np.nan)
    fills["participation"] = part
    return orders, fills


def _columns(prices: MarketPrices, symbols: pd.Series) -> np.ndarray:
    return np.array([prices.column(s) for s in symbols], dtype=np.int64)


def _first_open(opens: np.ndarray, first_bar: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """The first finite open at or after `first_bar` in each order's column (NaN if none)."""
    out = np.full(len(first_bar), np.nan)
    for i, (t, c) in enumerate(zip(first_bar, cols)):
        if t < len(opens):
            later = opens[t:, c]
            finite = np.flatnonzero(np.isfinite(later))
            if len(finite):
                out[i] = later[finite[0]]
    return out

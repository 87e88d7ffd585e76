"""The three engines of the comparison, on the same orders and prices.

- Parity: `parity.brokers.sim.backtest.run_backtest`, the full engine (sizing, risk review, order manager,
  SimBroker matching with slippage, latency, partial fills and fees).
- vectorbt: `Portfolio.from_orders` given Parity's fills as orders: per bar and symbol the net signed
  size, the price that reproduces the fills' cash flow and their fees as a fixed fee.
- The floor: a bare numba loop applying those same orders to cash and positions and marking the
  book at every close; nothing any engine can do with these orders is cheaper.
All three end on the same final equity up to float summation order (checked and printed).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from parity.brokers.sim.backtest import run_backtest
from parity.engine.config.schema import ParityConfig
from parity.engine.data.bars import Bars
from parity.engine.records import RunRecords
from parity.engine.signals import SignalSet


@dataclass(frozen=True)
class DenseOrders:
    """Parity's fills as one order per (bar, symbol) cell; size NaN = no order."""

    size: np.ndarray  # float64 (T, N) signed shares
    price: np.ndarray  # float64 (T, N) net notional / net size, so cash moves exactly as the fills moved it
    fees: np.ndarray  # float64 (T, N) the cell's fills' fees, USD
    n_orders: int
    n_netted: int  # cells whose fills net to zero shares but still cost money (left out; see unmatched_cash)
    unmatched_cash: float  # cash those netted cells moved, which the dense orders cannot carry


def run_parity(bars: Bars, signals: SignalSet, config: ParityConfig) -> RunRecords:
    return run_backtest(bars, signals, config, "bench")


@njit(cache=True)
def _densify(bar, symbol, side, qty, price, fees, n_bars, n_symbols):
    size = np.full((n_bars, n_symbols), np.nan)
    notional = np.zeros((n_bars, n_symbols))
    cost = np.zeros((n_bars, n_symbols))
    for k in range(bar.shape[0]):
        t, i = bar[k], symbol[k]
        s = side[k] * qty[k]
        size[t, i] = s if np.isnan(size[t, i]) else size[t, i] + s
        notional[t, i] += s * price[k]
        cost[t, i] += fees[k]
    out_price = np.full((n_bars, n_symbols), np.nan)
    n_orders = 0
    n_netted = 0
    unmatched = 0.0
    for t in range(n_bars):
        for i in range(n_symbols):
            q = size[t, i]
            if np.isnan(q):
                continue
            if q == 0.0:
                size[t, i] = np.nan
                n_netted += 1
                unmatched += -notional[t, i] - cost[t, i]
                cost[t, i] = 0.0
                continue
            out_price[t, i] = notional[t, i] / q
            n_orders += 1
    return size, out_price, cost, n_orders, n_netted, unmatched


def dense_orders(records: RunRecords, n_bars: int, n_symbols: int) -> DenseOrders:
    f = records.fills
    fees = f["commission"] + f["sec_fee"] + f["taf_fee"]
    size, price, cost, n_orders, n_netted, unmatched = _densify(
        f["bar"].astype(np.int64), f["symbol"].astype(np.int64), f["side"].astype(np.float64), f["qty"], f["price"],
        fees, n_bars, n_symbols)
    return DenseOrders(size, price, cost, int(n_orders), int(n_netted), float(unmatched))


@njit(cache=True)
def floor_loop(size, price, fees, close, initial_cash):
    """Apply one order per cell (size NaN = none) to cash and positions, marking at every close;
    returns the equity curve (T,)."""
    n_bars, n_symbols = size.shape
    positions = np.zeros(n_symbols)
    equity = np.empty(n_bars)
    cash = initial_cash
    for t in range(n_bars):
        value = 0.0
        for i in range(n_symbols):
            q = size[t, i]
            if not np.isnan(q):
                positions[i] += q
                cash -= q * price[t, i] + fees[t, i]
            if positions[i] != 0.0:
                value += positions[i] * close[t, i]
        equity[t] = cash + value
    return equity


def run_floor(orders: DenseOrders, bars: Bars, initial_cash: float) -> np.ndarray:
    return floor_loop(orders.size, orders.price, orders.fees, bars.close, float(initial_cash))


# vectorbt refuses (shrinks) a buy its cash cannot pay for, while a fully invested Parity book may dip
# a little below zero cash through fees. Every engine gets the same orders, so vectorbt starts with
# this much extra cash (x initial cash) and vectorbt_final_equity takes it off again.
CASH_HEADROOM = 1.0


def run_vectorbt(orders: DenseOrders, bars: Bars, initial_cash: float):
    """vectorbt's from_orders on the same orders: one cash-sharing group, exact amounts at our prices
    (the default call sequence: all orders are fixed amounts, so the order within a bar does not matter)."""
    import vectorbt as vbt  # ~2 s to import: only the comparison pays for it

    return vbt.Portfolio.from_orders(
        close=bars.close, size=orders.size, size_type="amount", direction="both", price=orders.price, fees=0.0,
        fixed_fees=orders.fees, slippage=0.0, init_cash=float(initial_cash) + CASH_HEADROOM * float(initial_cash), cash_sharing=True, group_by=True,
        max_orders=max(orders.n_orders, 1), freq=None)


def vectorbt_final_equity(portfolio, initial_cash: float) -> float:
    return float(np.asarray(portfolio.value()).reshape(-1)[-1]) - CASH_HEADROOM * float(initial_cash)

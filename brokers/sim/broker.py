"""`SimBroker`: the simulated venue behind the Broker protocol, advanced one bar at a time.

It runs the same matching kernel, fee model and portfolio accounting as the compiled backtest, so
the stepped loop (engine/stepper.py) driving a SimBroker reproduces the compiled backtest exactly:
that equality is the parity test. Call order per bar, as the compiled loop does it:
`on_bar(t)` (orders that reached the venue trade against bar t; state is now "after bar t's
close"), then the engine reads account/positions/open orders, then `cancel`, then `submit`.

Randomness (latency draws) comes from numba's random state, seeded once when the broker is built;
run nothing else that draws from it on the same thread between two calls of one run.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from brokers.sim.backtest import bar_volatility, session_ends
from brokers.sim.latency import draw_delay_ns, seed_rng
from brokers.sim.matching import match_bar
from brokers.sim.params import sim_params
from engine.broker import AccountState, Fill, OrderAck, OrderEvent, OrderRequest
from engine.config.schema import ParityConfig
from engine.data.bars import Bars
from engine.kernels.buffers import ensure_capacity
from engine.kernels.portfolio import apply_fills, mark_to_market, update_marks
from engine.types import FILL_DTYPE, ORDER_DTYPE, OrderReason, OrderStatus, Side

_TERMINAL_NOT_FILLED = (int(OrderStatus.CANCELED), int(OrderStatus.EXPIRED), int(OrderStatus.REJECTED))


class SimBroker:
    """Broker over `bars` with the `simulation:` section of `config` (cash, seed, fills, costs)."""

    def __init__(self, bars: Bars, config: ParityConfig, capacity: int = 1024) -> None:
        self._bars = bars
        self._sim = sim_params(config.simulation)
        self._vol = bar_volatility(bars, config)
        self._ends = session_ends(bars.session)
        self._symbol_index = {s: i for i, s in enumerate(bars.symbols)}
        n = bars.n_symbols
        self._orders = np.zeros(max(capacity, 1), ORDER_DTYPE)
        self._n_orders = 0
        self._working = np.empty(max(capacity, 1), np.int64)
        self._n_working = 0
        self._fills = np.zeros(max(capacity, 1), FILL_DTYPE)
        self._n_fills = 0
        self._client_ids: list[str] = []  # by order index
        self._by_client: dict[str, int] = {}
        self._events: list[OrderEvent] = []
        self._positions = np.zeros(n)
        self._avg_entry = np.full(n, np.nan)
        self._marks = np.full(n, np.nan)
        self._cash = float(config.simulation.initial_cash)
        self._t = -1
        seed_rng(int(config.simulation.seed))

    # --- driving --------------------------------------------------------------------------------
    def on_bar(self, t: int) -> None:
        """Trade the working orders against bar t and mark the book at its close."""
        if t != self._t + 1 or t >= self._bars.n_bars:
            raise ValueError(f"SimBroker.on_bar({t}): bars must be stepped in order; the next bar is {self._t + 1}")
        b = self._bars
        self._fills = ensure_capacity(self._fills, self._n_fills + self._n_working)
        before = self._working[: self._n_working].copy()
        first = self._n_fills
        self._n_working, self._n_fills = match_bar(
            t, self._orders, self._working, self._n_working, b.open[t], b.high[t], b.low[t], b.close[t], b.volume[t],
            int(b.open_ts[t]), bool(self._ends[t]), self._vol[t], self._sim, self._fills, self._n_fills)
        self._cash = apply_fills(self._fills, first, self._n_fills, self._positions, self._avg_entry, self._cash)
        update_marks(self._marks, b.close[t])
        self._t = t
        self._emit_fills(first, self._n_fills)
        for idx in before:
            if int(self._orders[idx]["status"]) in _TERMINAL_NOT_FILLED:
                self._emit(int(idx), self.now_ns())

    def now_ns(self) -> int:
        """Simulated time: the close of the last bar stepped (0 before the first)."""
        return int(self._bars.close_ts[self._t]) if self._t >= 0 else 0

    # --- Broker protocol ------------------------------------------------------------------------
    def account(self) -> AccountState:
        equity, _, _ = mark_to_market(self._positions, self._marks, self._cash)
        return AccountState(cash=float(self._cash), equity=float(equity))

    def positions(self) -> dict[str, float]:
        return {self._bars.symbols[i]: float(q) for i, q in enumerate(self._positions) if q != 0.0}

    def submit(self, orders: Sequence[OrderRequest]) -> list[OrderAck]:
        return [self._submit_one(r) for r in orders]

    def cancel(self, client_order_ids: Sequence[str]) -> None:
        wanted = {self._by_client[c] for c in client_order_ids if c in self._by_client}
        kept = 0
        for k in range(self._n_working):
            idx = int(self._working[k])
            if idx in wanted:
                self._orders[idx]["status"] = int(OrderStatus.CANCELED)
                self._emit(idx, self.now_ns())
            else:
                self._working[kept] = idx
                kept += 1
        self._n_working = kept

    def open_orders(self) -> list[OrderEvent]:
        now = self.now_ns()
        return [self._event(int(idx), now) for idx in self._working[: self._n_working]]

    def events_since(self, cursor: int) -> tuple[list[OrderEvent], int]:
        return self._events[cursor:], len(self._events)

    # --- inspection (tests, reports) ------------------------------------------------------------
    def order_records(self) -> np.ndarray:
        """Every order the venue accepted, ORDER_DTYPE (a copy)."""
        return self._orders[: self._n_orders].copy()

    def fill_records(self) -> np.ndarray:
        return self._fills[: self._n_fills].copy()

    # --- internals ------------------------------------------------------------------------------
    def _submit_one(self, r: OrderRequest) -> OrderAck:
        reason = self._refusal(r)
        if reason:
            return OrderAck(r.client_order_id, accepted=False, reason=reason)
        idx = self._n_orders
        self._orders = ensure_capacity(self._orders, idx + 1)
        self._working = ensure_capacity(self._working, self._n_working + 1)
        now = self.now_ns()
        o = self._orders[idx]
        o["order_id"] = idx + 1
        o["bar"] = self._t
        o["symbol"] = self._symbol_index[r.symbol]
        o["side"] = int(r.side)
        o["type"] = int(r.type)
        o["tif"] = int(r.time_in_force)
        o["reason"] = int(OrderReason.REBALANCE)
        o["status"] = int(OrderStatus.NEW)
        o["qty"] = float(r.qty)
        o["filled_qty"] = 0.0
        o["limit_price"] = np.nan if r.limit_price is None else float(r.limit_price)
        o["stop_price"] = np.nan if r.stop_price is None else float(r.stop_price)
        o["created_at"] = now
        o["arrival_at"] = now + draw_delay_ns(self._sim.submit_ns, self._sim.latency_dist, self._sim.lognormal_sigma)
        o["decision_price"] = float(r.decision_price)
        o["arrival_price"] = np.nan
        self._n_orders += 1
        self._working[self._n_working] = idx
        self._n_working += 1
        self._client_ids.append(r.client_order_id)
        self._by_client[r.client_order_id] = idx
        return OrderAck(r.client_order_id, accepted=True, broker_order_id=str(idx + 1))

    def _refusal(self, r: OrderRequest) -> str:
        if self._t < 0:
            return "no bar has closed yet; call on_bar first"
        if r.client_order_id in self._by_client:
            return f"duplicate client_order_id {r.client_order_id}"
        if r.symbol not in self._symbol_index:
            return f"unknown symbol {r.symbol}"
        if not (math.isfinite(r.qty) and r.qty > 0):
            return f"qty must be > 0, got {r.qty}"
        return ""

    def _emit_fills(self, start: int, stop: int) -> None:
        for k in range(start, stop):
            f = self._fills[k]
            idx = int(f["order_id"]) - 1
            o = self._orders[idx]
            filled = float(o["filled_qty"])  # one fill per order per bar: this fill brought it here
            status = OrderStatus.FILLED if filled >= float(o["qty"]) else OrderStatus.PARTIALLY_FILLED
            fill = Fill(
                client_order_id=self._client_ids[idx], symbol=self._bars.symbols[int(f["symbol"])],
                side=Side(int(f["side"])), qty=float(f["qty"]), price=float(f["price"]), ts=int(f["ts"]),
                commission=float(f["commission"]), sec_fee=float(f["sec_fee"]), taf_fee=float(f["taf_fee"]),
                execution_id=f"sim-{k + 1}")
            self._events.append(OrderEvent(self._client_ids[idx], fill.symbol, status, filled, int(f["reported_at"]),
                                           fill=fill))

    def _event(self, idx: int, ts: int) -> OrderEvent:
        o = self._orders[idx]
        return OrderEvent(self._client_ids[idx], self._bars.symbols[int(o["symbol"])], OrderStatus(int(o["status"])),
                          float(o["filled_qty"]), ts)

    def _emit(self, idx: int, ts: int) -> None:
        self._events.append(self._event(idx, ts))

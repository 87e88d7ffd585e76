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

from parity.brokers.sim.backtest import bar_volatility, session_ends
from parity.brokers.sim.latency import draw_delay_ns, seed_rng
from parity.brokers.sim.matching import match_bar
from parity.brokers.sim.params import sim_params
from parity.engine.broker import AccountState, Fill, OrderAck, OrderEvent, OrderRequest
from parity.engine.config.schema import ParityConfig
from parity.engine.data.bars import Bars
from parity.engine.kernels.buffers import ensure_capacity
from parity.engine.kernels.portfolio import account_buying_power, apply_fills, mark_to_market, update_marks
from parity.engine.types import FILL_DTYPE, ORDER_DTYPE, OrderStatus, Side

_TERMINAL_NOT_FILLED = (int(OrderStatus.CANCELED), int(OrderStatus.EXPIRED), int(OrderStatus.REJECTED))
_SIDES = {int(s): s for s in Side}
_STATUSES = {int(s): s for s in OrderStatus}


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
        equity, gross, _ = mark_to_market(self._positions, self._marks, self._cash)
        power = account_buying_power(self._cash, equity, gross, self._sim.margin_multiplier)
        return AccountState(cash=float(self._cash), equity=float(equity), buying_power=float(power))

    def positions(self) -> dict[str, float]:
        return {self._bars.symbols[i]: float(q) for i, q in enumerate(self._positions) if q != 0.0}

    def submit(self, orders: Sequence[OrderRequest]) -> list[OrderAck]:
        acks = []
        accepted = []
        for r in orders:
            reason = self._refusal(r)
            if not reason:
                self._by_client[r.client_order_id] = self._n_orders + len(accepted)
                accepted.append(r)
            acks.append(OrderAck(r.client_order_id, accepted=not reason, reason=reason,
                                 broker_order_id=str(self._by_client[r.client_order_id] + 1) if not reason else None))
        if accepted:
            self._book_orders(accepted)
        return acks

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
        idx = self._working[: self._n_working]
        o = self._orders[idx]
        symbols = self._bars.symbols
        return [OrderEvent(self._client_ids[i], symbols[sym], _STATUSES[status], filled, now)
                for i, sym, status, filled in zip(idx.tolist(), o["symbol"].tolist(), o["status"].tolist(),
                                                  o["filled_qty"].tolist())]

    def events_since(self, cursor: int) -> tuple[list[OrderEvent], int]:
        return self._events[cursor:], len(self._events)

    # --- inspection (tests, reports) ------------------------------------------------------------
    def order_records(self) -> np.ndarray:
        """Every order the venue accepted, ORDER_DTYPE (a copy)."""
        return self._orders[: self._n_orders].copy()

    def fill_records(self) -> np.ndarray:
        return self._fills[: self._n_fills].copy()

    # --- internals ------------------------------------------------------------------------------
    def _book_orders(self, accepted: list[OrderRequest]) -> None:
        """Write accepted requests as ORDER_DTYPE rows (column by column: the per-step cost matters) and
        append them to `working`; submit latencies are drawn in request order."""
        first, k = self._n_orders, len(accepted)
        self._orders = ensure_capacity(self._orders, first + k)
        self._working = ensure_capacity(self._working, self._n_working + k)
        now = self.now_ns()
        rows = self._orders[first:first + k]
        rows["order_id"] = np.arange(first + 1, first + k + 1)
        rows["bar"] = self._t
        rows["symbol"] = [self._symbol_index[r.symbol] for r in accepted]
        rows["side"] = [int(r.side) for r in accepted]
        rows["type"] = [int(r.type) for r in accepted]
        rows["tif"] = [int(r.time_in_force) for r in accepted]
        rows["reason"] = [int(r.reason) for r in accepted]
        rows["status"] = int(OrderStatus.NEW)
        rows["qty"] = [float(r.qty) for r in accepted]
        rows["filled_qty"] = 0.0
        rows["limit_price"] = [np.nan if r.limit_price is None else float(r.limit_price) for r in accepted]
        rows["stop_price"] = [np.nan if r.stop_price is None else float(r.stop_price) for r in accepted]
        rows["created_at"] = now
        sim = self._sim
        rows["arrival_at"] = [now + draw_delay_ns(sim.submit_ns, sim.latency_dist, sim.lognormal_sigma)
                              for _ in range(k)]
        rows["decision_price"] = [float(r.decision_price) for r in accepted]
        rows["arrival_price"] = np.nan
        rows["triggered"] = False
        self._working[self._n_working:self._n_working + k] = np.arange(first, first + k)
        self._n_working += k
        self._n_orders += k
        self._client_ids.extend(r.client_order_id for r in accepted)

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
        f = self._fills[start:stop]
        idx = (f["order_id"] - 1).tolist()
        filled = self._orders["filled_qty"][idx].tolist()  # one fill per order per bar: this fill's total
        ordered = self._orders["qty"][idx].tolist()
        columns = zip(idx, filled, ordered, f["symbol"].tolist(), f["side"].tolist(), f["qty"].tolist(),
                      f["price"].tolist(), f["ts"].tolist(), f["commission"].tolist(), f["sec_fee"].tolist(),
                      f["taf_fee"].tolist(), f["reported_at"].tolist(), range(start + 1, stop + 1))
        for i, cum, qty_ordered, sym, side, qty, price, ts, comm, sec, taf, reported, execution in columns:
            cid = self._client_ids[i]
            symbol = self._bars.symbols[sym]
            fill = Fill(client_order_id=cid, symbol=symbol, side=_SIDES[side], qty=qty, price=price, ts=ts,
                        commission=comm, sec_fee=sec, taf_fee=taf, execution_id=f"sim-{execution}")
            status = OrderStatus.FILLED if cum >= qty_ordered else OrderStatus.PARTIALLY_FILLED
            self._events.append(OrderEvent(cid, symbol, status, cum, reported, fill=fill))

    def _event(self, idx: int, ts: int) -> OrderEvent:
        o = self._orders[idx]
        return OrderEvent(self._client_ids[idx], self._bars.symbols[int(o["symbol"])], _STATUSES[int(o["status"])],
                          float(o["filled_qty"]), ts)

    def _emit(self, idx: int, ts: int) -> None:
        self._events.append(self._event(idx, ts))

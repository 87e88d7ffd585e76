"""The stepped loop: the engine driving any Broker one bar at a time, from Python.

Per bar t (after its close): collect the broker's events since the last step (fills, cancels,
expiries), read cash, positions and open orders, mark the book at the close, call the SAME
`decide_bar` kernel as the compiled backtest, cancel the symbols' stale orders and submit the new
ones through the protocol. The live runner uses `Stepper.step` as bars arrive; `run_stepped` replays
a whole Bars history (with a SimBroker behind the protocol it reproduces the compiled backtest).

What the protocol does not carry is left unknown in the records: an order's arrival time and
arrival price (arrival_at = created_at, arrival_price NaN), a fill's reference price and
participation (NaN), and whether a stop triggered before its first fill (`triggered` is set when a
stop's fill arrives; a stop that triggered but was cancelled unfilled stays untriggered). The engine imports no broker: a broker that must be advanced bar by bar (the
SimBroker) implements `BarDriven.on_bar`, which the loop calls before each step.

`halt` (optional: an parity.engine.halt.HaltSwitch, or any callable of the bar index) is asked once per
step: when it answers True the bar is decided under the emergency stop (engine/kernels/emergency.py).
"""

from __future__ import annotations

import math
import time
from typing import Callable, Mapping, Protocol, Sequence, runtime_checkable

import numpy as np

from parity.engine.broker import Broker, OrderEvent, OrderRequest
from parity.engine.config.schema import ParityConfig
from parity.engine.data.bars import Bars
from parity.engine.kernels.buffers import ensure_capacity
from parity.engine.kernels.cancels import order_kind, working_by_symbol
from parity.engine.kernels.portfolio import apply_fill, mark_to_market, update_marks
from parity.engine.kernels.step import decide_bar, make_book
from parity.engine.params import engine_params
from parity.engine.records import RunRecords, client_order_id
from parity.engine.signals import SignalSet
from parity.engine.types import (EQUITY_DTYPE, FILL_DTYPE, ORDER_DTYPE, RISK_EVENT_DTYPE, OrderReason, OrderStatus, OrderType,
                          Side, TimeInForce)

_WITH_LIMIT = (int(OrderType.LIMIT), int(OrderType.STOP_LIMIT))
_STOP_TYPES = (int(OrderType.STOP), int(OrderType.STOP_LIMIT))
_SIDES = {int(v): v for v in Side}
_TYPES = {int(v): v for v in OrderType}
_TIFS = {int(v): v for v in TimeInForce}
_REASONS = {int(v): v for v in OrderReason}


@runtime_checkable
class BarDriven(Protocol):
    def on_bar(self, t: int) -> None: ...


class Stepper:
    """The engine's per-bar state for one run against one broker."""

    def __init__(self, symbols: Sequence[str], sectors: Sequence[str], config: ParityConfig, broker: Broker,
                 run_key: str, halt: Callable[[int], bool] | None = None) -> None:
        self.symbols = tuple(symbols)
        self.sectors = tuple(sectors)
        self.broker = broker
        self.run_key = run_key
        self.params = engine_params(config)
        n = len(self.symbols)
        self._index = {s: i for i, s in enumerate(self.symbols)}
        names = sorted(set(self.sectors))
        self._sector_ids = np.array([names.index(s) for s in self.sectors], dtype=np.int64)
        self._orders = np.zeros(256, ORDER_DTYPE)
        self._n_orders = 0
        self._events = np.zeros(256, RISK_EVENT_DTYPE)
        self._n_events = 0
        self._fills: list[tuple] = []
        self._by_client: dict[str, int] = {}
        self._cursor = 0
        self._shadow = np.zeros(n)  # positions implied by our own fills: only for average entry prices
        self._avg_entry = np.full(n, np.nan)
        self._marks = np.full(n, np.nan)
        self._pending = np.zeros(n)
        self._exit_pending = np.zeros(n)
        self._skip_noted = np.zeros(n, dtype=np.bool_)  # Book.skip_noted: kept between decisions
        self._stop_qty = np.zeros(n)
        self._stop_price = np.full(n, np.nan)
        self._cancel = np.zeros(n, dtype=np.int8)
        self._halt = halt
        self._equity_rows: list[tuple] = []
        self._position_rows: list[np.ndarray] = []
        self._mark_rows: list[np.ndarray] = []
        self._session: int | None = None
        self._last_equity = float(config.simulation.initial_cash)
        self._session_start = self._last_equity
        self._session_low = self._last_equity
        self.step_ns: list[int] = []  # engine time per step (excluding the broker's on_bar)

    def step(self, bar: int, ts: int, session: int, close: np.ndarray, scores: np.ndarray) -> None:
        """Decide and act on bar `bar`, which closed at `ts` with closes `close` and signal row `scores`."""
        started = time.perf_counter_ns()
        events, self._cursor = self.broker.events_since(self._cursor)
        self._absorb(events, bar)
        account = self.broker.account()
        positions = np.zeros(len(self.symbols))
        for symbol, qty in self.broker.positions().items():
            i = self._index.get(symbol)
            if i is not None:  # positions outside the universe are not the engine's to manage
                positions[i] = qty
        update_marks(self._marks, close)
        equity, gross, net = mark_to_market(positions, self._marks, float(account.cash))
        if self._session is not None and session != self._session:
            self._session_start = self._session_low = self._last_equity
        self._session, self._last_equity = session, equity
        self._session_low = min(self._session_low, equity)
        self._record(ts, float(account.cash), equity, gross, net, positions)

        working = self._read_open_orders()
        halted = bool(self._halt(bar)) if self._halt is not None else False
        book = make_book(positions, self._pending, self._avg_entry, self._marks, float(account.cash), equity,
                         self._session_start, self._session_low, self._exit_pending, self._stop_qty,
                         self._stop_price, halted, self._skip_noted, float(account.buying_power))
        first = self._n_orders
        self._orders, self._n_orders, self._events, self._n_events = decide_bar(
            bar, ts, scores, close, book, self._sector_ids, self.params, self._orders, self._n_orders, self._cancel,
            self._events, self._n_events)
        stale = [cid for i, ids in working.items() for cid, kind in ids if int(self._cancel[i]) & kind]
        if stale:
            self.broker.cancel(stale)
        if self._n_orders > first:
            self._send(first, self._n_orders)
        self.step_ns.append(time.perf_counter_ns() - started)

    def adopt(self, requests: Sequence[OrderRequest]) -> None:
        """Take over orders an earlier process sent that still work at the broker (a restarted live
        runner passes its journal's acknowledged intents), so they count toward the caps and their
        protective stops are managed, not duplicated. The journal keeps no reason: the engine sends
        STOP orders only as protective stops, so a STOP is adopted as STOP_LOSS, anything else as
        REBALANCE (a rebalance may cancel it)."""
        for r in requests:
            if r.client_order_id in self._by_client:
                continue
            reason = r.reason
            if reason == OrderReason.REBALANCE and r.type == OrderType.STOP:
                reason = OrderReason.STOP_LOSS
            self._orders = ensure_capacity(self._orders, self._n_orders + 1)
            o = self._orders[self._n_orders]
            o["order_id"], o["bar"], o["symbol"] = self._n_orders + 1, -1, self._index[r.symbol]
            o["side"], o["type"], o["tif"], o["reason"] = int(r.side), int(r.type), int(r.time_in_force), int(reason)
            o["status"], o["qty"], o["filled_qty"] = int(OrderStatus.NEW), float(r.qty), 0.0
            o["limit_price"] = math.nan if r.limit_price is None else float(r.limit_price)
            o["stop_price"] = math.nan if r.stop_price is None else float(r.stop_price)
            o["created_at"] = o["arrival_at"] = int(r.decision_ts)
            o["decision_price"], o["arrival_price"], o["triggered"] = float(r.decision_price), math.nan, False
            self._by_client[r.client_order_id] = self._n_orders
            self._n_orders += 1

    def restore_entries(self, details: Mapping[str, tuple[float, float]]) -> None:
        """Start from the broker's positions and average entry prices, {symbol: (signed shares, entry)}.
        A restarted live runner never saw the fills of earlier processes (a daily cron job's orders fill
        at the next open, while no process runs), and stops and position risk are measured from the
        entry: without this, a position bought between runs got its stop measured from the close, not
        from the price paid."""
        for symbol, (qty, entry) in details.items():
            i = self._index.get(symbol)
            if i is None or qty == 0.0 or not (math.isfinite(entry) and entry > 0.0):
                continue
            self._shadow[i], self._avg_entry[i] = float(qty), float(entry)

    def finish(self) -> None:
        """Collect the events that arrived after the last step (final order statuses)."""
        events, self._cursor = self.broker.events_since(self._cursor)
        self._absorb(events, len(self._equity_rows) - 1)

    def records(self) -> RunRecords:
        equity = np.array(self._equity_rows, dtype=EQUITY_DTYPE)
        n = len(self.symbols)
        stack = (lambda rows: np.array(rows).reshape(len(rows), n))
        return RunRecords(symbols=self.symbols, sectors=self.sectors, run_key=self.run_key,
                          orders=self._orders[: self._n_orders].copy(), fills=np.array(self._fills, dtype=FILL_DTYPE),
                          equity=equity, positions=stack(self._position_rows), close=stack(self._mark_rows),
                          risk_events=self._events[: self._n_events].copy())

    # --- internals ------------------------------------------------------------------------------
    def _absorb(self, events: list[OrderEvent], bar: int) -> None:
        latest: dict[int, tuple[int, float]] = {}  # order index -> (status, filled) of its last event
        fills = []
        for ev in events:
            idx = self._by_client.get(ev.client_order_id)
            if idx is None:
                continue  # not an order of this run
            latest[idx] = (int(ev.status), ev.filled_qty)
            if ev.fill is not None:
                fills.append((idx, ev))
        if latest:  # written column by column: per-record field access is slow
            rows = list(latest)
            self._orders["status"][rows] = [latest[k][0] for k in rows]
            self._orders["filled_qty"][rows] = [latest[k][1] for k in rows]
        if not fills:
            return
        rows = [idx for idx, _ in fills]
        stops = [k for k, otype in zip(rows, self._orders["type"][rows].tolist()) if otype in _STOP_TYPES]
        self._orders["triggered"][stops] = True  # a stop that fills has triggered (the protocol says no more)
        for order_id, i, (_, ev) in zip(self._orders["order_id"][rows].tolist(), self._orders["symbol"][rows].tolist(),
                                        fills):
            f = ev.fill
            side = int(f.side)
            self._fills.append((order_id, bar, i, side, f.qty, f.price, math.nan, f.commission, f.sec_fee, f.taf_fee,
                                f.ts, ev.ts, math.nan))
            self._shadow[i], self._avg_entry[i], _ = apply_fill(self._shadow[i], self._avg_entry[i], 0.0, side, f.qty,
                                                                f.price, 0.0)

    def _read_open_orders(self) -> dict[int, list[tuple[str, int]]]:
        """Fill the Book's working-order arrays from the broker's open orders (parity.engine.kernels.cancels);
        returns our open orders as (client id, kind) per symbol."""
        working: dict[int, list[tuple[str, int]]] = {}
        ours = [(idx, ev) for ev in self.broker.open_orders()
                if (idx := self._by_client.get(ev.client_order_id)) is not None]  # others' sizes are unknown here
        rows = np.array([idx for idx, _ in ours], dtype=np.int64)
        if len(ours):
            self._orders["filled_qty"][rows] = [ev.filled_qty for _, ev in ours]
            o = self._orders[rows]
            for (_, ev), reason, stop_px, filled, symbol in zip(ours, o["reason"].tolist(), o["stop_price"].tolist(),
                                                                o["filled_qty"].tolist(), o["symbol"].tolist()):
                working.setdefault(symbol, []).append((ev.client_order_id, order_kind(reason, stop_px, filled)))
        working_by_symbol(self._orders, rows, len(rows), self._pending, self._exit_pending, self._stop_qty,
                          self._stop_price)
        return working

    def _send(self, first: int, stop: int) -> None:
        block = self._orders[first:stop]  # read column by column: per-record field access is slow
        requests = []
        columns = zip(range(first, stop), block["order_id"].tolist(), block["symbol"].tolist(),
                      block["side"].tolist(), block["qty"].tolist(), block["type"].tolist(), block["tif"].tolist(),
                      block["limit_price"].tolist(), block["stop_price"].tolist(), block["created_at"].tolist(),
                      block["decision_price"].tolist(), block["reason"].tolist())
        for k, order_id, symbol, side, qty, otype, tif, limit, stop_px, created, decision, reason in columns:
            cid = client_order_id(self.run_key, order_id)
            self._by_client[cid] = k
            requests.append(OrderRequest(
                client_order_id=cid, symbol=self.symbols[symbol], side=_SIDES[side], qty=qty, type=_TYPES[otype],
                time_in_force=_TIFS[tif], limit_price=limit if otype in _WITH_LIMIT else None,
                stop_price=None if math.isnan(stop_px) else stop_px, decision_ts=created, decision_price=decision,
                reason=_REASONS[reason]))
        rejected = [self._by_client[a.client_order_id] for a in self.broker.submit(requests) if not a.accepted]
        if rejected:
            self._orders["status"][rejected] = int(OrderStatus.REJECTED)

    def _record(self, ts: int, cash: float, equity: float, gross: float, net: float, positions: np.ndarray) -> None:
        safe = equity if equity != 0.0 else math.nan
        self._equity_rows.append((ts, cash, equity, gross / safe, net / safe))
        self._position_rows.append(positions)
        self._mark_rows.append(self._marks.copy())


def run_stepped(bars: Bars, signals: SignalSet, config: ParityConfig, broker: Broker, run_key: str,
                halt: Callable[[int], bool] | None = None) -> RunRecords:
    """Replay `bars` through the stepped loop against `broker`; returns the run's records."""
    if signals.scores.shape != (bars.n_bars, bars.n_symbols):
        raise ValueError(f"SignalSet.scores has shape {signals.scores.shape} but the bars are "
                         f"({bars.n_bars}, {bars.n_symbols}); generate the signals from the same bars")
    stepper = Stepper(bars.symbols, bars.sectors, config, broker, run_key, halt)
    scores = np.ascontiguousarray(signals.scores, dtype=np.float64)
    driven = isinstance(broker, BarDriven)
    for t in range(bars.n_bars):
        if driven:
            broker.on_bar(t)
        stepper.step(t, int(bars.close_ts[t]), int(bars.session[t]), bars.close[t], scores[t])
    stepper.finish()
    return stepper.records()

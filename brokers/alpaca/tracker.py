"""Turns Alpaca order snapshots and trade updates into engine OrderEvents, exactly once.

Two sources report the same fills: the trade_updates stream and REST polling (after a reconnect,
or when the stream is down). The tracker keeps, per client_order_id, the filled quantity and
notional it has already reported; a stream fill is new only if its execution_id is unseen AND the
order's cumulative filled_qty exceeds what is known, and a REST snapshot contributes only the gap.
So a fill is never counted twice, whichever source saw it first. Every new fill and status change
goes to the journal (if any) before it is returned.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from alpaca.trading.models import Order, TradeUpdate

from parity.brokers.alpaca import mapping
from parity.engine.broker import Fill, OrderEvent
from parity.engine.journal import Journal
from parity.engine.types import TERMINAL_STATUSES, OrderStatus

_EPS = 1e-9


@dataclass
class Tracked:
    symbol: str
    broker_order_id: str | None
    submitted_ns: int
    filled_qty: float = 0.0
    filled_notional: float = 0.0
    status: OrderStatus = OrderStatus.NEW

    @property
    def done(self) -> bool:
        return self.status in TERMINAL_STATUSES


class OrderTracker:
    def __init__(self, journal: Journal | None = None) -> None:
        self._journal = journal
        self._orders: dict[str, Tracked] = {}
        self._seen_executions: set[str] = set()
        self._lock = threading.RLock()
        if journal is not None:
            for fill in journal.fills():
                self._seen_executions.add(fill.execution_id)
            known, last = journal.filled(), journal.last_statuses()
            for intent in journal.intents(("intent", "acked")):
                cid = intent.request.client_order_id
                qty, notional = known.get(cid, (0.0, 0.0))
                self._orders[cid] = Tracked(intent.request.symbol, intent.broker_order_id, intent.created_ns, qty,
                                            notional, last.get(cid, OrderStatus.NEW))

    def track(self, client_order_id: str, symbol: str, broker_order_id: str | None, submitted_ns: int) -> None:
        with self._lock:
            t = self._orders.get(client_order_id)
            if t is None:
                self._orders[client_order_id] = Tracked(symbol, broker_order_id, submitted_ns)
            elif broker_order_id:
                t.broker_order_id = broker_order_id

    def get(self, client_order_id: str) -> Tracked | None:
        with self._lock:
            return self._orders.get(client_order_id)

    def working(self) -> dict[str, Tracked]:
        with self._lock:
            return {cid: t for cid, t in self._orders.items() if not t.done}

    def earliest_working_ns(self) -> int | None:
        working = self.working()
        return min((t.submitted_ns for t in working.values()), default=None)

    def on_update(self, update: TradeUpdate) -> list[OrderEvent]:
        order = update.order
        with self._lock:
            t = self._orders.get(order.client_order_id)
            if t is None:
                return []  # not ours (another app on the account, or a previous run's id scheme)
            fill = mapping.fill_from_update(update)
            if fill is not None:
                fill = self._accept_stream_fill(t, order, fill)
            return self._emit(t, order, fill)

    def on_snapshot(self, order: Order) -> list[OrderEvent]:
        with self._lock:
            t = self._orders.get(order.client_order_id)
            if t is None:
                return []
            if t.broker_order_id is None:
                t.broker_order_id = str(order.id)
            fill = mapping.synthetic_fill(order, t.filled_qty, t.filled_notional)
            if fill is not None and fill.execution_id in self._seen_executions:
                fill = None
            if fill is not None:
                self._book(t, fill)
            return self._emit(t, order, fill)

    def _accept_stream_fill(self, t: Tracked, order: Order, fill: Fill) -> Fill | None:
        if fill.execution_id and fill.execution_id in self._seen_executions:
            return None
        cumulative = float(order.filled_qty or 0.0)
        gap = cumulative - t.filled_qty
        if gap <= _EPS:
            return None  # REST recovery already booked it
        if fill.qty > gap + _EPS:  # part of it was booked by REST recovery: keep the rest
            fill = Fill(fill.client_order_id, fill.symbol, fill.side, gap, fill.price, fill.ts,
                        execution_id=fill.execution_id)
        self._book(t, fill)
        return fill

    def _book(self, t: Tracked, fill: Fill) -> None:
        if fill.execution_id:
            self._seen_executions.add(fill.execution_id)
        t.filled_qty += fill.qty
        t.filled_notional += fill.qty * fill.price
        if self._journal is not None:
            self._journal.record_fill(fill)

    def _emit(self, t: Tracked, order: Order, fill: Fill | None) -> list[OrderEvent]:
        status = mapping.order_status(order)
        # A snapshot/update older than what we booked must not move the status backwards.
        if t.done and status not in TERMINAL_STATUSES:
            status = t.status
        if fill is None and status == t.status:
            return []
        if fill is not None and status == OrderStatus.FILLED and t.filled_qty + _EPS < float(order.qty or 0.0):
            status = OrderStatus.PARTIALLY_FILLED  # a later fill of the same order is still to come
        t.status = status
        event = mapping.order_event(order, fill)
        event = OrderEvent(event.client_order_id, event.symbol, status, t.filled_qty, event.ts, fill, event.reason)
        if self._journal is not None:
            self._journal.record_status(event)
        return [event]

    def on_reject(self, client_order_id: str, symbol: str, ts: int, reason: str) -> OrderEvent:
        with self._lock:
            t = self._orders.setdefault(client_order_id, Tracked(symbol, None, ts))
            t.status = OrderStatus.REJECTED
            event = OrderEvent(client_order_id, symbol, OrderStatus.REJECTED, t.filled_qty, ts, None, reason)
            if self._journal is not None:
                self._journal.record_status(event)
            return event

"""The fake account: orders and their state machine, fills, positions, cash and trade events.

Every public method takes the lock: the HTTP handlers run on the server's thread while the test or
demo drives time and bars from its own. Events are handed to `on_event` (the websocket hub) in the
order they happen.
"""

from __future__ import annotations

import math
import threading
from typing import Any, Callable, Iterable

import pandas as pd

from parity.brokers.alpaca.fake.market_time import is_market_open, rfc3339
from parity.brokers.alpaca.fake.matching import FillFn, default_fill
from parity.brokers.alpaca.fake.model import (
    OPEN,
    WORKING,
    ApiError,
    Asset,
    Bar,
    FakeOrder,
    PositionState,
    stable_uuid,
)
from parity.brokers.alpaca.fake.order_rules import validate_prices, validate_submission
from parity.brokers.alpaca.fake.wire import num, order_json

EventSink = Callable[[dict[str, Any]], None]


class Ledger:
    def __init__(self, *, cash: float, now: pd.Timestamp, multiplier: float, enforce_buying_power: bool) -> None:
        self.lock = threading.RLock()
        self.cash = float(cash)
        self.now = now
        self.created_at = now
        self.multiplier = float(multiplier)
        self.enforce_buying_power = enforce_buying_power
        self.async_cancels = False  # True: DELETE leaves pending_cancel until the next bar
        self.last_equity = float(cash)
        self.orders: dict[str, FakeOrder] = {}
        self.open_orders: dict[str, FakeOrder] = {}  # insertion (= submission) order; kept by _touch/_add
        self.by_client_id: dict[str, str] = {}
        self.positions: dict[str, PositionState] = {}
        self.assets: dict[str, Asset] = {}
        self.marks: dict[str, float] = {}
        self.lastday: dict[str, float] = {}
        self.events: list[dict[str, Any]] = []  # every trade_updates message, in order
        self.on_event: EventSink | None = None
        self._order_seq = 0
        self._exec_seq = 0

    # ------------------------------------------------------------------ assets and marks
    def asset(self, symbol: str) -> Asset:
        """Known symbols are created on first use (uppercase tickers only); others are 404."""
        with self.lock:
            if symbol not in self.assets:
                if not symbol or not symbol.replace(".", "").isalpha() or symbol != symbol.upper():
                    raise ApiError(404, 40410000, f"asset not found for {symbol}")
                self.assets[symbol] = Asset(symbol)
            return self.assets[symbol]

    # ------------------------------------------------------------------ derived account numbers
    def market_values(self) -> tuple[float, float]:
        long_mv = short_mv = 0.0
        for p in self.positions.values():
            value = p.qty * self.marks.get(p.symbol, p.avg_entry_price)
            if p.qty > 0:
                long_mv += value
            else:
                short_mv += value
        return long_mv, short_mv

    def equity(self) -> float:
        long_mv, short_mv = self.market_values()
        return self.cash + long_mv + short_mv

    def _reference_price(self, o: FakeOrder) -> float | None:
        return o.limit_price or o.stop_price or self.marks.get(o.symbol)

    def _reserved(self, exclude: str | None = None) -> float:
        """Buying power held by open orders that add exposure (buys; sells beyond the long position)."""
        total = 0.0
        for o in self.open_orders.values():
            if o.id != exclude:
                price = self._reference_price(o) or 0.0
                if o.side == "buy" or self._position_qty(o.symbol) <= 0:
                    total += o.remaining * price
        return total

    def buying_power(self, exclude: str | None = None) -> float:
        """multiplier x equity less the gross position value and what open orders reserve (cash if 1x)."""
        long_mv, short_mv = self.market_values()
        raw = self.multiplier * self.equity() - long_mv - abs(short_mv)
        if self.multiplier <= 1:
            raw = self.cash
        return max(raw - self._reserved(exclude), 0.0)

    def _position_qty(self, symbol: str) -> float:
        p = self.positions.get(symbol)
        return p.qty if p else 0.0

    def held_for_sells(self, symbol: str, exclude: str | None = None) -> float:
        return sum(
            o.remaining for o in self.open_orders.values() if o.symbol == symbol and o.side == "sell" and o.id != exclude
        )

    # ------------------------------------------------------------------ events
    def _emit(self, event: str, o: FakeOrder, **extra: Any) -> None:
        data = {"event": event, "order": order_json(o), "timestamp": rfc3339(self.now), **extra}
        message = {"stream": "trade_updates", "data": data}
        self.events.append(message)
        if self.on_event is not None:
            self.on_event(message)

    def _touch(self, o: FakeOrder, status: str) -> None:
        o.status, o.updated_at = status, self.now
        if status not in OPEN:
            self.open_orders.pop(o.id, None)

    def _add(self, o: FakeOrder) -> None:
        self.orders[o.id] = o
        self.open_orders[o.id] = o
        self.by_client_id[o.client_order_id] = o.id

    def _open_in_order(self) -> list[FakeOrder]:
        return list(self.open_orders.values())  # dicts keep insertion order: submission order

    # ------------------------------------------------------------------ orders
    def find(self, order_id: str) -> FakeOrder:
        with self.lock:
            o = self.orders.get(order_id)
            if o is None:
                raise ApiError(404, 40410000, "order not found")
            return o

    def find_by_client_id(self, client_order_id: str) -> FakeOrder:
        with self.lock:
            oid = self.by_client_id.get(client_order_id)
            if oid is None:
                raise ApiError(404, 40410000, "order not found")
            return self.orders[oid]

    def submit(self, body: dict[str, Any]) -> FakeOrder:
        """Validate and create an order (POST /v2/orders); raises ApiError as the real server would."""
        with self.lock:
            req = validate_submission(body)
            try:
                asset = self.asset(req["symbol"])
            except ApiError:
                raise ApiError(422, 42210000, f'asset "{req["symbol"]}" not found') from None
            cid = req["client_order_id"] or stable_uuid("client-order", self._order_seq + 1)
            if cid in self.by_client_id:
                raise ApiError(422, 40010001, "client_order_id must be unique")
            if not asset.tradable:
                raise ApiError(422, 42210000, f'asset "{asset.symbol}" is not tradable')
            if req["qty"] != math.floor(req["qty"]) and not asset.fractionable:
                raise ApiError(422, 40010001, "requested asset is not fractionable")
            self._check_quantity_and_power(req, asset)
            self._order_seq += 1
            accepted_now = is_market_open(self.now)
            o = FakeOrder(
                id=stable_uuid("order", self._order_seq),
                client_order_id=cid,
                symbol=asset.symbol,
                side=req["side"],
                type=req["type"],
                time_in_force=req["time_in_force"],
                qty=req["qty"],
                limit_price=req["limit_price"],
                stop_price=req["stop_price"],
                extended_hours=req["extended_hours"],
                status="pending_new" if accepted_now else "accepted",
                created_at=self.now,
                position_intent=self._intent(req["side"], asset.symbol),
                seq=self._order_seq,
            )
            self._add(o)
            return o

    def after_ack(self, o: FakeOrder) -> None:
        """Route a pending_new order (called once its POST response is built): it becomes `new`."""
        with self.lock:
            if o.status == "pending_new":
                self._touch(o, "new")
                self._emit("new", o)

    def _intent(self, side: str, symbol: str) -> str:
        qty = self._position_qty(symbol)
        if side == "buy":
            return "buy_to_close" if qty < 0 else "buy_to_open"
        return "sell_to_close" if qty > 0 else "sell_to_open"

    def _check_quantity_and_power(self, req: dict[str, Any], asset: Asset, exclude: str | None = None) -> None:
        position = self._position_qty(asset.symbol)
        if req["side"] == "sell" and position > 0:
            held = self.held_for_sells(asset.symbol, exclude)
            available = max(position - held, 0.0)
            if req["qty"] > available + 1e-9:
                raise ApiError(
                    403,
                    40310000,
                    f"insufficient qty available for order (requested: {num(req['qty'])}, available: {num(available)})",
                    available=num(available),
                    existing_qty=num(position),
                    held_for_orders=num(held),
                    symbol=asset.symbol,
                )
        opens_short = req["side"] == "sell" and position <= 0
        if opens_short and not (asset.shortable and asset.easy_to_borrow and self.multiplier > 1):
            raise ApiError(422, 42210000, f'asset "{asset.symbol}" cannot be sold short')
        if self.enforce_buying_power and (req["side"] == "buy" or opens_short):
            price = req["limit_price"] or req["stop_price"] or self.marks.get(asset.symbol)
            if price is not None:
                cost = req["qty"] * price
                power = self.buying_power(exclude)
                if cost > power + 1e-9:
                    raise ApiError(
                        403,
                        40310000,
                        "insufficient buying power",
                        buying_power=num(round(power, 2)),
                        cost_basis=num(round(cost, 2)),
                    )

    def cancel(self, order_id: str, *, immediate: bool = False) -> FakeOrder:
        """DELETE /v2/orders/{id}. With async_cancels the order waits in pending_cancel until the next
        bar (or complete_cancels()), so a fill can still race the cancel, as on the real venue."""
        with self.lock:
            o = self.find(order_id)
            if not o.is_open:
                raise ApiError(422, 42210000, f"order is already in \"{o.status}\" state")
            if o.status == "pending_cancel" and not immediate:
                return o
            if self.async_cancels and not immediate and o.status in WORKING:
                self._touch(o, "pending_cancel")
                self._emit("pending_cancel", o)
                return o
            self._finish_cancel(o)
            return o

    def _finish_cancel(self, o: FakeOrder) -> None:
        o.canceled_at = self.now
        self._touch(o, "canceled")
        self._emit("canceled", o)

    def complete_cancels(self) -> None:
        with self.lock:
            for o in self._open_in_order():
                if o.status == "pending_cancel":
                    self._finish_cancel(o)

    def reject(self, order_id: str, reason: str = "rejected by the venue") -> FakeOrder:
        """The venue rejects an order it had acknowledged (status rejected, failed_at set, `rejected` event)."""
        with self.lock:
            o = self.find(order_id)
            if not o.is_open:
                raise ApiError(422, 42210000, f"order is already in \"{o.status}\" state")
            o.failed_at = self.now
            o.extra["reject_reason"] = reason
            self._touch(o, "rejected")
            self._emit("rejected", o)
            return o

    def cancel_all(self) -> list[FakeOrder]:
        with self.lock:
            open_orders = self._open_in_order()
            for o in open_orders:
                self.cancel(o.id)
            return open_orders

    def replace(self, order_id: str, body: dict[str, Any]) -> FakeOrder:
        """PATCH /v2/orders/{id}: a new order replaces the old one, which goes to `replaced`."""
        with self.lock:
            old = self.find(order_id)
            if old.status not in WORKING:
                raise ApiError(422, 42210000, "unable to replace order in current state")
            cid = body.get("client_order_id") or stable_uuid("client-order", self._order_seq + 1)
            if cid in self.by_client_id:
                raise ApiError(422, 40010001, "client_order_id must be unique")
            qty = float(body["qty"]) if body.get("qty") is not None else old.remaining
            limit = _opt_float(body.get("limit_price"), old.limit_price)
            stop = _opt_float(body.get("stop_price"), old.stop_price)
            validate_prices(old.type, limit, stop)
            if qty <= 0:
                raise ApiError(422, 40010001, "qty must be > 0")
            req = {"side": old.side, "qty": qty, "limit_price": limit, "stop_price": stop}
            self._check_quantity_and_power(req, self.asset(old.symbol), exclude=old.id)
            self._order_seq += 1
            new = FakeOrder(
                id=stable_uuid("order", self._order_seq),
                client_order_id=cid,
                symbol=old.symbol,
                side=old.side,
                type=old.type,
                time_in_force=body.get("time_in_force") or old.time_in_force,
                qty=qty,
                limit_price=limit,
                stop_price=stop,
                extended_hours=old.extended_hours,
                status="pending_new",
                created_at=self.now,
                position_intent=old.position_intent,
                replaces=old.id,
                seq=self._order_seq,
            )
            self._add(new)
            old.replaced_by, old.replaced_at = new.id, self.now
            self._touch(old, "replaced")
            self._emit("replaced", old)
            return new

    # ------------------------------------------------------------------ time and bars
    def activate_accepted(self) -> None:
        """Orders queued while the market was closed go live (accepted -> new)."""
        with self.lock:
            for o in self._open_in_order():
                if o.status in ("accepted", "pending_new"):
                    self._touch(o, "new")
                    self._emit("new", o)

    def match_bars(self, bars: dict[str, Bar], fill_fn: FillFn | None, partial: Callable[[FakeOrder, float], float]) -> None:
        """Fill working orders against this bar (submission order), then cancel IOC/FOK leftovers."""
        with self.lock:
            fill_fn = fill_fn or default_fill
            for symbol, bar in bars.items():
                self.marks[symbol] = bar.close
            live = WORKING | {"pending_cancel"}
            for o in [o for o in self._open_in_order() if o.status in live and o.symbol in bars]:
                result = fill_fn(o, bars[o.symbol])
                if result is not None:
                    price, qty = float(result[0]), min(float(result[1]), o.remaining)
                    if o.time_in_force == "fok" and qty < o.remaining - 1e-9:
                        qty = 0.0
                    qty = partial(o, qty)
                    if qty > 0:
                        if o.status == "pending_cancel":  # the fill won the race
                            self._touch(o, "partially_filled" if o.filled_qty > 0 else "new")
                            self._emit("order_cancel_rejected", o)
                        self.apply_fill(o, qty, price)
                if o.time_in_force in ("ioc", "fok") and o.status in WORKING:
                    self._finish_cancel(o)
            self.complete_cancels()

    def apply_fill(self, o: FakeOrder, qty: float, price: float) -> None:
        """Execute `qty` at `price`: cash, position, order state, and a fill/partial_fill event."""
        with self.lock:
            if o.status not in OPEN or o.status in ("accepted", "pending_new"):
                if o.status in ("accepted", "pending_new"):
                    self._touch(o, "new")
                    self._emit("new", o)
                else:
                    raise ApiError(422, 42210000, f"order {o.client_order_id} is {o.status}; cannot fill")
            qty = min(qty, o.remaining)
            if qty <= 0:
                raise ValueError(f"fill qty must be > 0 for order {o.client_order_id}")
            position = self.positions.setdefault(o.symbol, PositionState(o.symbol))
            position.apply(o.signed * qty, price)
            if position.qty == 0:
                del self.positions[o.symbol]
            self.cash -= o.signed * qty * price
            self.marks.setdefault(o.symbol, price)
            o.filled_qty += qty
            o.filled_value += qty * price
            done = o.remaining <= 1e-9
            if done:
                o.filled_at = self.now
            self._touch(o, "filled" if done else "partially_filled")
            self._exec_seq += 1
            self._emit(
                "fill" if done else "partial_fill",
                o,
                execution_id=stable_uuid("execution", self._exec_seq),
                price=num(price),
                qty=num(qty),
                position_qty=num(position.qty),
            )

    def end_session(self, tifs: Iterable[str] = ("day",)) -> list[FakeOrder]:
        """Session close: live day orders expire; marks become the last-day prices."""
        with self.lock:
            expired = []
            for o in self._open_in_order():
                if o.time_in_force in tifs and o.status in WORKING | {"pending_cancel", "pending_replace"}:
                    o.expired_at = self.now
                    self._touch(o, "expired")
                    self._emit("expired", o)
                    expired.append(o)
            self.lastday.update(self.marks)
            self.last_equity = self.equity()
            return expired


def _opt_float(value: Any, default: float | None) -> float | None:
    return default if value is None else float(value)

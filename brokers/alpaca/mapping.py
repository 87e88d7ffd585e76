"""Every translation between Alpaca's schemas (alpaca-py models) and the engine's value types.

Nothing else in Parity reads an alpaca-py model field or writes an Alpaca enum string: if Alpaca
changes a shape, this is the one file to change.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from alpaca.common.exceptions import APIError
from alpaca.trading import enums as ae
from alpaca.trading.models import Order, Position, TradeAccount, TradeUpdate
from alpaca.trading.requests import (
    LimitOrderRequest,
    MarketOrderRequest,
    StopLimitOrderRequest,
    StopOrderRequest,
)

from parity.engine.broker import AccountState, Fill, OrderEvent, OrderRequest
from parity.engine.types import OrderStatus, OrderType, Side, TimeInForce

_SIDE_TO_ALPACA = {Side.BUY: ae.OrderSide.BUY, Side.SELL: ae.OrderSide.SELL}
_SIDE_FROM_ALPACA = {"buy": Side.BUY, "sell": Side.SELL}
_TIF_TO_ALPACA = {TimeInForce.DAY: ae.TimeInForce.DAY, TimeInForce.GTC: ae.TimeInForce.GTC,
                  TimeInForce.IOC: ae.TimeInForce.IOC}

# Alpaca has 18 order statuses; the engine needs to know only whether the order still works and
# how it ended. Working states with a fill are reported as PARTIALLY_FILLED.
_TERMINAL = {
    "filled": OrderStatus.FILLED,
    "canceled": OrderStatus.CANCELED,
    "expired": OrderStatus.EXPIRED,
    "rejected": OrderStatus.REJECTED,
    "replaced": OrderStatus.CANCELED,  # the replacement carries on under its own id
    "done_for_day": OrderStatus.EXPIRED,  # a day order that will not trade again today
    "stopped": OrderStatus.NEW,
}
WORKING_STATUSES = frozenset({
    "new", "partially_filled", "accepted", "pending_new", "accepted_for_bidding", "pending_cancel",
    "pending_replace", "pending_review", "calculated", "held", "suspended", "stopped",
})
FILL_EVENTS = frozenset({"fill", "partial_fill"})


def to_ns(value: datetime | None) -> int:
    """A tz-aware (or naive = UTC, as alpaca-py serialises it) datetime as int64 ns UTC."""
    if value is None:
        return 0
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    delta = value - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000


def from_ns(ns: int) -> datetime:
    return datetime.fromtimestamp(ns // 1_000_000_000, tz=timezone.utc).replace(
        microsecond=(ns % 1_000_000_000) // 1_000)


def _enum_value(value: Any) -> str:
    return str(getattr(value, "value", value) or "")


def price_tick(price: float) -> float:
    """Alpaca refuses sub-penny prices: 2 decimals at or above $1, 4 below."""
    return 0.01 if price >= 1.0 else 0.0001


def round_price(price: float) -> float:
    tick = price_tick(price)
    return round(round(price / tick) * tick, 2 if tick == 0.01 else 4)


def to_alpaca_order(req: OrderRequest) -> MarketOrderRequest | LimitOrderRequest | StopOrderRequest | StopLimitOrderRequest:
    common: dict[str, Any] = dict(symbol=req.symbol, qty=float(req.qty), side=_SIDE_TO_ALPACA[Side(req.side)],
                                  time_in_force=_TIF_TO_ALPACA[TimeInForce(req.time_in_force)],
                                  client_order_id=req.client_order_id)
    kind = OrderType(req.type)
    if kind == OrderType.MARKET:
        return MarketOrderRequest(**common)
    if kind == OrderType.LIMIT:
        return LimitOrderRequest(limit_price=round_price(_need(req.limit_price, req, "limit_price")), **common)
    if kind == OrderType.STOP:
        return StopOrderRequest(stop_price=round_price(_need(req.stop_price, req, "stop_price")), **common)
    return StopLimitOrderRequest(limit_price=round_price(_need(req.limit_price, req, "limit_price")),
                                 stop_price=round_price(_need(req.stop_price, req, "stop_price")), **common)


def _need(value: float | None, req: OrderRequest, name: str) -> float:
    if value is None or not math.isfinite(value) or value <= 0:
        raise ValueError(f"order {req.client_order_id}: {OrderType(req.type).name.lower()} order needs a positive {name}")
    return float(value)


def order_status(order: Order) -> OrderStatus:
    status = _enum_value(order.status)
    filled = float(order.filled_qty or 0.0)
    if status in _TERMINAL and status != "stopped":
        return _TERMINAL[status]
    return OrderStatus.PARTIALLY_FILLED if filled > 0 else OrderStatus.NEW


def is_working(order: Order) -> bool:
    return _enum_value(order.status) in WORKING_STATUSES


def order_event(order: Order, fill: Fill | None = None, reason: str = "") -> OrderEvent:
    ts = to_ns(order.updated_at or order.submitted_at or order.created_at)
    if fill is not None:
        ts = fill.ts
    return OrderEvent(client_order_id=order.client_order_id, symbol=order.symbol or "",
                      status=order_status(order), filled_qty=float(order.filled_qty or 0.0),
                      ts=ts, fill=fill, reason=reason)


def fill_from_update(update: TradeUpdate) -> Fill | None:
    """The fill a `fill`/`partial_fill` trade update reports (Alpaca paper charges no commission)."""
    if _enum_value(update.event) not in FILL_EVENTS or not update.qty or update.price is None:
        return None
    order = update.order
    return Fill(client_order_id=order.client_order_id, symbol=order.symbol or "",
                side=_SIDE_FROM_ALPACA[_enum_value(order.side)], qty=float(update.qty),
                price=float(update.price), ts=to_ns(update.timestamp),
                execution_id=str(update.execution_id or ""))


def synthetic_fill(order: Order, known_qty: float, known_notional: float) -> Fill | None:
    """The fill(s) an order shows on REST that the stream never delivered, as one fill.

    Its price is what makes the journal's notional match filled_qty * filled_avg_price; its
    execution_id is derived from the order id and the cumulative quantity, so a second recovery
    of the same gap gives the same id (and is deduplicated).
    """
    filled = float(order.filled_qty or 0.0)
    missing = filled - known_qty
    if missing <= 1e-9 or order.filled_avg_price is None:
        return None
    price = (float(order.filled_avg_price) * filled - known_notional) / missing
    return Fill(client_order_id=order.client_order_id, symbol=order.symbol or "",
                side=_SIDE_FROM_ALPACA[_enum_value(order.side)], qty=missing, price=price,
                ts=to_ns(order.filled_at or order.updated_at), execution_id=f"rest-{order.id}-{filled:.9g}")


def account_state(account: TradeAccount) -> AccountState:
    cash = float(account.cash or 0.0)
    equity = float(account.equity if account.equity is not None else account.portfolio_value or cash)
    return AccountState(cash=cash, equity=equity)


def positions_map(positions: list[Position]) -> dict[str, float]:
    """{symbol: signed shares}; Alpaca already signs short quantities ("-5", side short)."""
    out: dict[str, float] = {}
    for p in positions:
        qty = float(p.qty)
        if _enum_value(p.side) == "short" and qty > 0:
            qty = -qty
        if qty != 0.0:
            out[p.symbol] = qty
    return out


def position_details(positions: list[Position]) -> dict[str, tuple[float, float]]:
    """{symbol: (signed shares, average entry price)}."""
    signed = positions_map(positions)
    return {p.symbol: (signed[p.symbol], float(p.avg_entry_price)) for p in positions if p.symbol in signed}


@dataclass(frozen=True)
class ErrorInfo:
    status: int | None
    code: int | None
    message: str

    @property
    def duplicate_client_order_id(self) -> bool:
        return self.status == 422 and "client_order_id" in self.message and "unique" in self.message

    @property
    def transient(self) -> bool:
        return self.status is None or self.status == 429 or self.status >= 500

    @property
    def not_found(self) -> bool:
        return self.status == 404


def error_info(exc: APIError) -> ErrorInfo:
    """Status, code and message of an APIError; alpaca-py's own accessors raise on odd bodies."""
    text = str(exc)
    try:
        body = json.loads(text)
    except (ValueError, TypeError):
        body = {}
    if not isinstance(body, dict):
        body = {}
    code = body.get("code")
    return ErrorInfo(status=exc.status_code, code=int(code) if isinstance(code, (int, float)) else None,
                     message=str(body.get("message", text))[:300])

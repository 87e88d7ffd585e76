"""The Broker protocol: the only way the engine reaches a venue.

SimBroker (brokers/sim), AlpacaBroker (brokers/alpaca) and test fakes implement it. Every value that
crosses it is a frozen dataclass; symbols are names here (kernels use column indices, and the
stepped loop maps between the two).

Required methods                 | what it returns
-------------------------------- | ---------------------------------------------------------------
account()                        | AccountState: cash, equity and buying power now
positions()                      | {symbol: signed shares}, only non-zero
submit(orders)                   | one OrderAck per request, in order (accepted or rejected)
cancel(client_order_ids)         | None; the outcome arrives later as OrderEvents
open_orders()                    | the orders still working, as OrderEvents with their latest state
events_since(cursor)             | (events after `cursor`, new cursor): fills, cancels, expiries, rejects
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence, runtime_checkable

from parity.engine.types import OrderReason, OrderStatus, OrderType, Side, TimeInForce


@dataclass(frozen=True)
class OrderRequest:
    client_order_id: str  # deterministic; a venue must refuse a duplicate
    symbol: str
    side: Side
    qty: float  # shares, > 0
    type: OrderType
    time_in_force: TimeInForce
    limit_price: float | None = None
    stop_price: float | None = None
    decision_ts: int = 0  # ns UTC: close of the bar that produced the order
    decision_price: float = float("nan")
    reason: OrderReason = OrderReason.REBALANCE  # why the engine sent it (a venue may ignore it)


@dataclass(frozen=True)
class OrderAck:
    client_order_id: str
    accepted: bool
    broker_order_id: str | None = None
    reason: str = ""  # why a rejected order was rejected, as the venue said it


@dataclass(frozen=True)
class Fill:
    client_order_id: str
    symbol: str
    side: Side
    qty: float  # shares, > 0
    price: float
    ts: int  # ns UTC, execution time
    commission: float = 0.0
    sec_fee: float = 0.0
    taf_fee: float = 0.0
    execution_id: str = ""  # unique per fill at the venue; dedupes replays after a reconnect


@dataclass(frozen=True)
class OrderEvent:
    """A change in an order's state (including the fill that caused it, if any)."""

    client_order_id: str
    symbol: str
    status: OrderStatus
    filled_qty: float  # cumulative
    ts: int
    fill: Fill | None = None
    reason: str = ""


@dataclass(frozen=True)
class AccountState:
    cash: float
    equity: float
    # What the account may spend on new exposure with none of the engine's orders working (a cash
    # account: its cash). The risk review sizes buys within it (engine/kernels/risk.py:
    # cap_buying_power, which counts the engine's working orders itself). inf: not reported, no check.
    buying_power: float = float("inf")


@runtime_checkable
class Broker(Protocol):
    def account(self) -> AccountState: ...

    def positions(self) -> dict[str, float]: ...

    def submit(self, orders: Sequence[OrderRequest]) -> list[OrderAck]: ...

    def cancel(self, client_order_ids: Sequence[str]) -> None: ...

    def open_orders(self) -> list[OrderEvent]: ...

    def events_since(self, cursor: int) -> tuple[list[OrderEvent], int]: ...

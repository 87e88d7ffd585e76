"""The fake server's state records: orders, positions, assets, bars and the API error it raises."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pandas as pd

# Deterministic ids: the same run gives the same order, execution and asset ids.
_NAMESPACE = uuid.UUID("5d0f3c8e-2f4b-4a55-9a52-6d9a8d1c0f00")

WORKING = frozenset({"new", "partially_filled"})  # matched against bars
OPEN = frozenset(
    {"accepted", "pending_new", "new", "partially_filled", "pending_cancel", "pending_replace", "held"}
)
TERMINAL = frozenset({"filled", "canceled", "expired", "replaced", "rejected"})


def stable_uuid(kind: str, key: str | int) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{key}"))


class ApiError(Exception):
    """An HTTP error with Alpaca's body shape: {"code": <8 digits>, "message": ..., **extra}."""

    def __init__(self, status: int, code: int | None, message: str, **extra: Any) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status, self.code, self.message, self.extra = status, code, message, extra

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **self.extra}


class Bar(NamedTuple):
    """One OHLCV bar of one symbol; `ts` is the bar start (UTC), as Alpaca's `t`."""

    ts: pd.Timestamp
    open: float
    high: float
    low: float
    close: float
    volume: float


@dataclass
class Asset:
    symbol: str
    tradable: bool = True
    shortable: bool = True
    easy_to_borrow: bool = True
    fractionable: bool = True
    marginable: bool = True
    exchange: str = "NASDAQ"
    name: str = ""

    @property
    def id(self) -> str:
        return stable_uuid("asset", self.symbol)


@dataclass
class FakeOrder:
    id: str
    client_order_id: str
    symbol: str
    side: str  # "buy" | "sell"
    type: str  # market | limit | stop | stop_limit
    time_in_force: str  # day | gtc | ioc | fok
    qty: float
    limit_price: float | None
    stop_price: float | None
    extended_hours: bool
    status: str
    created_at: pd.Timestamp
    position_intent: str
    updated_at: pd.Timestamp | None = None
    filled_qty: float = 0.0
    filled_value: float = 0.0  # sum(qty * price), for the average fill price
    filled_at: pd.Timestamp | None = None
    expired_at: pd.Timestamp | None = None
    canceled_at: pd.Timestamp | None = None
    failed_at: pd.Timestamp | None = None
    replaced_at: pd.Timestamp | None = None
    replaced_by: str | None = None
    replaces: str | None = None
    stop_triggered: bool = False
    seq: int = 0  # submission order; bars match orders in this order
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def remaining(self) -> float:
        return max(self.qty - self.filled_qty, 0.0)

    @property
    def filled_avg_price(self) -> float | None:
        return self.filled_value / self.filled_qty if self.filled_qty > 0 else None

    @property
    def signed(self) -> int:
        return 1 if self.side == "buy" else -1

    @property
    def is_open(self) -> bool:
        return self.status in OPEN


@dataclass
class PositionState:
    symbol: str
    qty: float = 0.0  # signed shares
    avg_entry_price: float = 0.0

    def apply(self, signed_qty: float, price: float) -> None:
        """Weighted-average entry on adds; unchanged on reductions; the fill price on a flip."""
        old, new = self.qty, self.qty + signed_qty
        if abs(new) < 1e-12:
            self.qty, self.avg_entry_price = 0.0, 0.0
            return
        if old == 0 or (old > 0) == (signed_qty > 0):
            self.avg_entry_price = (abs(old) * self.avg_entry_price + abs(signed_qty) * price) / abs(new)
        elif (old > 0) != (new > 0):
            self.avg_entry_price = price
        self.qty = new

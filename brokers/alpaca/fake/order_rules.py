"""Server-side checks of an order request, with the real API's 422 messages.

The fake supports simple market/limit/stop/stop_limit orders by qty; anything else it refuses
with a 422 that says so, rather than pretending to handle it.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from parity.brokers.alpaca.fake.model import ApiError

TYPES = {"market", "limit", "stop", "stop_limit"}
TIFS = {"day", "gtc", "ioc", "fok"}


def _float(body: dict[str, Any], key: str) -> float | None:
    value = body.get(key)
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ApiError(422, 40010001, f"invalid {key}: {value!r}") from None


def _check_increment(name: str, price: float) -> None:
    """No sub-penny prices: >= $1 allows 2 decimals, below $1 allows 4."""
    try:
        exponent = Decimal(repr(price)).normalize().as_tuple().exponent
    except InvalidOperation:
        raise ApiError(422, 40010001, f"invalid {name}") from None
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if decimals > (2 if price >= 1 else 4):
        raise ApiError(
            422, 42210000, f"invalid {name} {price}. sub-penny increment does not fulfill minimum pricing criteria"
        )


def validate_prices(order_type: str, limit: float | None, stop: float | None) -> None:
    if order_type in ("limit", "stop_limit") and limit is None:
        raise ApiError(422, 40010001, "limit_price is required for limit orders")
    if order_type in ("stop", "stop_limit") and stop is None:
        raise ApiError(422, 40010001, "stop_price is required for stop orders")
    for name, price in (("limit_price", limit), ("stop_price", stop)):
        if price is not None:
            if price <= 0:
                raise ApiError(422, 40010001, f"{name} must be > 0")
            _check_increment(name, price)


def validate_submission(body: dict[str, Any]) -> dict[str, Any]:
    """A normalised request dict, or ApiError(422) naming the offending field."""
    if not isinstance(body, dict):
        raise ApiError(422, 40010001, "request body must be a JSON object")
    symbol = str(body.get("symbol") or "").upper()
    if not symbol:
        raise ApiError(422, 40010001, "symbol is required")
    side = body.get("side")
    if side not in ("buy", "sell"):
        raise ApiError(422, 40010001, f"invalid side: {side!r}")
    order_type = body.get("type") or body.get("order_type") or "market"
    if order_type not in TYPES:
        raise ApiError(422, 40010001, f"order type {order_type!r} is not supported by the fake server")
    tif = body.get("time_in_force")
    if tif not in TIFS:
        raise ApiError(422, 40010001, f"time_in_force {tif!r} is not supported by the fake server")
    if (body.get("order_class") or "simple") != "simple":
        raise ApiError(422, 40010001, "only simple orders are supported by the fake server")
    if body.get("notional") is not None:
        raise ApiError(422, 40010001, "notional orders are not supported by the fake server")
    qty = _float(body, "qty")
    if qty is None or qty <= 0:
        raise ApiError(422, 40010001, "qty must be > 0")
    if qty != int(qty) and not (order_type == "market" and tif == "day"):
        raise ApiError(422, 42210000, "fractional orders must be market orders with time_in_force day")
    limit, stop = _float(body, "limit_price"), _float(body, "stop_price")
    validate_prices(order_type, limit, stop)
    cid = body.get("client_order_id")
    if cid is not None and len(str(cid)) > 128:
        raise ApiError(422, 40010001, "client_order_id must be no more than 128 characters")
    extended = bool(body.get("extended_hours") or False)
    if extended and not (order_type == "limit" and tif in ("day", "gtc")):
        raise ApiError(422, 42210000, "extended hours order must be DAY or GTC limit orders")
    return {
        "symbol": symbol,
        "side": side,
        "type": order_type,
        "time_in_force": tif,
        "qty": qty,
        "limit_price": limit,
        "stop_price": stop,
        "client_order_id": str(cid) if cid else None,
        "extended_hours": extended,
    }

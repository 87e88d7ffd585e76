"""brokers/alpaca/mapping.py: engine <-> Alpaca translations, on alpaca-py's own models."""

from __future__ import annotations

import math

import pytest
from alpaca.common.exceptions import APIError
from alpaca.trading.models import Order, Position, TradeAccount, TradeUpdate

from parity.brokers.alpaca import mapping
from parity.engine.broker import OrderRequest
from parity.engine.types import OrderStatus, OrderType, Side, TimeInForce

ORDER = {"id": "61e69015-8549-4bfd-b9c3-01e75843f47d", "client_order_id": "prt-k-00000001",
         "created_at": "2024-01-02T15:00:00.123456789Z", "updated_at": "2024-01-02T15:00:01Z",
         "submitted_at": "2024-01-02T15:00:00Z", "symbol": "AAPL", "asset_class": "us_equity", "qty": "10",
         "filled_qty": "4", "filled_avg_price": "100.5", "order_class": "", "type": "market", "side": "buy",
         "time_in_force": "day", "status": "partially_filled", "extended_hours": False}


def test_requests_map_to_alpaca_types_with_penny_prices() -> None:
    req = OrderRequest("prt-k-00000002", "AAPL", Side.SELL, 3.0, OrderType.LIMIT, TimeInForce.GTC, limit_price=101.2349)
    a = mapping.to_alpaca_order(req)
    assert (a.symbol, a.qty, a.side.value, a.time_in_force.value, a.limit_price, a.client_order_id) == (
        "AAPL", 3.0, "sell", "gtc", 101.23, "prt-k-00000002")
    assert mapping.round_price(0.123456) == 0.1235  # below $1: 4 decimals
    with pytest.raises(ValueError, match="limit_price"):
        mapping.to_alpaca_order(OrderRequest("c", "AAPL", Side.BUY, 1.0, OrderType.LIMIT, TimeInForce.DAY))


@pytest.mark.parametrize("status, filled, expected", [
    ("accepted", "0", OrderStatus.NEW), ("pending_new", "0", OrderStatus.NEW), ("new", "0", OrderStatus.NEW),
    ("partially_filled", "4", OrderStatus.PARTIALLY_FILLED), ("pending_cancel", "4", OrderStatus.PARTIALLY_FILLED),
    ("filled", "10", OrderStatus.FILLED), ("canceled", "4", OrderStatus.CANCELED),
    ("expired", "0", OrderStatus.EXPIRED), ("rejected", "0", OrderStatus.REJECTED),
])
def test_every_alpaca_status_maps_to_an_engine_status(status: str, filled: str, expected: OrderStatus) -> None:
    order = Order(**{**ORDER, "status": status, "filled_qty": filled})
    assert mapping.order_status(order) == expected


def test_trade_update_fill_and_rest_gap_fill() -> None:
    order = Order(**ORDER)
    update = TradeUpdate(event="partial_fill", execution_id="a1e2b3c4-0000-4000-8000-000000000001", order=order,
                         timestamp="2024-01-02T15:00:01Z", price="100.5", qty="4", position_qty="4")
    fill = mapping.fill_from_update(update)
    assert (fill.qty, fill.price, fill.side, fill.ts) == (4.0, 100.5, Side.BUY, 1704207601 * 10**9)
    # REST shows 4 filled at avg 100.5; we knew 1 share at 100.0 -> the gap is 3 shares at
    # (4 * 100.5 - 100.0) / 3 = 100.666...
    gap = mapping.synthetic_fill(order, known_qty=1.0, known_notional=100.0)
    assert gap.qty == 3.0 and math.isclose(gap.price, 302.0 / 3)
    assert mapping.synthetic_fill(order, 4.0, 402.0) is None


def test_account_and_positions_parse_from_string_money_fields() -> None:
    acct = TradeAccount(id="61e69015-8549-4bfd-b9c3-01e75843f47d", account_number="PA1", status="ACTIVE",
                        cash="1000.5", equity="2000.25")
    assert mapping.account_state(acct).cash == 1000.5 and mapping.account_state(acct).equity == 2000.25
    pos = [Position(asset_id="61e69015-8549-4bfd-b9c3-01e75843f47d", symbol="SQQQ", exchange="NASDAQ",
                    asset_class="us_equity", avg_entry_price="10", qty="-5", side="short", cost_basis="-50")]
    assert mapping.positions_map(pos) == {"SQQQ": -5.0}


def test_error_info_survives_non_json_bodies_and_spots_duplicates() -> None:
    dup = mapping.error_info(APIError('{"code":40010001,"message":"client_order_id must be unique"}'))
    assert dup.code == 40010001 and dup.message == "client_order_id must be unique"
    odd = mapping.error_info(APIError("<html>bad gateway</html>"))
    assert odd.code is None and odd.transient  # no response -> status unknown -> treated as transient

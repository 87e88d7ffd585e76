"""The fake's REST answers parse through alpaca-py's own models AND match the official OpenAPI spec."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import requests
from alpaca.common.exceptions import APIError
from alpaca.trading.client import TradingClient
from alpaca.trading.enums import OrderSide, OrderStatus, QueryOrderStatus, TimeInForce
from alpaca.trading.requests import (
    ClosePositionRequest,
    GetAssetsRequest,
    GetCalendarRequest,
    GetOrdersRequest,
    LimitOrderRequest,
    MarketOrderRequest,
    ReplaceOrderRequest,
    StopLimitOrderRequest,
    StopOrderRequest,
)

from parity.brokers.alpaca.fake import FakeAlpaca
from parity.brokers.alpaca.fake.spec import validate
from parity.brokers.alpaca.fake.testing import trading_client

OPEN_2024_01_02 = "2024-01-02T14:30:00Z"  # Tuesday 09:30 ET, the first session of 2024


@pytest.fixture
def fake():
    with FakeAlpaca("key-1", "secret-1", cash=100_000.0, now=OPEN_2024_01_02) as server:
        yield server


@pytest.fixture
def client(fake):
    return trading_client(fake)


def raw(fake: FakeAlpaca, method: str, path: str, **kwargs) -> requests.Response:
    headers = {"APCA-API-KEY-ID": fake.api_key, "APCA-API-SECRET-KEY": fake.secret_key}
    return requests.request(method, fake.base_url + path, headers=headers, timeout=10, **kwargs)


def market(symbol: str, qty: float, side: OrderSide, cid: str, tif: TimeInForce = TimeInForce.DAY) -> MarketOrderRequest:
    return MarketOrderRequest(symbol=symbol, qty=qty, side=side, time_in_force=tif, client_order_id=cid)


def test_account_parses_and_matches_spec(fake, client):
    account = client.get_account()
    assert account.cash == "100000" and account.equity == "100000"
    assert account.account_number.startswith("PA") and account.status.value == "ACTIVE"
    # multiplier 2 and no positions: buying power = 2 * 100000 equity
    assert float(account.buying_power) == 200_000.0
    validate(raw(fake, "GET", "/v2/account").json(), "Account")


def test_wrong_keys_get_401(fake):
    bad = TradingClient("key-1", "wrong-secret", url_override=fake.base_url)
    with pytest.raises(APIError) as err:
        bad.get_account()
    assert err.value.status_code == 401 and err.value.code == 40110000


def test_clock_open_closed_and_next_times(fake, client):
    clock = client.get_clock()
    assert clock.is_open
    assert clock.next_close == dt.datetime(2024, 1, 2, 16, 0, tzinfo=clock.next_close.tzinfo)
    assert clock.next_close.utcoffset() == dt.timedelta(hours=-5)  # EST in January
    fake.set_time("2024-01-02T21:00:00Z")  # 16:00 ET: closed, next open is Wednesday
    clock = client.get_clock()
    assert not clock.is_open
    assert clock.next_open.isoformat() == "2024-01-03T09:30:00-05:00"
    validate(raw(fake, "GET", "/v2/clock").json(), "legacy_clock")


def test_clock_on_friday_evening_points_to_monday(fake, client):
    fake.set_time("2024-07-05T22:00:00Z")  # Friday 18:00 EDT
    clock = client.get_clock()
    assert not clock.is_open
    assert clock.next_open.isoformat() == "2024-07-08T09:30:00-04:00"
    assert clock.next_close.isoformat() == "2024-07-08T16:00:00-04:00"


def test_calendar_holidays_and_early_close(fake, client):
    days = client.get_calendar(GetCalendarRequest(start=dt.date(2024, 7, 1), end=dt.date(2024, 7, 8)))
    dates = [d.date for d in days]
    # July 4th is a holiday; July 3rd closes at 13:00; the weekend is absent
    assert dates == [dt.date(2024, 7, 1), dt.date(2024, 7, 2), dt.date(2024, 7, 3), dt.date(2024, 7, 5), dt.date(2024, 7, 8)]
    assert days[2].close == dt.datetime(2024, 7, 3, 13, 0) and days[0].close == dt.datetime(2024, 7, 1, 16, 0)
    body = raw(fake, "GET", "/v2/calendar", params={"start": "2024-07-01", "end": "2024-07-08"}).json()
    assert body[0]["settlement_date"] == "2024-07-02"
    validate(body, "legacy_calendar_day", array=True)


def test_asset_known_and_unknown(fake, client):
    asset = client.get_asset("AAPL")
    assert asset.symbol == "AAPL" and asset.tradable and asset.fractionable
    validate(raw(fake, "GET", "/v2/assets/AAPL").json(), "Assets")
    with pytest.raises(APIError) as err:
        client.get_asset("not-a-ticker")
    assert err.value.status_code == 404


@pytest.mark.parametrize(
    "request_",
    [
        MarketOrderRequest(symbol="AAPL", qty=3, side=OrderSide.BUY, time_in_force=TimeInForce.DAY, client_order_id="m1"),
        LimitOrderRequest(symbol="AAPL", qty=2, side=OrderSide.BUY, time_in_force=TimeInForce.GTC, limit_price=150.12, client_order_id="l1"),
        StopOrderRequest(symbol="AAPL", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.DAY, stop_price=200.0, client_order_id="s1"),
        StopLimitOrderRequest(symbol="AAPL", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.IOC, stop_price=200.0,
                              limit_price=201.0, client_order_id="sl1"),
    ],
    ids=["market", "limit", "stop", "stop_limit"],
)
def test_submit_each_type_round_trips(fake, client, request_):
    order = client.submit_order(request_)
    assert order.client_order_id == request_.client_order_id
    assert order.status == OrderStatus.PENDING_NEW  # market open: routed, `new` follows on the stream
    assert order.type == request_.type and order.qty == str(int(request_.qty))
    assert client.get_order_by_id(order.id).status == OrderStatus.NEW
    assert client.get_order_by_client_id(request_.client_order_id).id == order.id
    validate(raw(fake, "GET", f"/v2/orders/{order.id}").json(), "Order")


def test_orders_submitted_while_closed_are_accepted_until_the_open(fake, client):
    fake.set_time("2024-01-02T21:30:00Z")  # after the close
    order = client.submit_order(market("AAPL", 1, OrderSide.BUY, "night-1"))
    assert order.status == OrderStatus.ACCEPTED
    fake.set_time("2024-01-03T14:30:00Z")  # Wednesday open
    assert client.get_order_by_id(order.id).status == OrderStatus.NEW


def test_duplicate_client_order_id_is_422_even_after_cancel(fake, client):
    first = client.submit_order(market("AAPL", 1, OrderSide.BUY, "dup"))
    client.cancel_order_by_id(first.id)
    with pytest.raises(APIError) as err:
        client.submit_order(market("MSFT", 5, OrderSide.BUY, "dup"))
    assert err.value.status_code == 422
    assert err.value.code == 40010001 and err.value.message == "client_order_id must be unique"


def test_sub_penny_limit_is_rejected(client):
    with pytest.raises(APIError) as err:
        client.submit_order(LimitOrderRequest(symbol="AAPL", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.DAY,
                                              limit_price=290.123, client_order_id="sp"))
    assert err.value.status_code == 422 and err.value.code == 42210000
    assert "sub-penny" in err.value.message


def test_list_orders_filters(fake, client):
    for i, symbol in enumerate(["AAPL", "MSFT", "AAPL"]):
        fake.set_time(f"2024-01-02T15:0{i}:00Z")
        client.submit_order(market(symbol, 1, OrderSide.BUY, f"o{i}"))
    fake.feed_bar("2024-01-02T15:05:00Z", {"MSFT": (370.0, 371.0, 369.0, 370.5, 1000)})  # fills o1 only
    cids = lambda orders: [o.client_order_id for o in orders]  # noqa: E731
    assert cids(client.get_orders()) == ["o2", "o0"]  # default: open, newest first
    assert cids(client.get_orders(GetOrdersRequest(status=QueryOrderStatus.CLOSED))) == ["o1"]
    everything = GetOrdersRequest(status=QueryOrderStatus.ALL, direction="asc", nested=True)
    assert cids(client.get_orders(everything)) == ["o0", "o1", "o2"]
    assert cids(client.get_orders(GetOrdersRequest(status=QueryOrderStatus.ALL, limit=1))) == ["o2"]
    assert cids(client.get_orders(GetOrdersRequest(status=QueryOrderStatus.ALL, symbols=["AAPL"]))) == ["o2", "o0"]
    # after/until are exclusive: only o1 was submitted strictly between 15:00 and 15:02
    window = GetOrdersRequest(status=QueryOrderStatus.ALL, after=dt.datetime(2024, 1, 2, 15, 0), until=dt.datetime(2024, 1, 2, 15, 2))
    assert cids(client.get_orders(window)) == ["o1"]
    validate(raw(fake, "GET", "/v2/orders", params={"status": "all"}).json(), "Order", array=True)


def test_unknown_order_is_404(client):
    with pytest.raises(APIError) as err:
        client.get_order_by_id(uuid.uuid4())
    assert err.value.status_code == 404 and err.value.code == 40410000
    with pytest.raises(APIError) as err:
        client.get_order_by_client_id("never-sent")
    assert err.value.status_code == 404


def test_replace_creates_a_new_order_and_retires_the_old(fake, client):
    old = client.submit_order(LimitOrderRequest(symbol="AAPL", qty=5, side=OrderSide.BUY, time_in_force=TimeInForce.DAY,
                                                limit_price=100.0, client_order_id="r0"))
    new = client.replace_order_by_id(old.id, ReplaceOrderRequest(qty=3, limit_price=101.5, client_order_id="r1"))
    assert new.replaces == old.id and new.client_order_id == "r1"
    assert new.qty == "3" and new.limit_price == "101.5"
    retired = client.get_order_by_id(old.id)
    assert retired.status == OrderStatus.REPLACED and retired.replaced_by == new.id
    with pytest.raises(APIError) as err:  # a replaced order cannot be replaced again
        client.replace_order_by_id(old.id, ReplaceOrderRequest(qty=1))
    assert err.value.status_code == 422


def test_cancel_is_204_then_422(fake, client):
    order = client.submit_order(market("AAPL", 1, OrderSide.BUY, "c0"))
    assert client.cancel_order_by_id(order.id) is None  # 204, empty body
    assert client.get_order_by_id(order.id).status == OrderStatus.CANCELED
    with pytest.raises(APIError) as err:
        client.cancel_order_by_id(order.id)
    assert err.value.status_code == 422


def test_cancel_all_is_207_per_order(fake, client):
    ids = {client.submit_order(market(s, 1, OrderSide.BUY, f"ca-{s}")).id for s in ("AAPL", "MSFT")}
    responses = client.cancel_orders()
    assert {r.id for r in responses} == ids and {r.status for r in responses} == {200}
    response = raw(fake, "DELETE", "/v2/orders")
    assert response.status_code == 207 and response.json() == []  # nothing left open


def test_positions_after_fills_and_close(fake, client):
    client.submit_order(market("AAPL", 10, OrderSide.BUY, "p0"))
    fake.feed_bar("2024-01-02T14:30:00Z", {"AAPL": (100.0, 103.0, 99.0, 102.0, 5000)})
    position = client.get_open_position("AAPL")
    # bought 10 at the open 100; marked at the close 102
    assert position.qty == "10" and position.avg_entry_price == "100" and position.side.value == "long"
    assert position.cost_basis == "1000" and position.market_value == "1020" and position.unrealized_pl == "20"
    assert [p.symbol for p in client.get_all_positions()] == ["AAPL"]
    validate(raw(fake, "GET", "/v2/positions").json(), "Position", array=True)
    closing = client.close_position("AAPL", ClosePositionRequest(percentage="50"))
    assert closing.side == OrderSide.SELL and closing.qty == "5"
    with pytest.raises(APIError) as err:
        client.get_open_position("MSFT")
    assert err.value.status_code == 404 and err.value.code == 40410000


def test_close_all_positions_is_207(fake, client):
    client.submit_order(market("AAPL", 2, OrderSide.BUY, "a"))
    client.submit_order(market("MSFT", 3, OrderSide.BUY, "b"))
    fake.feed_bar("2024-01-02T14:30:00Z", {"AAPL": (100.0, 101.0, 99.0, 100.0, 10), "MSFT": (50.0, 51.0, 49.0, 50.0, 10)})
    results = client.close_all_positions(cancel_orders=True)
    assert [(r.symbol, r.status) for r in results] == [("AAPL", 200), ("MSFT", 200)]
    assert [r.body.qty for r in results] == ["2", "3"]
    fake.feed_bar("2024-01-02T14:35:00Z", {"AAPL": (100.0, 101.0, 99.0, 100.0, 10), "MSFT": (50.0, 51.0, 49.0, 50.0, 10)})
    assert client.get_all_positions() == []
    # bought 2*100 + 3*50 = 350 and sold at the same prices: cash back to 100000
    assert float(client.get_account().cash) == 100_000.0


def test_order_for_an_unknown_symbol_is_422(client):
    with pytest.raises(APIError) as err:
        client.submit_order(market("NOT-A-TICKER", 1, OrderSide.BUY, "unknown"))
    assert err.value.status_code == 422 and err.value.message == 'asset "NOT-A-TICKER" not found'


def test_list_assets_shows_known_ones_with_status_filter(fake, client):
    fake.set_asset("OLD", tradable=False)
    client.get_asset("MSFT")
    assert [a.symbol for a in client.get_all_assets()] == ["MSFT", "OLD"]
    assert [a.symbol for a in client.get_all_assets(GetAssetsRequest(status="active"))] == ["MSFT"]
    validate(raw(fake, "GET", "/v2/assets").json(), "Assets", array=True)


def test_error_and_multi_status_bodies_match_the_spec(fake, client):
    client.submit_order(market("AAPL", 2, OrderSide.BUY, "e1"))
    duplicate = raw(fake, "POST", "/v2/orders", json={"symbol": "AAPL", "qty": 1.0, "side": "buy", "type": "market",
                                                      "time_in_force": "day", "client_order_id": "e1"})
    assert duplicate.status_code == 422
    validate(duplicate.json(), "Error")
    canceled = raw(fake, "DELETE", "/v2/orders")
    assert canceled.status_code == 207 and len(canceled.json()) == 1
    validate(canceled.json(), "CanceledOrderResponse", array=True)
    client.submit_order(market("AAPL", 2, OrderSide.BUY, "e2"))
    fake.feed_bar("2024-01-02T14:30:00Z", {"AAPL": (100.0, 101.0, 99.0, 100.0, 10)})
    closed = raw(fake, "DELETE", "/v2/positions", params={"cancel_orders": "True"})
    assert closed.status_code == 207
    validate(closed.json(), "PositionClosedReponse", array=True)  # [sic] the spec's spelling

"""Fills driven by the bar feed: the default model, injected prices, cash/position arithmetic, expiry."""

from __future__ import annotations

import pytest
from alpaca.common.exceptions import APIError
from alpaca.trading.enums import OrderSide, OrderStatus, TimeInForce
from alpaca.trading.requests import (
    LimitOrderRequest,
    MarketOrderRequest,
    ReplaceOrderRequest,
    StopLimitOrderRequest,
    StopOrderRequest,
)

from parity.brokers.alpaca.fake import FakeAlpaca
from parity.brokers.alpaca.fake.testing import trading_client

OPEN = "2024-01-02T14:30:00Z"
BAR1 = "2024-01-02T14:30:00Z"
BAR2 = "2024-01-02T14:35:00Z"
BAR3 = "2024-01-02T14:40:00Z"


@pytest.fixture
def fake():
    with FakeAlpaca("k", "s", cash=10_000.0, now=OPEN, bar_timeframe="5Min") as server:
        yield server


@pytest.fixture
def client(fake):
    return trading_client(fake)


def buy(qty, cid, tif=TimeInForce.DAY):
    return MarketOrderRequest(symbol="AAPL", qty=qty, side=OrderSide.BUY, time_in_force=tif, client_order_id=cid)


def sell(qty, cid, tif=TimeInForce.DAY):
    return MarketOrderRequest(symbol="AAPL", qty=qty, side=OrderSide.SELL, time_in_force=tif, client_order_id=cid)


def limit(side, qty, price, cid, tif=TimeInForce.GTC):
    return LimitOrderRequest(symbol="AAPL", qty=qty, side=side, time_in_force=tif, limit_price=price, client_order_id=cid)


def test_market_buy_fills_at_the_open_and_moves_cash(fake, client):
    client.submit_order(buy(10, "b1"))
    fake.feed_bar(BAR1, {"AAPL": (100.0, 101.0, 99.0, 100.5, 1000)})
    order = client.get_order_by_client_id("b1")
    assert order.status == OrderStatus.FILLED and order.filled_qty == "10" and order.filled_avg_price == "100"
    # cash 10000 - 10 * 100 = 9000; equity = 9000 + 10 * 100.5 (close) = 10005
    account = client.get_account()
    assert account.cash == "9000" and account.equity == "10005" and account.long_market_value == "1005"


def test_order_sent_after_a_bar_fills_on_the_next_bar_only(fake, client):
    fake.feed_bar(BAR1, {"AAPL": (100.0, 101.0, 99.0, 100.5, 1000)})
    client.submit_order(buy(1, "late"))
    assert client.get_order_by_client_id("late").status == OrderStatus.NEW
    fake.feed_bar(BAR2, {"AAPL": (102.0, 103.0, 101.0, 102.5, 1000)})
    assert client.get_order_by_client_id("late").filled_avg_price == "102"


def test_limit_orders_fill_only_when_marketable(fake, client):
    client.submit_order(limit(OrderSide.BUY, 5, 99.5, "lb"))
    client.submit_order(limit(OrderSide.BUY, 5, 95.0, "far"))
    fake.feed_bar(BAR1, {"AAPL": (100.0, 101.0, 99.0, 100.5, 1000)})
    # open 100 > 99.5 but the low 99 trades through: fills at the limit; 95 is never reached
    assert client.get_order_by_client_id("lb").filled_avg_price == "99.5"
    assert client.get_order_by_client_id("far").status == OrderStatus.NEW
    client.submit_order(limit(OrderSide.SELL, 5, 98.0, "ls"))
    fake.feed_bar(BAR2, {"AAPL": (98.5, 99.0, 97.0, 98.0, 1000)})
    # a sell limit at 98 below the open 98.5 fills at the better open
    assert client.get_order_by_client_id("ls").filled_avg_price == "98.5"


def test_stop_and_stop_limit(fake, client):
    client.submit_order(StopOrderRequest(symbol="AAPL", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.GTC,
                                         stop_price=102.0, client_order_id="stop"))
    client.submit_order(StopLimitOrderRequest(symbol="AAPL", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.GTC,
                                              stop_price=102.0, limit_price=102.5, client_order_id="sl"))
    fake.feed_bar(BAR1, {"AAPL": (100.0, 101.0, 99.0, 100.5, 1000)})  # high 101 < stop: nothing
    assert client.get_order_by_client_id("stop").status == OrderStatus.NEW
    fake.feed_bar(BAR2, {"AAPL": (101.0, 103.0, 100.0, 102.0, 1000)})  # high 103 crosses 102: both at 102
    assert client.get_order_by_client_id("stop").filled_avg_price == "102"
    assert client.get_order_by_client_id("sl").filled_avg_price == "102"


def test_ioc_remainder_is_canceled_after_its_bar(fake, client):
    client.submit_order(limit(OrderSide.BUY, 5, 90.0, "ioc", tif=TimeInForce.IOC))
    fake.feed_bar(BAR1, {"AAPL": (100.0, 101.0, 99.0, 100.5, 1000)})
    assert client.get_order_by_client_id("ioc").status == OrderStatus.CANCELED


def test_day_orders_expire_at_end_session_and_gtc_survive(fake, client):
    client.submit_order(limit(OrderSide.BUY, 1, 90.0, "day", tif=TimeInForce.DAY))
    client.submit_order(limit(OrderSide.BUY, 1, 90.0, "gtc", tif=TimeInForce.GTC))
    fake.set_time("2024-01-02T21:00:00Z")
    expired = fake.end_session()
    assert [o["client_order_id"] for o in expired] == ["day"]
    assert client.get_order_by_client_id("day").status == OrderStatus.EXPIRED
    assert client.get_order_by_client_id("gtc").status == OrderStatus.NEW


def test_injected_fill_price_function(fake, client):
    seen = []

    def at_the_close(order, bar):
        seen.append((order.client_order_id, bar.open))
        return bar.close, order.remaining

    fake.fill_price_fn = at_the_close
    client.submit_order(buy(4, "inj"))
    fake.feed_bar(BAR1, {"AAPL": (100.0, 101.0, 99.0, 100.25, 1000)})
    assert seen == [("inj", 100.0)]
    assert client.get_order_by_client_id("inj").filled_avg_price == "100.25"
    assert fake.cash == pytest.approx(10_000.0 - 4 * 100.25)  # 9599


def test_explicit_fill_and_partial_then_rest(fake, client):
    client.submit_order(buy(10, "x"))
    fake.fill("x", price=50.0, qty=4)
    order = client.get_order_by_client_id("x")
    assert order.status == OrderStatus.PARTIALLY_FILLED and order.filled_qty == "4"
    fake.fill("x", price=53.0)
    order = client.get_order_by_client_id("x")
    # average (4 * 50 + 6 * 53) / 10 = (200 + 318) / 10 = 51.8
    assert order.status == OrderStatus.FILLED and order.filled_avg_price == "51.8"
    assert client.get_open_position("AAPL").avg_entry_price == "51.8"
    assert fake.cash == pytest.approx(10_000.0 - 518.0)


def test_planned_partial_fill_leaves_the_rest_working(fake, client):
    fake.faults.partial_fills(fraction=0.3)
    client.submit_order(buy(10, "pf"))
    fake.feed_bar(BAR1, {"AAPL": (100.0, 101.0, 99.0, 100.0, 1000)})
    order = client.get_order_by_client_id("pf")
    assert order.status == OrderStatus.PARTIALLY_FILLED and order.filled_qty == "3"  # int(10 * 0.3)
    fake.feed_bar(BAR2, {"AAPL": (101.0, 102.0, 100.0, 101.0, 1000)})
    order = client.get_order_by_client_id("pf")
    # 3 at 100 and 7 at 101: average (300 + 707) / 10 = 100.7
    assert order.status == OrderStatus.FILLED and order.filled_avg_price == "100.7"


def test_round_trip_and_short_arithmetic(fake, client):
    client.submit_order(buy(10, "long"))
    fake.feed_bar(BAR1, {"AAPL": (100.0, 101.0, 99.0, 100.0, 1000)})
    client.submit_order(sell(10, "flat"))
    fake.feed_bar(BAR2, {"AAPL": (105.0, 106.0, 104.0, 105.0, 1000)})
    assert fake.positions == {}
    # bought 10 @ 100, sold 10 @ 105: cash 10000 + 50 = 10050
    assert fake.cash == pytest.approx(10_050.0)
    client.submit_order(sell(4, "short"))
    fake.feed_bar(BAR3, {"AAPL": (110.0, 111.0, 109.0, 112.0, 1000)})
    position = client.get_open_position("AAPL")
    assert position.qty == "-4" and position.side.value == "short" and position.avg_entry_price == "110"
    # short proceeds add to cash: 10050 + 440 = 10490; short value -4 * 112 = -448; equity 10042
    account = client.get_account()
    assert account.cash == "10490" and account.short_market_value == "-448" and account.equity == "10042"
    assert position.unrealized_pl == "-8"  # (112 - 110) * -4


def test_selling_more_than_the_long_position_is_403(fake, client):
    client.submit_order(buy(5, "own5"))
    fake.feed_bar(BAR1, {"AAPL": (100.0, 101.0, 99.0, 100.0, 1000)})
    client.submit_order(limit(OrderSide.SELL, 3, 150.0, "hold3"))  # holds 3 of the 5
    with pytest.raises(APIError) as err:
        client.submit_order(sell(3, "too-many"))
    body = err.value
    assert body.status_code == 403 and body.code == 40310000
    assert body.message == "insufficient qty available for order (requested: 3, available: 2)"


def test_buying_power_is_enforced(fake, client):
    fake.feed_bar(BAR1, {"AAPL": (100.0, 101.0, 99.0, 100.0, 1000)})
    # equity 10000, multiplier 2: 20000 of buying power; 201 * 100 = 20100 is too much
    with pytest.raises(APIError) as err:
        client.submit_order(buy(201, "big"))
    assert err.value.status_code == 403 and err.value.code == 40310000 and err.value.message == "insufficient buying power"
    client.submit_order(buy(150, "ok"))  # 15000 fits and reserves it
    with pytest.raises(APIError):
        client.submit_order(buy(51, "over"))  # 5100 > 20000 - 15000


def test_unshortable_asset_is_refused(fake, client):
    fake.set_asset("GME", shortable=False, easy_to_borrow=False)
    with pytest.raises(APIError) as err:
        client.submit_order(MarketOrderRequest(symbol="GME", qty=1, side=OrderSide.SELL, time_in_force=TimeInForce.DAY,
                                               client_order_id="short-gme"))
    assert err.value.status_code == 422 and 'cannot be sold short' in err.value.message


def test_replaced_order_keeps_matching_with_new_terms(fake, client):
    old = client.submit_order(limit(OrderSide.BUY, 5, 95.0, "r0"))
    new = client.replace_order_by_id(old.id, ReplaceOrderRequest(limit_price=99.5, client_order_id="r1"))
    fake.feed_bar(BAR1, {"AAPL": (100.0, 101.0, 99.0, 100.0, 1000)})
    assert client.get_order_by_id(new.id).filled_avg_price == "99.5"
    assert client.get_order_by_id(old.id).status == OrderStatus.REPLACED
    assert fake.positions == {"AAPL": 5.0}


def test_async_cancel_can_lose_the_race_to_a_fill(fake, client):
    fake.async_cancels = True
    racing = client.submit_order(buy(2, "race"))
    resting = client.submit_order(limit(OrderSide.BUY, 2, 50.0, "rest"))
    client.cancel_order_by_id(racing.id)
    client.cancel_order_by_id(resting.id)
    assert client.get_order_by_id(racing.id).status == OrderStatus.PENDING_CANCEL
    fake.feed_bar(BAR1, {"AAPL": (100.0, 101.0, 99.0, 100.0, 1000)})
    # the market order fills at the open before the cancel lands; the far limit is canceled
    assert client.get_order_by_id(racing.id).status == OrderStatus.FILLED
    assert client.get_order_by_id(resting.id).status == OrderStatus.CANCELED
    events = [(m["data"]["event"], m["data"]["order"]["client_order_id"]) for m in fake.events]
    assert events[-5:] == [("pending_cancel", "race"), ("pending_cancel", "rest"), ("order_cancel_rejected", "race"),
                           ("fill", "race"), ("canceled", "rest")]


def test_venue_rejection_after_the_ack(fake, client):
    client.submit_order(buy(1, "rj"))
    fake.reject("rj", reason="halted")
    order = client.get_order_by_client_id("rj")
    assert order.status == OrderStatus.REJECTED and order.failed_at is not None
    assert fake.events[-1]["data"]["event"] == "rejected"
    fake.feed_bar(BAR1, {"AAPL": (100.0, 101.0, 99.0, 100.0, 1000)})
    assert fake.positions == {}


def test_replace_does_not_count_the_old_orders_reservation(fake, client):
    fake.feed_bar(BAR1, {"AAPL": (100.0, 101.0, 99.0, 100.0, 1000)})
    # 20000 of buying power; the limit reserves 190 * 100 = 19000
    old = client.submit_order(limit(OrderSide.BUY, 190, 100.0, "big-limit"))
    # replacing with 195 * 100 = 19500 fits once the old 19000 is released
    new = client.replace_order_by_id(old.id, ReplaceOrderRequest(qty=195, client_order_id="big-limit-2"))
    assert new.qty == "195"

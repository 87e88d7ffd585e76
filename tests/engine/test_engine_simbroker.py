"""SimBroker behind the Broker protocol: acks, rejections, fills as events, cancels, cursors."""

from __future__ import annotations

import numpy as np
import pytest

from parity.brokers.sim.broker import SimBroker
from parity.engine.broker import Broker, OrderRequest
from parity.engine.types import OrderStatus, OrderType, Side, TimeInForce

from test_engine_backtest import CFG, hand_bars


def _request(cid: str, side=Side.BUY, qty=100.0, symbol="AAA", type_=OrderType.MARKET, limit=None):
    return OrderRequest(client_order_id=cid, symbol=symbol, side=side, qty=qty, type=type_,
                        time_in_force=TimeInForce.GTC, limit_price=limit, decision_price=10.5)


@pytest.fixture
def broker():
    return SimBroker(hand_bars([10, 11, 12], [10.5, 11.5, 12.5]), CFG)


def test_it_is_a_broker(broker):
    assert isinstance(broker, Broker)


def test_orders_before_the_first_bar_and_malformed_ones_are_rejected(broker):
    assert not broker.submit([_request("a")])[0].accepted
    broker.on_bar(0)
    acks = broker.submit([_request("b"), _request("b"), _request("c", symbol="ZZZ"), _request("d", qty=0.0)])
    assert [a.accepted for a in acks] == [True, False, False, False]
    assert "duplicate" in acks[1].reason and "unknown symbol" in acks[2].reason and "qty" in acks[3].reason
    assert acks[0].broker_order_id == "1"


def test_a_market_order_fills_at_the_next_open_and_is_reported_once(broker):
    broker.on_bar(0)
    broker.submit([_request("b", qty=100.0)])
    assert [e.client_order_id for e in broker.open_orders()] == ["b"]
    assert broker.events_since(0) == ([], 0)
    broker.on_bar(1)
    events, cursor = broker.events_since(0)
    assert cursor == 1 and events[0].status == OrderStatus.FILLED and events[0].filled_qty == 100.0
    fill = events[0].fill
    # 11 * (1 + 10 bps) = 11.011; commission 100 * 0.01 = 1.00
    assert (fill.side, fill.qty, fill.commission) == (Side.BUY, 100.0, 1.0)
    assert fill.price == pytest.approx(11.011, rel=1e-15)
    assert broker.events_since(cursor) == ([], 1)
    assert broker.positions() == {"AAA": 100.0} and broker.open_orders() == []
    # cash 100,000 - 1,101.1 - 1 = 98,897.9; equity + 100 * 11.5
    acct = broker.account()
    assert acct.cash == pytest.approx(98_897.9, rel=1e-15) and acct.equity == pytest.approx(98_897.9 + 1_150)


def test_cancel_removes_a_working_order_and_reports_it(broker):
    broker.on_bar(0)
    broker.submit([_request("lim", type_=OrderType.LIMIT, limit=1.0), _request("other", type_=OrderType.LIMIT,
                                                                             limit=2.0)])
    broker.cancel(["lim", "unknown-id"])
    events, _ = broker.events_since(0)
    assert [(e.client_order_id, e.status) for e in events] == [("lim", OrderStatus.CANCELED)]
    assert [e.client_order_id for e in broker.open_orders()] == ["other"]
    broker.on_bar(1)  # the cancelled order never trades
    assert broker.order_records()["status"].tolist() == [OrderStatus.CANCELED, OrderStatus.NEW]


def test_bars_must_be_stepped_in_order(broker):
    with pytest.raises(ValueError, match="the next bar is 0"):
        broker.on_bar(1)

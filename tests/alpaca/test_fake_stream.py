"""The trade_updates websocket: alpaca-py's TradingStream authenticates, listens and parses events."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from alpaca.trading.enums import OrderSide, TimeInForce
from alpaca.trading.requests import LimitOrderRequest, MarketOrderRequest, ReplaceOrderRequest
from websockets.sync.client import connect

from parity.brokers.alpaca.fake import FakeAlpaca
from parity.brokers.alpaca.fake.spec import validate
from parity.brokers.alpaca.fake.testing import StreamCollector, trading_client

OPEN = "2024-01-02T14:30:00Z"


@pytest.fixture
def fake():
    with FakeAlpaca("k", "s", cash=100_000.0, now=OPEN) as server:
        yield server


def market(qty, cid, side=OrderSide.BUY):
    return MarketOrderRequest(symbol="AAPL", qty=qty, side=side, time_in_force=TimeInForce.DAY, client_order_id=cid)


def test_trading_stream_receives_new_and_fill(fake):
    client = trading_client(fake)
    with StreamCollector(fake) as stream:
        client.submit_order(market(10, "s1"))
        stream.wait_for(lambda u: u.event == "new")
        fake.feed_bar("2024-01-02T14:30:00Z", {"AAPL": (100.0, 101.0, 99.0, 100.5, 1000)})
        (fill,) = stream.wait_for(lambda u: u.event == "fill")
    assert stream.events() == [("new", "s1"), ("fill", "s1")]
    assert (fill.price, fill.qty, fill.position_qty) == (100.0, 10.0, 10.0)
    assert isinstance(fill.execution_id, uuid.UUID)
    assert fill.order.status.value == "filled" and fill.order.filled_avg_price == "100"
    assert fill.timestamp.isoformat() == "2024-01-02T14:30:00+00:00"


def test_partial_fill_cancel_replace_expire_events(fake):
    client = trading_client(fake)
    fake.faults.partial_fills(fraction=0.5)
    with StreamCollector(fake) as stream:
        client.submit_order(market(4, "p"))
        working = client.submit_order(LimitOrderRequest(symbol="AAPL", qty=1, side=OrderSide.BUY,
                                                        time_in_force=TimeInForce.DAY, limit_price=50.0, client_order_id="w"))
        fake.feed_bar("2024-01-02T14:30:00Z", {"AAPL": (100.0, 101.0, 99.0, 100.0, 1000)})
        stream.wait_for(lambda u: u.event == "partial_fill")
        client.replace_order_by_id(working.id, ReplaceOrderRequest(limit_price=51.0, client_order_id="w2"))
        client.cancel_order_by_id(client.get_order_by_client_id("p").id)
        fake.set_time("2024-01-02T21:00:00Z")
        fake.end_session()
        stream.wait_for(lambda u: u.event == "expired")
    assert stream.events() == [
        ("new", "p"), ("new", "w"), ("partial_fill", "p"),
        ("replaced", "w"), ("new", "w2"), ("canceled", "p"), ("expired", "w2"),
    ]
    partial = stream.updates[2]
    assert (partial.qty, partial.position_qty) == (2.0, 2.0)  # half of 4
    for message in fake.events:  # every order snapshot on the stream is a valid spec Order
        validate(message["data"]["order"], "Order")


def test_wrong_keys_are_unauthorized_and_never_listen(fake):
    stream = StreamCollector(fake, secret="wrong").start(wait_listening=False)
    try:
        deadline = time.monotonic() + 5
        while fake.stream_connections == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert fake.stream_connections >= 1
        time.sleep(0.2)  # the client has had its authorization answer by now
        assert fake.stream_listeners == 0
    finally:
        stream.stop()


def test_frames_are_binary_json_and_listen_needs_auth(fake):
    with connect(fake.stream_url) as ws:
        ws.send(json.dumps({"action": "listen", "data": {"streams": ["trade_updates"]}}))
        refused = ws.recv(timeout=5)
        assert isinstance(refused, bytes) and "error" in json.loads(refused)["data"]
        ws.send(json.dumps({"action": "authenticate", "data": {"key_id": "k", "secret_key": "s"}}))
        assert json.loads(ws.recv(timeout=5)) == {"stream": "authorization", "data": {"status": "authorized", "action": "authenticate"}}
        ws.send(json.dumps({"action": "listen", "data": {"streams": ["trade_updates"]}}))
        assert json.loads(ws.recv(timeout=5)) == {"stream": "listening", "data": {"streams": ["trade_updates"]}}
        fake.wait_for_listeners(1)
        trading_client(fake).submit_order(market(1, "raw"))
        frame = ws.recv(timeout=5)
        assert isinstance(frame, bytes)  # real paper sends BINARY frames
        message = json.loads(frame)
        assert message["stream"] == "trade_updates" and message["data"]["event"] == "new"


def test_dropped_stream_loses_events_then_reconnects(fake):
    client = trading_client(fake)
    # a first reconnect delay of 0.15-0.3 s leaves time to publish the event that must be lost
    with StreamCollector(fake, min_backoff=0.3) as stream:
        client.submit_order(market(1, "before"))
        stream.wait_for(lambda u: u.order.client_order_id == "before")
        fake.drop_streams()
        client.submit_order(market(1, "during"))  # published while nobody listens: lost, as in reality
        fake.wait_for_listeners(1, timeout=15)  # alpaca-py reconnects after its backoff
        client.submit_order(market(1, "after"))
        stream.wait_for(lambda u: u.order.client_order_id == "after")
    assert [cid for _, cid in stream.events()] == ["before", "after"]
    assert fake.stream_connections >= 2
    # the lost event is still in the server's log and the order is visible over REST
    assert [m["data"]["order"]["client_order_id"] for m in fake.events] == ["before", "during", "after"]
    assert client.get_order_by_client_id("during").status.value == "new"


def test_refused_connections_are_retried_until_accepted(fake):
    fake.faults.fail("/stream", 429, count=2)  # e.g. a stale socket still holds the account's one slot
    with StreamCollector(fake) as stream:
        trading_client(fake).submit_order(market(1, "after-refusals"))
        stream.wait_for(lambda u: u.order.client_order_id == "after-refusals")
    assert sum(1 for r in fake.requests if r.path == "/stream") >= 3


def test_second_stream_is_refused_when_one_connection_is_enforced():
    with FakeAlpaca("k", "s", now=OPEN, single_stream_connection=True) as fake:
        with StreamCollector(fake):
            with pytest.raises(Exception) as err:
                connect(fake.stream_url, open_timeout=5)
            assert "429" in str(err.value)
            assert fake.stream_connections == 1


def test_stream_cut_in_the_middle_of_a_bars_fills(fake):
    client = trading_client(fake)
    with StreamCollector(fake, min_backoff=0.3) as stream:
        for i in range(4):
            client.submit_order(market(1, f"m{i}"))
        stream.wait_for(lambda u: u.event == "new", count=4)
        connections = fake.stream_connections
        fake.drop_streams(after_events=2)
        fake.feed_bar("2024-01-02T14:30:00Z", {"AAPL": (100.0, 101.0, 99.0, 100.0, 1000)})  # four fills
        fake.wait_for_listeners(1, timeout=15, min_connections=connections + 1)  # the client came back
        client.submit_order(market(1, "later"))
        stream.wait_for(lambda u: u.order.client_order_id == "later")
    fills = [cid for event, cid in stream.events() if event == "fill"]
    assert fills == ["m0", "m1"]  # two delivered, m2 and m3 lost with the connection
    assert [m["data"]["event"] for m in fake.events].count("fill") == 4

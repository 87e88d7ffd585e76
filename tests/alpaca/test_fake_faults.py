"""Injected faults produce what alpaca-py sees from the real service (retries, errors, lost acks)."""

from __future__ import annotations

import time

import pytest
import requests
from alpaca.common.exceptions import APIError
from alpaca.trading.enums import OrderSide, TimeInForce
from alpaca.trading.requests import MarketOrderRequest

from parity.brokers.alpaca.fake import FakeAlpaca
from parity.brokers.alpaca.fake.testing import trading_client

OPEN = "2024-01-02T14:30:00Z"


@pytest.fixture
def fake():
    with FakeAlpaca("k", "s", now=OPEN) as server:
        yield server


@pytest.fixture
def client(fake):
    return trading_client(fake)  # alpaca-py's 3 s retry sleep set to 0


def order(cid: str) -> MarketOrderRequest:
    return MarketOrderRequest(symbol="AAPL", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.DAY, client_order_id=cid)


def hits(fake: FakeAlpaca, path: str) -> int:
    return sum(1 for r in fake.requests if r.path == path)


def test_429_is_retried_by_alpaca_py_then_succeeds(fake, client):
    fake.faults.rate_limit(count=2, path="/v2/account")
    account = client.get_account()
    assert account.cash == "100000"
    assert hits(fake, "/v2/account") == 3  # two 429s, then the answer


def test_429_burst_beyond_retries_surfaces_with_headers(fake, client):
    fake.faults.rate_limit(count=10, path="/v2/clock", reset_in=30)
    with pytest.raises(APIError) as err:
        client.get_clock()
    assert err.value.status_code == 429 and err.value.code == 42910000
    headers = err.value.response.headers
    assert headers["X-RateLimit-Limit"] == "200" and headers["X-RateLimit-Remaining"] == "0"
    assert int(headers["X-RateLimit-Reset"]) >= int(time.time()) + 28
    assert hits(fake, "/v2/clock") == 4  # alpaca-py: 1 try + 3 retries
    assert len(fake.faults.pending) == 1 and fake.faults.pending[0].count == 6


def test_normal_answers_carry_rate_limit_headers(fake):
    response = requests.get(fake.base_url + "/v2/clock", headers={"APCA-API-KEY-ID": "k", "APCA-API-SECRET-KEY": "s"}, timeout=5)
    assert response.headers["X-RateLimit-Limit"] == "200" and int(response.headers["X-RateLimit-Remaining"]) == 199


def test_enforced_rate_limit_counts_requests():
    with FakeAlpaca("k", "s", now=OPEN, rate_limit_per_minute=3) as fake:
        client = trading_client(fake)
        client._retry = 0  # surface the first 429
        for _ in range(3):
            client.get_clock()
        with pytest.raises(APIError) as err:
            client.get_clock()
        assert err.value.status_code == 429


def test_500_is_not_retried(fake, client):
    fake.faults.server_error("/v2/positions", status=500)
    with pytest.raises(APIError) as err:
        client.get_all_positions()
    assert err.value.status_code == 500 and err.value.code == 50010000
    assert hits(fake, "/v2/positions") == 1
    assert client.get_all_positions() == []  # the fault was used up


def test_504_html_body_breaks_apierror_code(fake, client):
    fake.faults.server_error("/v2/account", count=4, status=504)
    with pytest.raises(APIError) as err:
        client.get_account()
    assert err.value.status_code == 504 and hits(fake, "/v2/account") == 4
    with pytest.raises(ValueError):  # json.JSONDecodeError: guard .code on gateway errors (alpaca.md §4)
        err.value.code


def test_lost_ack_with_504_makes_alpaca_py_resend_the_post(fake, client):
    fake.faults.lose_order_response(status=504)
    with pytest.raises(APIError) as err:
        client.submit_order(order("c-504"))
    # the order was recorded, its ack lost; alpaca-py's own retry re-POSTs and meets the duplicate
    assert err.value.status_code == 422 and err.value.code == 40010001
    assert fake.posted_client_order_ids() == ["c-504", "c-504"]
    assert client.get_order_by_client_id("c-504").status.value == "new"
    assert len(fake.orders()) == 1


def test_lost_ack_with_dropped_connection(fake, client):
    fake.faults.lose_order_response()
    with pytest.raises(requests.exceptions.ConnectionError):
        client.submit_order(order("c-drop"))
    assert fake.posted_client_order_ids() == ["c-drop"]
    assert client.get_order_by_client_id("c-drop").client_order_id == "c-drop"  # it exists


def test_dropped_connection_before_the_work(fake, client):
    fake.faults.drop_connection("/v2/orders", method="POST")
    with pytest.raises(requests.exceptions.ConnectionError):
        client.submit_order(order("c-none"))
    with pytest.raises(APIError) as err:
        client.get_order_by_client_id("c-none")
    assert err.value.status_code == 404


def test_reject_next_order_403(fake, client):
    fake.faults.reject_next_order()
    with pytest.raises(APIError) as err:
        client.submit_order(order("c-403"))
    assert err.value.status_code == 403 and err.value.code == 40310000
    assert err.value.message == "insufficient buying power"
    assert fake.orders() == [] and hits(fake, "/v2/orders") == 1  # 403 is not retried
    assert client.submit_order(order("c-403")).client_order_id == "c-403"  # nothing was recorded


def test_slow_answer_arrives_late(fake, client):
    fake.faults.slow("/v2/clock", delay=0.3)
    started = time.monotonic()
    client.get_clock()
    assert time.monotonic() - started >= 0.3
    with pytest.raises(requests.exceptions.Timeout):  # a client timeout shorter than the delay fires
        fake.faults.slow("/v2/clock", delay=1.0)
        requests.get(fake.base_url + "/v2/clock", headers={"APCA-API-KEY-ID": "k", "APCA-API-SECRET-KEY": "s"}, timeout=0.2)


def test_fault_matching_by_method_and_pattern(fake, client):
    fake.faults.fail("/v2/orders*", 503, method="GET", body={"code": 50300000, "message": "unavailable"})
    client.submit_order(order("post-ok"))  # POST does not match the GET rule
    with pytest.raises(APIError) as err:
        client.get_order_by_client_id("post-ok")  # GET /v2/orders:by_client_order_id matches the pattern
    assert err.value.status_code == 503
    assert client.get_order_by_client_id("post-ok").client_order_id == "post-ok"


def test_request_log_records_methods_paths_and_ids(fake, client):
    client.submit_order(order("log-1"))
    client.get_orders()
    first, second = fake.requests[-2:]
    assert (first.method, first.path, first.client_order_id) == ("POST", "/v2/orders", "log-1")
    assert first.body["qty"] == 1.0  # alpaca-py sends JSON floats
    assert (second.method, second.path, second.query, second.client_order_id) == ("GET", "/v2/orders", {}, None)

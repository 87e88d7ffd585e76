"""Fault tests: each ends with the journal's positions equal to the broker's, every fill journaled,
and no order sent twice (checked in the fake server's request log)."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from broker_kit import KEY, OPEN_TIME, SECRET, make_broker, market, open_journal

from parity.brokers.alpaca.fake import FakeAlpaca
from parity.brokers.alpaca.reconcile import reconcile
from parity.engine.journal import Journal
from parity.engine.types import OrderStatus, Side

BAR_TS = "2024-01-02T15:01:00Z"
BAR = {"AAPL": (100.0, 101.0, 99.0, 100.5, 1e6), "MSFT": (200.0, 201.0, 199.0, 200.5, 1e6),
       "IBM": (50.0, 51.0, 49.0, 50.5, 1e6)}


class SimulatedCrash(BaseException):
    """Not an Exception: nothing in the broker may swallow it, as nothing survives a real crash."""


@pytest.fixture
def fake():
    with FakeAlpaca(KEY, SECRET, cash=100_000.0, now=OPEN_TIME) as f:
        yield f


def fill_events(fake: FakeAlpaca) -> list[dict]:
    return [e["data"] for e in fake.events if e["data"]["event"] in ("fill", "partial_fill")]


def assert_consistent(fake: FakeAlpaca, journal: Journal, posts: dict[str, int]) -> None:
    """Positions agree, every fill the venue made is journaled once, and each order was POSTed
    exactly as often as the test's faults explain (`posts`): a refused POST creates nothing, so
    one POST per order plus one per injected refusal means nothing was ever sent twice."""
    assert journal.net_positions() == fake.positions
    venue_qty = sum(float(e["qty"]) for e in fill_events(fake))
    assert sum(f.qty for f in journal.fills()) == pytest.approx(venue_qty)
    assert len(journal.fills()) == len(fill_events(fake))
    assert Counter(fake.posted_client_order_ids()) == Counter(posts)
    assert sorted(o["client_order_id"] for o in fake.orders()) == sorted(posts)


def test_crash_between_journaling_the_intent_and_sending(fake: FakeAlpaca, tmp_path) -> None:
    journal = open_journal(tmp_path)
    broker = make_broker(fake, journal, use_stream=False)

    def crash(req):  # noqa: ANN001, ANN202
        raise SimulatedCrash

    broker._before_send = crash
    with pytest.raises(SimulatedCrash):
        broker.submit([market("prt-t-00000000", "AAPL", Side.BUY, 10), market("prt-t-00000001", "MSFT", Side.BUY, 5)])
    assert fake.posted_client_order_ids() == []  # nothing left the process
    assert [i.state for i in journal.intents()] == ["intent"]  # the second was never even journaled

    restarted = make_broker(fake, journal, use_stream=False)
    report = reconcile(restarted, journal, now_ns=2, resend=lambda intent: True)
    assert report.resent == ["prt-t-00000000"] and report.adopted == []
    assert fake.posted_client_order_ids() == ["prt-t-00000000"]
    fake.feed_bar(BAR_TS, BAR)
    assert restarted.wait_until_done(["prt-t-00000000"], timeout_s=10)
    assert fake.positions == {"AAPL": 10.0}
    assert_consistent(fake, journal, {"prt-t-00000000": 1})


def test_a_stale_intent_is_dropped_not_sent(fake: FakeAlpaca, tmp_path) -> None:
    journal = open_journal(tmp_path)
    journal.record_intent(market("prt-t-00000000", "AAPL", Side.BUY, 10), "t", now_ns=1)
    broker = make_broker(fake, journal, use_stream=False)
    report = reconcile(broker, journal, now_ns=2, resend=lambda intent: False)
    assert report.dropped == ["prt-t-00000000"]
    assert fake.posted_client_order_ids() == []
    assert journal.intents()[0].state == "dropped"
    assert "stale order(s) never sent were dropped" in journal.notes("reconcile")[0]


def test_crash_after_sending_before_the_acknowledgement(fake: FakeAlpaca, tmp_path) -> None:
    journal = open_journal(tmp_path)
    broker = make_broker(fake, journal, use_stream=False)
    real_post = broker._post_order

    def post_then_crash(req):  # noqa: ANN001, ANN202
        real_post(req)
        raise SimulatedCrash

    broker._post_order = post_then_crash
    with pytest.raises(SimulatedCrash):
        broker.submit([market("prt-t-00000000", "AAPL", Side.BUY, 10)])
    fake.feed_bar(BAR_TS, BAR)  # it fills while we are down: 10 @ 100

    restarted = make_broker(fake, journal, use_stream=False)
    report = reconcile(restarted, journal, now_ns=2, resend=lambda intent: True)
    assert report.adopted == ["prt-t-00000000"] and report.resent == []
    assert report.fills_recovered == 1 and report.position_differences == {}
    assert fake.posted_client_order_ids() == ["prt-t-00000000"]  # looked up, never resent
    assert [(f.qty, f.price) for f in journal.fills()] == [(10.0, 100.0)]
    assert journal.statuses("prt-t-00000000")[-1] == OrderStatus.FILLED
    assert_consistent(fake, journal, {"prt-t-00000000": 1})


def test_lost_response_is_looked_up_not_resent(fake: FakeAlpaca, tmp_path) -> None:
    journal = open_journal(tmp_path)
    fake.faults.lose_order_response()  # the order is created, the connection dies before the answer
    with make_broker(fake, journal, use_stream=False) as broker:
        (ack,) = broker.submit([market("prt-t-00000000", "AAPL", Side.BUY, 10)])
        assert ack.accepted
        assert fake.posted_client_order_ids() == ["prt-t-00000000"]
        lookups = [r for r in fake.requests if r.path == "/v2/orders:by_client_order_id"]
        assert len(lookups) == 1
        fake.feed_bar(BAR_TS, BAR)
        assert broker.wait_until_done(["prt-t-00000000"], timeout_s=10)
    assert_consistent(fake, journal, {"prt-t-00000000": 1})


def test_stream_dropped_during_fills_recovers_every_fill_once(fake: FakeAlpaca, tmp_path) -> None:
    journal = open_journal(tmp_path)
    with make_broker(fake, journal, poll_interval_s=3600.0) as broker:
        fake.wait_for_listeners()
        cids = ["prt-t-00000000", "prt-t-00000001", "prt-t-00000002"]
        broker.submit([market(cids[0], "AAPL", Side.BUY, 10), market(cids[1], "MSFT", Side.BUY, 4),
                       market(cids[2], "IBM", Side.BUY, 6)])
        fake.faults.partial_fills(0.5, count=1)
        fake.feed_bar(BAR_TS, {"AAPL": BAR["AAPL"]})  # AAPL: 5 of 10 while the stream is up
        deadline = time.monotonic() + 10
        while not journal.fills() and time.monotonic() < deadline:
            broker.sync()
            time.sleep(0.01)
        assert [f.qty for f in journal.fills()] == [5.0]
        fake.drop_streams()
        # while disconnected: the rest of AAPL (5), MSFT (4) and IBM (6) fill; the stream misses them
        fake.fill(cids[0], 101.0)
        fake.feed_bar("2024-01-02T15:02:00Z", {"MSFT": BAR["MSFT"], "IBM": BAR["IBM"]})
        assert broker.wait_until_done(cids, timeout_s=15)
        assert fake.stream_connections >= 2  # it reconnected, and the reconnect triggered REST recovery
        time.sleep(0.3)
        broker.sync()  # any late stream replay must not double count
    fills = journal.fills()
    assert sorted((f.symbol, f.qty) for f in fills) == [("AAPL", 5.0), ("AAPL", 5.0), ("IBM", 6.0), ("MSFT", 4.0)]
    # the missed half is priced so the notional matches REST's average: (5*100 + 5*101 - 5*100) / 5 = 101
    assert sorted(f.price for f in fills if f.symbol == "AAPL") == pytest.approx([100.0, 101.0])
    assert_consistent(fake, journal, {c: 1 for c in cids})


def test_burst_of_429s_on_submit_waits_and_never_duplicates(fake: FakeAlpaca, tmp_path) -> None:
    journal = open_journal(tmp_path)
    fake.faults.rate_limit(count=3, path="/v2/orders", method="POST", reset_in=0.2)
    fake.faults.rate_limit(count=2, path="/v2/account", method="GET", reset_in=0.2)
    broker = make_broker(fake, journal, use_stream=False)
    broker._sleep = time.sleep  # real waits: the limiter honours the reset the server sent (< 1 s here)
    broker.http._limiter._sleep = time.sleep
    (ack,) = broker.submit([market("prt-t-00000000", "AAPL", Side.BUY, 10)])
    assert ack.accepted
    posts = fake.posted_client_order_ids()
    assert posts == ["prt-t-00000000"] * 4  # three 429s (nothing created), then the one that created it
    lookups = [r for r in fake.requests if r.path == "/v2/orders:by_client_order_id"]
    assert len(lookups) == 3  # looked up before every re-send
    assert broker.account().cash == 100_000.0  # two 429s on GET /v2/account, retried by the hardening
    fake.feed_bar(BAR_TS, BAR)
    assert broker.wait_until_done(["prt-t-00000000"], timeout_s=10)
    assert_consistent(fake, journal, {"prt-t-00000000": 4})  # 3 refused by 429 + the one that created it


def test_5xx_on_submit(fake: FakeAlpaca, tmp_path) -> None:
    journal = open_journal(tmp_path)
    fake.faults.server_error(path="/v2/orders", method="POST", status=500, count=2)  # refused, nothing created
    fake.faults.lose_order_response(status=504)  # then created but answered 504
    sleeps: list[float] = []
    with make_broker(fake, journal, use_stream=False, sleeps=sleeps) as broker:
        a, b = broker.submit([market("prt-t-00000000", "AAPL", Side.BUY, 10), market("prt-t-00000001", "MSFT", Side.BUY, 5)])
        assert a.accepted and b.accepted
        # AAPL: 500, 500, then 504 with the order created -> found by the lookup, not resent
        assert fake.posted_client_order_ids() == ["prt-t-00000000"] * 3 + ["prt-t-00000001"]
        assert sleeps[:2] == [0.5, 1.0]  # exponential backoff between 5xx attempts
        fake.feed_bar(BAR_TS, BAR)
        assert broker.wait_until_done(["prt-t-00000000", "prt-t-00000001"], timeout_s=10)
    assert fake.positions == {"AAPL": 10.0, "MSFT": 5.0}
    # AAPL: 2 refused by 500 + the one created (its 504 answer was lost), never a 4th
    assert_consistent(fake, journal, {"prt-t-00000000": 3, "prt-t-00000001": 1})


def test_broker_down_for_good_rejects_without_duplicates(fake: FakeAlpaca, tmp_path) -> None:
    journal = open_journal(tmp_path)
    fake.faults.server_error(path="/v2/orders", method="POST", status=503, count=-1)
    with make_broker(fake, journal, use_stream=False, submit_attempts=3) as broker:
        (ack,) = broker.submit([market("prt-t-00000000", "AAPL", Side.BUY, 10)])
    assert not ack.accepted and "broker unavailable after 3 attempts" in ack.reason
    assert journal.intents()[0].state == "rejected"
    assert fake.orders() == []


def test_unanswered_attempts_leave_the_intent_open_for_the_next_start(fake: FakeAlpaca, tmp_path) -> None:
    journal = open_journal(tmp_path)
    fake.faults.drop_connection("/v2/orders", method="POST", count=-1)  # never answered, never created
    with make_broker(fake, journal, use_stream=False, submit_attempts=2) as broker:
        (ack,) = broker.submit([market("prt-t-00000000", "AAPL", Side.BUY, 10)])
    assert not ack.accepted and "ConnectionError" in ack.reason
    (intent,) = journal.intents()
    assert intent.state == "intent"  # it might still arrive: the next start-up looks it up first
    fake.faults.clear()
    restarted = make_broker(fake, journal, use_stream=False)
    report = reconcile(restarted, journal, now_ns=2, resend=lambda i: False)
    assert report.dropped == ["prt-t-00000000"] and fake.orders() == []

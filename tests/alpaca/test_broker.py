"""AlpacaBroker against the local fake server: the Broker protocol end to end."""

from __future__ import annotations

import pytest
from broker_kit import KEY, OPEN_TIME, SECRET, make_broker, market, open_journal

from parity.brokers.alpaca.credentials import MissingCredentials, credentials_from_env
from parity.brokers.alpaca.fake import FakeAlpaca
from parity.engine.broker import Broker
from parity.engine.types import OrderStatus, OrderType, Side, TimeInForce
from parity.engine.broker import OrderRequest


@pytest.fixture
def fake():
    with FakeAlpaca(KEY, SECRET, cash=100_000.0, now=OPEN_TIME) as f:
        yield f


def test_missing_keys_name_the_variables() -> None:
    with pytest.raises(MissingCredentials, match="APCA_API_KEY_ID and APCA_API_SECRET_KEY"):
        credentials_from_env({})
    with pytest.raises(MissingCredentials, match="APCA_API_SECRET_KEY") as info:
        credentials_from_env({"APCA_API_KEY_ID": "k"})
    assert "APCA_API_KEY_ID" not in str(info.value)


def test_real_money_endpoint_needs_both_switches(fake: FakeAlpaca) -> None:
    from broker_kit import alpaca_cfg
    from parity.brokers.alpaca.broker import AlpacaBroker

    assert AlpacaBroker._paper_endpoint(alpaca_cfg(fake)) is True
    with pytest.raises(ValueError, match="allow_live_trading"):
        AlpacaBroker._paper_endpoint(type("C", (), {"paper": False, "allow_live_trading": False})())


def test_submit_fill_and_account_through_the_stream(fake: FakeAlpaca, tmp_path) -> None:
    journal = open_journal(tmp_path)
    with make_broker(fake, journal) as broker:
        assert isinstance(broker, Broker)
        fake.wait_for_listeners()
        acks = broker.submit([market("prt-t-00000000", "AAPL", Side.BUY, 10),
                              market("prt-t-00000001", "MSFT", Side.BUY, 5)])
        assert [a.accepted for a in acks] == [True, True]
        # Both fill at the bar's open: AAPL 10 @ 100, MSFT 5 @ 200
        fake.feed_bar("2024-01-02T15:00:00Z", {"AAPL": (100.0, 101.0, 99.0, 100.5, 1e6),
                                               "MSFT": (200.0, 201.0, 199.0, 200.5, 1e6)})
        assert broker.wait_until_done(["prt-t-00000000", "prt-t-00000001"], timeout_s=10)
        events, cursor = broker.events_since(0)
        fills = [e.fill for e in events if e.fill is not None]
        assert sorted((f.symbol, f.qty, f.price) for f in fills) == [("AAPL", 10.0, 100.0), ("MSFT", 5.0, 200.0)]
        assert broker.events_since(cursor) == ([], cursor)
        assert broker.positions() == {"AAPL": 10.0, "MSFT": 5.0}
        # cash 100000 - 10*100 - 5*200 = 98000
        assert broker.account().cash == 98_000.0
        assert journal.net_positions() == {"AAPL": 10.0, "MSFT": 5.0}
        assert journal.statuses("prt-t-00000000")[-1] == OrderStatus.FILLED
        assert {i.state for i in journal.intents()} == {"acked"}


def test_rejection_cancel_and_open_orders(fake: FakeAlpaca, tmp_path) -> None:
    journal = open_journal(tmp_path)
    with make_broker(fake, journal, use_stream=False) as broker:
        fake.faults.reject_next_order()
        (ack,) = broker.submit([market("prt-t-00000000", "AAPL", Side.BUY, 10)])
        assert not ack.accepted and "insufficient buying power" in ack.reason
        assert journal.intents()[0].state == "rejected"
        limit = OrderRequest("prt-t-00000001", "AAPL", Side.BUY, 3, OrderType.LIMIT, TimeInForce.DAY, limit_price=50.0)
        assert broker.submit([limit])[0].accepted
        assert [e.client_order_id for e in broker.open_orders()] == ["prt-t-00000001"]
        broker.cancel(["prt-t-00000001"])
        assert broker.wait_until_done(["prt-t-00000001"], timeout_s=10)
        events, _ = broker.events_since(0)
        assert [(e.client_order_id, e.status) for e in events] == [
            ("prt-t-00000000", OrderStatus.REJECTED), ("prt-t-00000001", OrderStatus.CANCELED)]
        assert broker.open_orders() == []
        assert fake.posted_client_order_ids() == ["prt-t-00000000", "prt-t-00000001"]


def test_clock_and_calendar_know_early_closes(fake: FakeAlpaca) -> None:
    import datetime as dt

    with make_broker(fake, use_stream=False) as broker:
        clock = broker.market_clock()
        assert clock.is_open
        # 2024-11-29 (day after Thanksgiving) closes at 13:00 New York = 18:00 UTC
        sessions = broker.calendar(dt.date(2024, 11, 27), dt.date(2024, 12, 2))
        assert [s.date.isoformat() for s in sessions] == ["2024-11-27", "2024-11-29", "2024-12-02"]
        import pandas as pd
        assert pd.Timestamp(sessions[1].close_ns, tz="UTC") == pd.Timestamp("2024-11-29T18:00Z")


def test_every_call_times_out_and_a_slow_read_is_retried(fake: FakeAlpaca) -> None:
    from broker_kit import alpaca_cfg
    from parity.brokers.alpaca.broker import AlpacaBroker
    from parity.brokers.alpaca.credentials import Credentials

    cfg = alpaca_cfg(fake).model_copy(update={"http_timeout_s": 0.3})
    broker = AlpacaBroker(cfg, Credentials(KEY, SECRET), use_stream=False, sleep=lambda s: None)
    fake.faults.slow("/v2/account", delay=1.5)  # the first answer would come after the timeout
    assert broker.account().cash == 100_000.0
    account_calls = [r for r in fake.requests if r.path == "/v2/account"]
    assert len(account_calls) == 2 and broker.http.retries == 1


def test_replace_moves_a_working_limit_order(fake: FakeAlpaca, tmp_path) -> None:
    with make_broker(fake, open_journal(tmp_path), use_stream=False) as broker:
        limit = OrderRequest("prt-t-00000000", "AAPL", Side.BUY, 5, OrderType.LIMIT, TimeInForce.DAY, limit_price=90.0)
        assert broker.submit([limit])[0].accepted
        ack = broker.replace("prt-t-00000000", limit_price=95.5, new_client_order_id="prt-t-00000001")
        assert ack.accepted and ack.client_order_id == "prt-t-00000001"
        assert fake.order("prt-t-00000001").limit_price == 95.5
        assert fake.order("prt-t-00000000").status in ("replaced", "pending_replace")

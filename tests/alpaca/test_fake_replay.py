"""A daily replay cycle, as the paper runner and the offline demo drive it: decide after the close on
the completed bar, send orders that queue overnight, fill them at the next session's open."""

from __future__ import annotations

import datetime as dt

from alpaca.data.requests import StockBarsRequest
from alpaca.data.timeframe import TimeFrame
from alpaca.trading.enums import OrderSide, OrderStatus, TimeInForce
from alpaca.trading.requests import LimitOrderRequest, MarketOrderRequest

from parity.brokers.alpaca.fake import FakeAlpaca
from parity.brokers.alpaca.fake.market_time import daily_bar_ts, sessions_between
from parity.brokers.alpaca.fake.testing import data_client, trading_client

# open, high, low, close, volume for the sessions of 2024-07-02, 07-03 (early close) and 07-05 (after the holiday)
BARS = {
    dt.date(2024, 7, 2): (200.0, 202.0, 199.0, 201.0, 1000),
    dt.date(2024, 7, 3): (201.5, 203.0, 201.0, 202.0, 800),
    dt.date(2024, 7, 5): (203.0, 204.0, 198.0, 199.0, 1200),
}


def test_three_session_daily_replay():
    with FakeAlpaca("k", "s", cash=10_000.0, now="2024-07-02T12:00:00Z") as fake:
        client, data = trading_client(fake), data_client(fake)
        sessions = sessions_between(dt.date(2024, 7, 2), dt.date(2024, 7, 5))
        assert [d for d, _, _ in sessions] == list(BARS)  # July 4th is skipped
        closes_seen = []
        for day, open_ts, close_ts in sessions:
            fake.set_time(open_ts)  # orders queued overnight go live
            fake.feed_bar(daily_bar_ts(day), {"AAPL": BARS[day]})  # and fill against this session's bar
            fake.set_time(close_ts)
            assert not client.get_clock().is_open
            fake.end_session()
            bars = data.get_stock_bars(StockBarsRequest(symbol_or_symbols="AAPL", timeframe=TimeFrame.Day,
                                                        start=dt.datetime(2024, 7, 1))).data["AAPL"]
            closes_seen.append(bars[-1].close)  # the bar just completed is the latest visible
            if day == dt.date(2024, 7, 2):
                order = client.submit_order(MarketOrderRequest(symbol="AAPL", qty=10, side=OrderSide.BUY,
                                                               time_in_force=TimeInForce.DAY, client_order_id="buy-0702"))
                assert order.status == OrderStatus.ACCEPTED  # after the close: queued for the next open
                client.submit_order(LimitOrderRequest(symbol="AAPL", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.DAY,
                                                      limit_price=150.0, client_order_id="far-0702"))
            if day == dt.date(2024, 7, 3):
                client.submit_order(MarketOrderRequest(symbol="AAPL", qty=10, side=OrderSide.SELL,
                                                       time_in_force=TimeInForce.DAY, client_order_id="sell-0703"))
        assert closes_seen == [201.0, 202.0, 199.0]
        buy = client.get_order_by_client_id("buy-0702")
        sell = client.get_order_by_client_id("sell-0703")
        # bought at the 07-03 open 201.5 (at 09:30 ET = 13:30 UTC); sold at the 07-05 open 203.0
        assert (buy.filled_avg_price, buy.filled_at.isoformat()) == ("201.5", "2024-07-03T13:30:00+00:00")
        assert (sell.filled_avg_price, sell.filled_at.isoformat()) == ("203", "2024-07-05T13:30:00+00:00")
        assert client.get_order_by_client_id("far-0702").status == OrderStatus.EXPIRED  # its day was 07-03
        # 10 * (203.0 - 201.5) = 15 of profit
        assert fake.positions == {} and float(client.get_account().cash) == 10_015.0

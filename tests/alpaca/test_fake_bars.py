"""GET /v2/stocks/bars through StockHistoricalDataClient: multi-symbol, paging, no look-ahead, spec shape."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import requests
from alpaca.data.requests import StockBarsRequest, StockLatestBarRequest
from alpaca.data.timeframe import TimeFrame, TimeFrameUnit

from parity.brokers.alpaca.fake import FakeAlpaca
from parity.brokers.alpaca.fake.spec import validate
from parity.brokers.alpaca.fake.testing import data_client

# Alpaca stamps a daily bar at midnight ET (05:00 UTC in winter); it is complete at the 16:00 ET close.
DAYS = ["2024-01-02T05:00:00Z", "2024-01-03T05:00:00Z", "2024-01-04T05:00:00Z"]


@pytest.fixture
def fake():
    rows = [("AAPL", day, 100.0 + i, 102.0 + i, 99.0 + i, 101.0 + i, 1000 + i) for i, day in enumerate(DAYS)]
    rows += [("MSFT", day, 300.0 + i, 302.0 + i, 299.0 + i, 301.0 + i, 500) for i, day in enumerate(DAYS)]
    with FakeAlpaca("k", "s", now="2024-01-02T14:30:00Z") as server:
        server.load_bars(pd.DataFrame(rows, columns=["symbol", "t", "o", "h", "l", "c", "v"]))
        yield server


def day_request(**kwargs) -> StockBarsRequest:
    return StockBarsRequest(symbol_or_symbols=["MSFT", "AAPL"], timeframe=TimeFrame.Day, start=dt.datetime(2024, 1, 1), **kwargs)


def test_only_completed_bars_are_visible(fake):
    client = data_client(fake)
    fake.set_time("2024-01-03T20:59:00Z")  # Wednesday 15:59 ET: only Tuesday is complete
    assert [b.timestamp.day for b in client.get_stock_bars(day_request()).data["AAPL"]] == [2]
    fake.set_time("2024-01-04T21:00:00Z")  # Thursday's close: all three
    bars = client.get_stock_bars(day_request()).data
    assert sorted(bars) == ["AAPL", "MSFT"]
    assert [(b.open, b.close, b.volume) for b in bars["AAPL"]] == [(100.0, 101.0, 1000), (101.0, 102.0, 1001), (102.0, 103.0, 1002)]
    assert bars["AAPL"][0].timestamp == dt.datetime(2024, 1, 2, 5, tzinfo=dt.timezone.utc)
    assert bars["AAPL"][0].trade_count == 0 and bars["AAPL"][0].vwap == pytest.approx((102 + 99 + 101) / 3)


def test_pagination_is_followed_by_alpaca_py(fake):
    fake.set_time("2024-01-05T00:00:00Z")
    fake.bars.page_size = 4  # 6 rows -> pages of 4 and 2
    client = data_client(fake)
    bars = client.get_stock_bars(day_request()).data
    assert [len(bars["AAPL"]), len(bars["MSFT"])] == [3, 3]
    pages = [r for r in fake.requests if r.path == "/v2/stocks/bars"]
    assert len(pages) == 2 and "page_token" in pages[1].query
    # a total limit of 5 across symbols: AAPL's 3 then MSFT's first 2 (ordered by symbol, then time)
    limited = client.get_stock_bars(day_request(limit=5)).data
    assert [len(limited["AAPL"]), len(limited["MSFT"])] == [3, 2]


def test_raw_answer_matches_the_spec_and_shape(fake):
    fake.set_time("2024-01-05T00:00:00Z")
    response = requests.get(
        fake.base_url + "/v2/stocks/bars",
        params={"symbols": "AAPL,MSFT", "timeframe": "1Day", "limit": 4, "start": "2024-01-01"},
        headers={"APCA-API-KEY-ID": "k", "APCA-API-SECRET-KEY": "s"},
        timeout=5,
    )
    body = response.json()
    validate(body, "stock_bars_resp", api="data")
    assert list(body["bars"]) == ["AAPL", "MSFT"] and [len(v) for v in body["bars"].values()] == [3, 1]
    assert body["next_page_token"] and set(body["bars"]["AAPL"][0]) == {"t", "o", "h", "l", "c", "v", "n", "vw"}
    empty = requests.get(fake.base_url + "/v2/stocks/bars", params={"symbols": "ZZZZ", "timeframe": "1Day"},
                         headers={"APCA-API-KEY-ID": "k", "APCA-API-SECRET-KEY": "s"}, timeout=5).json()
    assert empty == {"bars": {}, "next_page_token": None}


def test_intraday_history_and_latest_bar():
    with FakeAlpaca("k", "s", now="2024-01-02T14:30:00Z", bar_timeframe="5Min") as fake:
        history = pd.DataFrame({
            "symbol": ["AAPL"] * 3,
            "t": pd.to_datetime(["2024-01-02T14:30Z", "2024-01-02T14:35Z", "2024-01-02T14:40Z"]),
            "o": [1.0, 2.0, 3.0], "h": [1.5, 2.5, 3.5], "l": [0.5, 1.5, 2.5], "c": [1.2, 2.2, 3.2], "v": [10, 20, 30],
        })
        fake.load_bars(history)
        fake.set_time("2024-01-02T14:40:00Z")  # the 14:40 bar is still forming
        client = data_client(fake)
        request = StockBarsRequest(symbol_or_symbols="AAPL", timeframe=TimeFrame(5, TimeFrameUnit.Minute),
                                   start=dt.datetime(2024, 1, 2, 14, 0))
        assert [b.close for b in client.get_stock_bars(request).data["AAPL"]] == [1.2, 2.2]
        latest = client.get_stock_latest_bar(StockLatestBarRequest(symbol_or_symbols="AAPL"))
        assert latest["AAPL"].close == 2.2

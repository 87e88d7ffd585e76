"""A local fake of Alpaca's paper trading API for tests and offline demos.

FakeAlpaca serves, on 127.0.0.1, the REST endpoints TradingClient and StockHistoricalDataClient use
and the trade_updates websocket (/stream). Time moves only when the caller says so, fills are driven
by a replayed bar feed, and faults are injected through `fake.faults`.

    with FakeAlpaca("key", "secret", cash=100_000, now="2024-01-02T14:30Z") as fake:
        TradingClient("key", "secret", url_override=fake.base_url)     # REST
        TradingStream("key", "secret", url_override=fake.stream_url)   # trade_updates
        fake.set_time(ts)                                   # the clock (never backwards)
        fake.feed_bar(ts, {"AAPL": (o, h, l, c, v)})        # store the bar, then match working orders
        fake.fill_price_fn = lambda order, bar: (price, qty) or None   # parity: fill at given prices
        fake.fill("cid", price, qty=None)                   # or fill explicitly
        fake.end_session()                                  # day orders expire
        fake.faults.rate_limit(count=3)                     # 429s with X-RateLimit-* headers
        fake.faults.lose_order_response()                   # order recorded, ack lost
        fake.drop_streams(after_events=2)                   # cut the stream mid-fills
        fake.posted_client_order_ids()                      # request log: was any id sent twice?

Modules: server (FakeAlpaca, request pipeline), routes (HTTP handlers), ledger (orders, fills,
positions, cash, events), order_rules (422 checks), matching (default fill model), wire (JSON
shapes), stream (websocket), bar_store (market-data bars), market_time (XNYS clock/calendar),
faults (FaultPlan), spec (OpenAPI validation), testing (alpaca-py helpers for tests).
"""

from parity.brokers.alpaca.fake.faults import FaultPlan, FaultRule
from parity.brokers.alpaca.fake.matching import default_fill
from parity.brokers.alpaca.fake.model import ApiError, Bar, FakeOrder
from parity.brokers.alpaca.fake.server import FakeAlpaca, RequestRecord

__all__ = ["FakeAlpaca", "FaultPlan", "FaultRule", "RequestRecord", "Bar", "FakeOrder", "ApiError", "default_fill"]

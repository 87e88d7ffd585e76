"""A local fake of Alpaca's paper trading API for tests and offline demos.

FakeAlpaca serves the REST endpoints TradingClient and StockHistoricalDataClient use and the
trade_updates websocket on 127.0.0.1; fills are driven by a replayed bar feed; faults (429s, 5xx,
slow answers, lost acks, dropped streams, partial fills, rejections) are injected through `faults`.
"""

from brokers.alpaca.fake.faults import FaultPlan, FaultRule
from brokers.alpaca.fake.matching import default_fill
from brokers.alpaca.fake.model import ApiError, Bar, FakeOrder
from brokers.alpaca.fake.server import FakeAlpaca, RequestRecord

__all__ = ["FakeAlpaca", "FaultPlan", "FaultRule", "RequestRecord", "Bar", "FakeOrder", "ApiError", "default_fill"]

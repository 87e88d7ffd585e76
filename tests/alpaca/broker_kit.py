"""Shared pieces of the AlpacaBroker tests: a broker wired to a running FakeAlpaca."""

from __future__ import annotations

from pathlib import Path

from parity.brokers.alpaca.broker import AlpacaBroker
from parity.brokers.alpaca.credentials import Credentials
from parity.brokers.alpaca.fake import FakeAlpaca
from parity.engine.broker import OrderRequest
from parity.engine.clock import SimClock
from parity.engine.config.schema import AlpacaConfig
from parity.engine.journal import Journal
from parity.engine.types import OrderType, Side, TimeInForce

KEY, SECRET = "PKTESTKEY0000000001", "test-secret-0000000000000000000000000001"
# A Tuesday, 10:00 New York time: the market is open.
OPEN_TIME = "2024-01-02T15:00:00Z"


def alpaca_cfg(fake: FakeAlpaca, **overrides) -> AlpacaConfig:  # noqa: ANN003
    return AlpacaConfig(trading_url=fake.base_url, data_url=fake.base_url, stream_url=fake.stream_url,
                        http_timeout_s=5.0, **overrides)


def make_broker(fake: FakeAlpaca, journal: Journal | None = None, run_key: str = "t", use_stream: bool = True,
                poll_interval_s: float = 0.0, sleeps: list | None = None, **kw) -> AlpacaBroker:  # noqa: ANN003
    sleep_log = sleeps if sleeps is not None else []
    broker = AlpacaBroker(alpaca_cfg(fake), Credentials(fake.api_key, fake.secret_key), journal=journal,
                          run_key=run_key, clock=SimClock(1), use_stream=use_stream, poll_interval_s=poll_interval_s,
                          sleep=lambda s: sleep_log.append(s), **kw)
    return broker


def market(cid: str, symbol: str, side: Side, qty: float) -> OrderRequest:
    return OrderRequest(cid, symbol, side, qty, OrderType.MARKET, TimeInForce.DAY, decision_ts=1, decision_price=100.0)


def open_journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / "journal.sqlite")

"""Helpers for tests that point alpaca-py at a FakeAlpaca: clients without retry sleeps, and a
TradingStream running in a thread that collects TradeUpdates."""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

from alpaca.data.historical import StockHistoricalDataClient
from alpaca.trading.client import TradingClient
from alpaca.trading.models import TradeUpdate
from alpaca.trading.stream import TradingStream

from parity.brokers.alpaca.fake.server import FakeAlpaca


def trading_client(fake: FakeAlpaca, *, retry_wait: float = 0) -> TradingClient:
    """alpaca-py's client on the fake; its fixed 3 s sleep between 429/504 retries set to `retry_wait`."""
    client = TradingClient(fake.api_key, fake.secret_key, paper=True, url_override=fake.base_url)
    client._retry_wait = retry_wait  # alpaca-py exposes no constructor argument for it (alpaca.md §0)
    return client


def data_client(fake: FakeAlpaca, *, retry_wait: float = 0) -> StockHistoricalDataClient:
    client = StockHistoricalDataClient(fake.api_key, fake.secret_key, url_override=fake.base_url)
    client._retry_wait = retry_wait
    return client


class StreamCollector:
    """Runs alpaca-py's TradingStream against the fake in a thread and keeps every TradeUpdate.

        with StreamCollector(fake) as stream:
            ...
            stream.wait_for(lambda u: u.event == "fill")
    """

    def __init__(self, fake: FakeAlpaca, *, key: str | None = None, secret: str | None = None,
                 min_backoff: float = 0.05) -> None:
        self.fake = fake
        self.updates: list[TradeUpdate] = []
        self._lock = threading.Lock()
        self.stream = TradingStream(key or fake.api_key, secret or fake.secret_key, paper=True, url_override=fake.stream_url)
        self.stream._reconnect_min_backoff = min_backoff  # alpaca-py's 1 s first reconnect delay, for fast tests
        self.stream.subscribe_trade_updates(self._on_update)
        self._thread = threading.Thread(target=self.stream.run, name="trading-stream", daemon=True)

    async def _on_update(self, update: TradeUpdate) -> None:
        with self._lock:
            self.updates.append(update)

    def start(self, wait_listening: bool = True) -> "StreamCollector":
        before = self.fake.stream_listeners
        self._thread.start()
        if wait_listening:
            self.fake.wait_for_listeners(before + 1)
        return self

    def wait_for(self, predicate: Callable[[TradeUpdate], bool], count: int = 1, timeout: float = 10.0) -> list[TradeUpdate]:
        """Block until `count` collected updates satisfy `predicate`; returns them."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                hits = [u for u in self.updates if predicate(u)]
            if len(hits) >= count:
                return hits
            if time.monotonic() > deadline:
                raise TimeoutError(f"only {len(hits)} of {count} matching trade updates within {timeout}s")
            time.sleep(0.01)

    def events(self) -> list[tuple[str, Any]]:
        """(event, client_order_id) pairs received so far, in order."""
        with self._lock:
            return [(str(u.event), u.order.client_order_id) for u in self.updates]

    def stop(self) -> None:
        if self._thread.is_alive():
            if getattr(self.stream, "_loop", None) is not None:
                self.stream.stop()
            self.fake.drop_streams()  # wakes the client's 5 s recv wait at once
            self._thread.join(10)

    def __enter__(self) -> "StreamCollector":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

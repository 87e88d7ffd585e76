"""The trade_updates websocket, run in its own thread (TradingStream.run() calls asyncio.run).

Updates land in a thread-safe queue the broker drains. `connections` counts successful
(re)connects, so the broker knows when it must poll REST to recover fills missed in a gap.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time

from alpaca.trading.models import TradeUpdate
from alpaca.trading.stream import TradingStream

from parity.brokers.alpaca.credentials import Credentials

log = logging.getLogger(__name__)


class _CountingStream(TradingStream):
    def __init__(self, *args, on_connect, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self._on_connect = on_connect

    async def _start_ws(self) -> None:  # alpaca-py hook: connect + auth + listen
        await super()._start_ws()
        self._on_connect()

    def stop_fast(self, timeout_s: float = 5.0) -> None:
        """stop() waits for a 5 s recv timeout; closing the socket as well ends the loop at once."""
        loop = getattr(self, "_loop", None)
        if loop is None or not loop.is_running():
            return

        async def shutdown() -> None:
            await self.stop_ws()
            await self.close()

        asyncio.run_coroutine_threadsafe(shutdown(), loop).result(timeout=timeout_s)


class _DropWhileStopping(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "websocket error" not in record.getMessage()


class TradeUpdateStream:
    def __init__(self, creds: Credentials, paper: bool, url: str | None) -> None:
        self.updates: "queue.Queue[TradeUpdate]" = queue.Queue()
        self._lock = threading.Lock()
        self._connections = 0
        self._stream = _CountingStream(creds.key_id, creds.secret_key, paper=paper, url_override=url,
                                       on_connect=self._connected)
        self._stream.subscribe_trade_updates(self._handle)
        self._thread: threading.Thread | None = None

    @property
    def connections(self) -> int:
        with self._lock:
            return self._connections

    @property
    def connected(self) -> bool:
        return bool(self._stream._running)

    def _connected(self) -> None:
        with self._lock:
            self._connections += 1
        log.info("trade_updates stream connected (#%d)", self._connections)

    async def _handle(self, update: TradeUpdate) -> None:
        self.updates.put(update)

    def start(self, wait_s: float = 5.0) -> bool:
        """Start the thread; True once the stream is listening (False: REST polling covers)."""
        self._thread = threading.Thread(target=self._stream.run, name="alpaca-trade-updates", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if self.connections:
                return True
            time.sleep(0.01)
        return False

    def stop(self) -> None:
        if self._thread is None:
            return
        # alpaca-py logs the close it is told to make as a "websocket error, restarting": not one.
        quiet = _DropWhileStopping()
        stream_log = logging.getLogger("alpaca.trading.stream")
        stream_log.addFilter(quiet)
        try:
            self._stream.stop_fast()
        except Exception:  # the loop may be gone already; the thread is a daemon anyway
            log.debug("trade_updates stop raised", exc_info=True)
        finally:
            self._thread.join(timeout=10)
            stream_log.removeFilter(quiet)
        self._thread = None

    def drain(self) -> list[TradeUpdate]:
        out: list[TradeUpdate] = []
        while True:
            try:
                out.append(self.updates.get_nowait())
            except queue.Empty:
                return out

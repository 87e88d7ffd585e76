"""FakeAlpaca: a local Alpaca paper server (REST + trade_updates websocket) driven by a bar feed.

    with FakeAlpaca(api_key="k", secret_key="s", cash=100_000) as fake:
        client = TradingClient("k", "s", url_override=fake.base_url)
        fake.set_time("2024-01-02T14:30Z")
        client.submit_order(...)
        fake.feed_bar("2024-01-02T05:00Z", {"AAPL": (185.0, 186.0, 184.0, 185.5, 1e6)})  # fills at the open

The server runs on 127.0.0.1 (ephemeral port) in a background thread with its own event loop. Time
only moves when the caller says so (set_time / feed_bar), so runs are deterministic.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import pandas as pd
from aiohttp import web

from parity.brokers.alpaca.fake.bar_store import BarStore, normalize_timeframe
from parity.brokers.alpaca.fake.faults import RATE_LIMIT, FaultPlan, FaultRule, rate_limit_headers
from parity.brokers.alpaca.fake.ledger import Ledger
from parity.brokers.alpaca.fake.matching import FillFn
from parity.brokers.alpaca.fake.market_time import is_market_open, to_utc
from parity.brokers.alpaca.fake.model import ApiError, Asset, Bar, FakeOrder
from parity.brokers.alpaca.fake.routes import FAKE_KEY, add_routes
from parity.brokers.alpaca.fake.stream import StreamHub
from parity.brokers.alpaca.fake.wire import account_json, order_json

log = logging.getLogger(__name__)

BarInput = Sequence[float] | Mapping[str, float] | Bar


@dataclass(frozen=True)
class RequestRecord:
    """One HTTP request as the server saw it (recorded before any fault is applied)."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    client_order_id: str | None
    wall_time: float


class FakeAlpaca:
    def __init__(
        self,
        api_key: str = "fake-key-id",
        secret_key: str = "fake-secret-key",
        cash: float = 100_000.0,
        *,
        now: Any = "2024-01-02T14:30:00Z",
        host: str = "127.0.0.1",
        port: int = 0,
        multiplier: float = 2.0,
        enforce_buying_power: bool = True,
        bar_timeframe: str = "1Day",
        rate_limit_per_minute: int | None = None,
        single_stream_connection: bool = False,
    ) -> None:
        self.api_key, self.secret_key = api_key, secret_key
        self.host, self.port = host, port
        self.ledger = Ledger(cash=cash, now=to_utc(now), multiplier=multiplier, enforce_buying_power=enforce_buying_power)
        self.bars = BarStore()
        self.bar_timeframe = normalize_timeframe(bar_timeframe)
        self.faults = FaultPlan()
        self.fill_price_fn: FillFn | None = None  # (order, bar) -> (price, qty) | None; None = default model
        self.rate_limit_per_minute = rate_limit_per_minute
        self.hub = StreamHub(api_key, secret_key, single_connection=single_stream_connection)
        self.ledger.on_event = self.hub.publish_threadsafe
        self._requests: list[RequestRecord] = []
        self._recent: deque[float] = deque()  # wall times of the last minute's requests
        self._log_lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    @property
    def base_url(self) -> str:
        if self._thread is None:
            raise RuntimeError("FakeAlpaca is not started: call start() or use it as a context manager")
        return f"http://{self.host}:{self.port}"

    @property
    def stream_url(self) -> str:
        return f"ws://{self.host}:{self.port}/stream"

    def start(self) -> str:
        """Start serving in a background thread; returns the base URL (http://127.0.0.1:PORT)."""
        if self._thread is not None:
            return self.base_url
        ready = threading.Event()
        failure: list[BaseException] = []
        self._thread = threading.Thread(target=self._serve, args=(ready, failure), name="fake-alpaca", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            self._thread = None
            raise RuntimeError(f"fake Alpaca server failed to start on {self.host}:{self.port}: {failure[0]}")
        return self.base_url

    def _serve(self, ready: threading.Event, failure: list[BaseException]) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = self.hub.loop = loop
        try:
            app = web.Application(middlewares=[self._middleware])
            app[FAKE_KEY] = self
            add_routes(app)
            app.router.add_get("/stream", self.hub.handle)
            self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
            loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, self.host, self.port)
            loop.run_until_complete(site.start())
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        except BaseException as e:  # noqa: BLE001 - reported to start()
            failure.append(e)
            ready.set()
            loop.close()
            return
        ready.set()
        loop.run_forever()
        loop.run_until_complete(self._runner.cleanup())
        loop.close()

    def stop(self) -> None:
        if self._thread is None or self._loop is None:
            return
        self._loop.call_soon_threadsafe(self.hub.drop_all)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._thread = None

    def __enter__(self) -> "FakeAlpaca":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ driving time and bars
    @property
    def now(self) -> pd.Timestamp:
        return self.ledger.now

    def set_time(self, ts: Any) -> None:
        """Move the fake's clock (never backwards). Orders queued while closed go live at the open."""
        with self.ledger.lock:
            t = to_utc(ts)
            if t < self.ledger.now:
                raise ValueError(f"fake clock cannot go back: {t} < {self.ledger.now}")
            self.ledger.now = t
            if is_market_open(t):
                self.ledger.activate_accepted()

    def feed_bar(self, ts: Any, bars: Mapping[str, BarInput], *, match: bool = True, timeframe: str | None = None) -> None:
        """A bar for each symbol, starting at `ts` (Alpaca's `t`): stored for the data API, then matched.

        Values are (open, high, low, close, volume) tuples, {"o","h","l","c","v"} dicts or Bar. Queued
        orders go live first, then working orders fill via `fill_price_fn` (default: market at the
        open, limits when marketable). Fill timestamps are the fake's now (moved up to `ts` if behind).
        """
        t = to_utc(ts)
        parsed = {symbol: _as_bar(t, symbol, value) for symbol, value in bars.items()}
        rows = [(symbol, t, b.open, b.high, b.low, b.close, b.volume) for symbol, b in parsed.items()]
        self.bars.add_frame(pd.DataFrame(rows, columns=["symbol", "t", "o", "h", "l", "c", "v"]), timeframe or self.bar_timeframe)
        with self.ledger.lock:
            if t > self.ledger.now:
                self.ledger.now = t
            if match:
                self.ledger.activate_accepted()
                self.ledger.match_bars(parsed, self.fill_price_fn, self.faults.shrink_fill)
            else:
                for symbol, b in parsed.items():
                    self.ledger.marks[symbol] = b.close

    def load_bars(self, frame: pd.DataFrame, timeframe: str | None = None) -> None:
        """History for GET /v2/stocks/bars only (no matching): columns symbol, t, o, h, l, c, v[, n, vw]."""
        self.bars.add_frame(frame, timeframe or self.bar_timeframe)

    def end_session(self) -> list[dict[str, Any]]:
        """The session closes: working day orders expire (events sent). Returns the expired orders."""
        return [order_json(o) for o in self.ledger.end_session()]

    def fill(self, client_order_id: str, price: float, qty: float | None = None) -> dict[str, Any]:
        """Execute (part of) an order now at `price`, bypassing the bar model. Returns the order JSON."""
        with self.ledger.lock:
            order = self.ledger.find_by_client_id(client_order_id)
            self.ledger.apply_fill(order, order.remaining if qty is None else qty, price)
            return order_json(order)

    def cancel(self, client_order_id: str) -> dict[str, Any]:
        """Cancel from the venue's side (e.g. a halt): the client gets a `canceled` event."""
        with self.ledger.lock:
            order = self.ledger.cancel(self.ledger.find_by_client_id(client_order_id).id, immediate=True)
            return order_json(order)

    def reject(self, client_order_id: str, reason: str = "rejected by the venue") -> dict[str, Any]:
        """The venue rejects an acknowledged order: status rejected and a `rejected` event."""
        with self.ledger.lock:
            return order_json(self.ledger.reject(self.ledger.find_by_client_id(client_order_id).id, reason))

    @property
    def async_cancels(self) -> bool:
        """When True, a cancel leaves the order pending_cancel until the next bar, so a fill can race it
        (the client then gets order_cancel_rejected and the fill)."""
        return self.ledger.async_cancels

    @async_cancels.setter
    def async_cancels(self, value: bool) -> None:
        self.ledger.async_cancels = bool(value)

    def set_asset(self, symbol: str, **attrs: Any) -> None:
        """Override an asset's flags, e.g. set_asset("GME", shortable=False, easy_to_borrow=False)."""
        with self.ledger.lock:
            self.ledger.assets[symbol] = Asset(symbol, **attrs)

    def set_mark(self, symbol: str, price: float) -> None:
        with self.ledger.lock:
            self.ledger.marks[symbol] = float(price)

    # ------------------------------------------------------------------ inspection
    def account_json(self) -> dict[str, Any]:
        ledger = self.ledger
        with ledger.lock:
            long_mv, short_mv = ledger.market_values()
            return account_json(
                key=self.api_key, cash=ledger.cash, long_mv=long_mv, short_mv=short_mv, last_equity=ledger.last_equity,
                buying_power=ledger.buying_power(), multiplier=ledger.multiplier, created_at=ledger.created_at,
            )

    @property
    def cash(self) -> float:
        return self.ledger.cash

    @property
    def positions(self) -> dict[str, float]:
        """{symbol: signed qty} for non-zero positions."""
        with self.ledger.lock:
            return {s: p.qty for s, p in sorted(self.ledger.positions.items())}

    def orders(self) -> list[dict[str, Any]]:
        """Every order ever accepted, in submission order, as the API shows it."""
        with self.ledger.lock:
            return [order_json(o) for o in sorted(self.ledger.orders.values(), key=lambda o: o.seq)]

    def order(self, client_order_id: str) -> FakeOrder:
        return self.ledger.find_by_client_id(client_order_id)

    @property
    def events(self) -> list[dict[str, Any]]:
        """Every trade_updates message published so far (whether or not anyone was listening)."""
        with self.ledger.lock:
            return list(self.ledger.events)

    @property
    def requests(self) -> list[RequestRecord]:
        with self._log_lock:
            return list(self._requests)

    def posted_client_order_ids(self) -> list[str | None]:
        """client_order_id of every POST /v2/orders received, in order (duplicates included)."""
        return [r.client_order_id for r in self.requests if r.method == "POST" and r.path == "/v2/orders"]

    @property
    def stream_listeners(self) -> int:
        return self.hub.listeners

    @property
    def stream_connections(self) -> int:
        return self.hub.connections

    def wait_for_listeners(self, count: int = 1, timeout: float = 10.0, *, min_connections: int = 0) -> None:
        """Block until `count` clients listen to trade_updates (and, to await a reconnect, until at
        least `min_connections` handshakes have happened in total)."""
        deadline = time.monotonic() + timeout
        while self.hub.listeners < count or self.hub.connections < min_connections:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no trade_updates listener connected within {timeout}s")
            time.sleep(0.01)

    def drop_streams(self, after_events: int = 0) -> None:
        """Cut every trade_updates connection (abruptly, no close frame): now, or once `after_events`
        more events have been delivered (e.g. in the middle of a bar's fills). Events published while
        no client listens are lost, as on the real stream."""
        if self._loop is None:
            return
        if after_events > 0:
            self.hub.drop_after_threadsafe(after_events)
        else:
            asyncio.run_coroutine_threadsafe(_call(self.hub.drop_all), self._loop).result(5)

    # ------------------------------------------------------------------ request pipeline
    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        body = await _peek_json(request)
        cid = body.get("client_order_id") if isinstance(body, dict) else None
        with self._log_lock:
            self._requests.append(RequestRecord(request.method, request.path, dict(request.query), body, cid, time.time()))
            remaining = self._count_rate()
        rule = self.faults.take(request.method, request.path)
        if rule is not None and rule.delay:
            await asyncio.sleep(rule.delay)
        if rule is not None and rule.action == "drop":
            return _drop(request)
        if rule is not None and rule.action == "respond" and rule.status is not None:
            return _fault_response(rule)
        if request.path != "/stream" and not self._authorized(request):
            return _error(ApiError(401, 40110000, "request is not authorized"))
        if self.rate_limit_per_minute is not None and remaining < 0:
            return _error(ApiError(429, 42910000, "rate limit exceeded"), rate_limit_headers(0, 60))
        try:
            response = await handler(request)
        except ApiError as e:
            response = _error(e)
        if rule is not None and rule.action == "lose_response":
            return _drop(request) if rule.status is None else _fault_response(rule)
        if request.path != "/stream":
            for k, v in rate_limit_headers(max(remaining, 0), 60).items():
                response.headers[k] = v
        return response

    def _authorized(self, request: web.Request) -> bool:
        h = request.headers
        return h.get("APCA-API-KEY-ID") == self.api_key and h.get("APCA-API-SECRET-KEY") == self.secret_key

    def _count_rate(self) -> int:
        """Requests left in the sliding minute (only enforced when rate_limit_per_minute is set)."""
        now = time.monotonic()
        self._recent.append(now)
        while self._recent and self._recent[0] < now - 60:
            self._recent.popleft()
        limit = self.rate_limit_per_minute or RATE_LIMIT
        return limit - len(self._recent)


async def _call(fn: Any) -> None:
    fn()


async def _peek_json(request: web.Request) -> Any:
    if not request.can_read_body:
        return None
    raw = await request.read()  # aiohttp caches it; handlers read it again
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")


def _error(e: ApiError, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(status=e.status, text=json.dumps(e.body()), content_type="application/json", headers=headers)


def _fault_response(rule: FaultRule) -> web.Response:
    if isinstance(rule.body, (dict, list)):
        return web.Response(status=rule.status, text=json.dumps(rule.body), content_type="application/json", headers=rule.headers)
    return web.Response(status=rule.status, text=rule.body or "", content_type="text/html", headers=rule.headers)


def _drop(request: web.Request) -> web.Response:
    """Close the socket without answering; the client sees a connection error."""
    if request.transport is not None:
        request.transport.abort()
    raise asyncio.CancelledError


def _as_bar(t: pd.Timestamp, symbol: str, value: BarInput) -> Bar:
    if isinstance(value, Bar):
        return value._replace(ts=t)
    if isinstance(value, Mapping):
        return Bar(t, float(value["o"]), float(value["h"]), float(value["l"]), float(value["c"]), float(value.get("v", 0.0)))
    values = [float(x) for x in value]
    if len(values) not in (4, 5):
        raise ValueError(f"bar for {symbol} must be (open, high, low, close[, volume]), got {value!r}")
    o, h, l, c = values[:4]  # noqa: E741
    return Bar(t, o, h, l, c, values[4] if len(values) == 5 else 0.0)

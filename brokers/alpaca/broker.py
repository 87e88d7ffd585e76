"""AlpacaBroker: the engine's Broker protocol over Alpaca's Trading API (alpaca-py).

- REST (TradingClient) for account, positions, orders, clock and calendar, hardened by
  brokers/alpaca/resilience.py (timeout, rate limit, backoff; alpaca-py's own retry off).
- trade_updates (TradingStream in a thread) for fills and status changes; REST polling covers a
  dropped stream and recovers what was missed (brokers/alpaca/tracker.py dedupes).
- Every order is journaled with its client_order_id before it is sent; a failed or ambiguous
  POST is never retried before the order has been looked up by client_order_id (submit_one).
- The real-money endpoint is used only with alpaca.paper=false AND alpaca.allow_live_trading=true.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Sequence

import requests
from alpaca.common.exceptions import APIError
from alpaca.trading.client import TradingClient
from alpaca.common.enums import Sort
from alpaca.trading.enums import QueryOrderStatus
from alpaca.trading.models import Order
from alpaca.trading.requests import GetCalendarRequest, GetOrdersRequest, ReplaceOrderRequest

from parity.brokers.alpaca import mapping
from parity.brokers.alpaca.credentials import Credentials, credentials_from_env, install_redaction
from parity.brokers.alpaca.resilience import HardenedRequest, HttpPolicy, RateLimiter, harden, retry_delay
from parity.brokers.alpaca.stream import TradeUpdateStream
from parity.brokers.alpaca.tracker import OrderTracker
from parity.engine.broker import AccountState, OrderAck, OrderEvent, OrderRequest
from parity.engine.clock import Clock, WallClock
from parity.engine.journal import Journal
from parity.engine.types import TimeInForce

log = logging.getLogger(__name__)


class BrokerUnavailable(RuntimeError):
    """Alpaca could not be reached after the allowed attempts."""


@dataclass(frozen=True)
class MarketClock:
    now_ns: int
    is_open: bool
    next_open_ns: int
    next_close_ns: int


@dataclass(frozen=True)
class Session:
    date: date
    open_ns: int
    close_ns: int  # early closes included


class AlpacaBroker:
    """Implements parity.engine.broker.Broker. Use as a context manager (starts/stops the stream)."""

    def __init__(self, alpaca_cfg: Any, creds: Credentials | None = None, journal: Journal | None = None,
                 run_key: str = "", clock: Clock | None = None, use_stream: bool = True,
                 poll_interval_s: float = 5.0, submit_attempts: int = 5,
                 sleep: Callable[[float], None] = time.sleep, limiter: RateLimiter | None = None) -> None:
        self._cfg = alpaca_cfg
        self._creds = creds or credentials_from_env()
        install_redaction(self._creds)
        paper = self._paper_endpoint(alpaca_cfg)
        self._policy = HttpPolicy.from_config(alpaca_cfg)
        self._sleep = sleep
        self.client = TradingClient(self._creds.key_id, self._creds.secret_key, paper=paper,
                                    url_override=alpaca_cfg.trading_url)
        self.http: HardenedRequest = harden(self.client, self._policy, limiter, sleep=sleep)
        self.journal = journal
        self.run_key = run_key
        self._clock = clock or WallClock()
        self._tracker = OrderTracker(journal)
        # What we asked for, by client_order_id (side, qty, time in force of our own orders).
        self._requests: dict[str, OrderRequest] = (
            {i.request.client_order_id: i.request for i in journal.intents()} if journal is not None else {})
        self._events: list[OrderEvent] = []
        self._submit_attempts = submit_attempts
        self._poll_interval_ns = int(poll_interval_s * 1e9)
        self._last_poll_ns = -(2 ** 62)
        self._stream = TradeUpdateStream(self._creds, paper, alpaca_cfg.stream_url) if use_stream else None
        self._polled_connections = 0

    @staticmethod
    def _paper_endpoint(cfg: Any) -> bool:
        if cfg.paper:
            return True
        if not cfg.allow_live_trading:  # the schema refuses this too; never rely on one guard
            raise ValueError("alpaca.paper is false but alpaca.allow_live_trading is not true; refusing real money")
        log.warning("LIVE TRADING: orders go to the real-money endpoint")
        return False

    # --- lifecycle --------------------------------------------------------------------------------
    def start(self) -> "AlpacaBroker":
        if self._stream is not None and not self._stream.start():
            log.warning("trade_updates stream not connected yet; polling REST until it is")
        return self

    def close(self) -> None:
        if self._stream is not None:
            self._stream.stop()

    def __enter__(self) -> "AlpacaBroker":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- Broker protocol --------------------------------------------------------------------------
    def account(self) -> AccountState:
        return mapping.account_state(self.client.get_account())

    def positions(self) -> dict[str, float]:
        return mapping.positions_map(self.client.get_all_positions())

    def submit(self, orders: Sequence[OrderRequest]) -> list[OrderAck]:
        return [self.submit_one(req) for req in orders]

    def cancel(self, client_order_ids: Sequence[str]) -> None:
        for cid in client_order_ids:
            tracked = self._tracker.get(cid)
            order_id = tracked.broker_order_id if tracked else None
            if order_id is None:
                order = self.lookup(cid)
                if order is None:
                    log.warning("cancel %s: no such order at the broker", cid)
                    continue
                order_id = str(order.id)
            try:
                self.client.cancel_order_by_id(order_id)
            except APIError as exc:
                info = mapping.error_info(exc)
                if info.status in (404, 422):  # already done: its final state arrives as an event
                    log.info("cancel %s: %s", cid, info.message)
                else:
                    raise

    def open_orders(self) -> list[OrderEvent]:
        orders = self.client.get_orders(GetOrdersRequest(status=QueryOrderStatus.OPEN, limit=500))
        return [mapping.order_event(o) for o in orders if mapping.is_working(o)]

    def events_since(self, cursor: int) -> tuple[list[OrderEvent], int]:
        self.sync()
        return self._events[cursor:], len(self._events)

    # --- submitting without duplicates ------------------------------------------------------------
    def submit_one(self, req: OrderRequest) -> OrderAck:
        now = self._clock.now_ns()
        self._requests[req.client_order_id] = req
        if self.journal is not None and not self.journal.record_intent(req, self.run_key, now):
            # Journaled before: it may have been sent by a run that crashed. Never send blindly.
            existing = self.lookup(req.client_order_id)
            if existing is not None:
                return self._accepted(req, existing)
        self._before_send(req)
        last_error = "no attempt made"
        ambiguous = False  # did any attempt possibly reach the venue without an answer?
        for attempt in range(self._submit_attempts):
            if attempt > 0:
                existing = self.lookup(req.client_order_id)
                if existing is not None:
                    return self._accepted(req, existing)
            try:
                order = self._post_order(req)
            except APIError as exc:
                info = mapping.error_info(exc)
                if info.duplicate_client_order_id:
                    existing = self.lookup(req.client_order_id)
                    if existing is not None:
                        return self._accepted(req, existing)
                if not info.transient:
                    return self._rejected(req, info.message or f"HTTP {info.status}")
                last_error = f"HTTP {info.status}: {info.message}"
                ambiguous = ambiguous or info.status in (None, 502, 504)  # a gateway may have passed it on
                delay = retry_delay(exc.response, attempt, self._policy)
                if info.status != 429 and delay > 0:  # a 429 already paused the rate limiter
                    self._sleep(delay)
            except (requests.ConnectionError, requests.Timeout) as exc:
                last_error = type(exc).__name__  # it may have arrived: look up before any resend
                ambiguous = True
                self._sleep(retry_delay(None, attempt, self._policy))
            else:
                return self._accepted(req, order)
        existing = self.lookup(req.client_order_id)
        if existing is not None:
            return self._accepted(req, existing)
        reason = f"broker unavailable after {self._submit_attempts} attempts ({last_error})"
        # If an attempt may still land, the intent stays open so the next start-up looks it up again.
        return self._rejected(req, reason, keep_intent=ambiguous)

    def _before_send(self, req: OrderRequest) -> None:
        """Hook between journaling the intent and the POST (fault tests simulate a crash here)."""

    def _post_order(self, req: OrderRequest) -> Order:
        return self.client.submit_order(mapping.to_alpaca_order(req))

    def _accepted(self, req: OrderRequest, order: Order) -> OrderAck:
        now = self._clock.now_ns()
        self._tracker.track(req.client_order_id, req.symbol, str(order.id), now)
        if self.journal is not None:
            self.journal.mark(req.client_order_id, "acked", now, str(order.id))
        self._events.extend(self._tracker.on_snapshot(order))
        return OrderAck(req.client_order_id, True, str(order.id))

    def _rejected(self, req: OrderRequest, reason: str, keep_intent: bool = False) -> OrderAck:
        now = self._clock.now_ns()
        if self.journal is not None:
            self.journal.mark(req.client_order_id, "intent" if keep_intent else "rejected", now, reason=reason)
        self._events.append(self._tracker.on_reject(req.client_order_id, req.symbol, now, reason))
        log.warning("order %s rejected: %s", req.client_order_id, reason)
        return OrderAck(req.client_order_id, False, None, reason)

    def adopt(self, req: OrderRequest, order: Order) -> OrderAck:
        """Take over an order found at the broker (sent by a run that crashed before the ack)."""
        return self._accepted(req, order)

    def event_count(self) -> int:
        """The cursor after every event so far (a restarted runner starts from here)."""
        return len(self._events)

    def lookup(self, client_order_id: str) -> Order | None:
        """The order with this client_order_id at the broker, or None if it never arrived."""
        try:
            return self.client.get_order_by_client_id(client_order_id)
        except APIError as exc:
            info = mapping.error_info(exc)
            if info.not_found:
                return None
            raise BrokerUnavailable(f"looking up order {client_order_id}: HTTP {info.status} {info.message}") from None

    def replace(self, client_order_id: str, qty: float | None = None, limit_price: float | None = None,
                new_client_order_id: str | None = None) -> OrderAck:
        tracked = self._tracker.get(client_order_id)
        order_id = tracked.broker_order_id if tracked and tracked.broker_order_id else None
        if order_id is None:
            found = self.lookup(client_order_id)
            if found is None:
                return OrderAck(client_order_id, False, None, "no such order")
            order_id = str(found.id)
        try:
            new = self.client.replace_order_by_id(order_id, ReplaceOrderRequest(
                qty=int(qty) if qty is not None else None,
                limit_price=mapping.round_price(limit_price) if limit_price is not None else None,
                client_order_id=new_client_order_id))
        except APIError as exc:
            return OrderAck(client_order_id, False, None, mapping.error_info(exc).message)
        self._tracker.track(new.client_order_id, new.symbol or "", str(new.id), self._clock.now_ns())
        return OrderAck(new.client_order_id, True, str(new.id))

    # --- keeping up with the venue ----------------------------------------------------------------
    def sync(self, force_poll: bool = False) -> list[OrderEvent]:
        """Drain the stream; poll REST when the stream is down, reconnected, or on schedule."""
        start = len(self._events)
        if self._stream is not None:
            for update in self._stream.drain():
                self._events.extend(self._tracker.on_update(update))
        now = self._clock.now_ns()
        # A (re)connect may have followed a gap; otherwise poll on schedule (the fallback when the
        # stream is down, and a cheap safety net when it is up).
        reconnected = self._stream is not None and self._stream.connections != self._polled_connections
        due = now - self._last_poll_ns >= self._poll_interval_ns
        if force_poll or reconnected or due:
            if self._tracker.working():
                self.recover()
            self._last_poll_ns = now
            if self._stream is not None:
                self._polled_connections = self._stream.connections
        return self._events[start:]

    def recover(self) -> list[OrderEvent]:
        """Poll every order still working and book whatever the stream missed."""
        start = len(self._events)
        working = self._tracker.working()
        if not working:
            return []
        seen: set[str] = set()
        after = datetime.fromtimestamp(min(t.submitted_ns for t in working.values()) / 1e9 - 86_400, tz=timezone.utc)
        orders = self.client.get_orders(GetOrdersRequest(status=QueryOrderStatus.ALL, limit=500, after=after,
                                                         direction=Sort.ASC))
        for order in orders:
            if order.client_order_id in working:
                seen.add(order.client_order_id)
                self._events.extend(self._tracker.on_snapshot(order))
        for cid in working.keys() - seen:  # more than 500 orders, or a list that lags: ask one by one
            order = self.lookup(cid)
            if order is not None:
                self._events.extend(self._tracker.on_snapshot(order))
        return self._events[start:]

    def wait_until_done(self, client_order_ids: Sequence[str], timeout_s: float = 30.0,
                        poll_s: float = 0.05) -> bool:
        """Block (real time) until these orders are terminal; used by tests and the replay demo."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self.sync()
            if all((t := self._tracker.get(c)) is not None and t.done for c in client_order_ids):
                return True
            time.sleep(poll_s)
        self.sync(force_poll=True)
        return all((t := self._tracker.get(c)) is not None and t.done for c in client_order_ids)

    def position_details(self) -> dict[str, tuple[float, float]]:
        """{symbol: (signed shares, average entry price)} (the stop-loss rules need the entry)."""
        return mapping.position_details(self.client.get_all_positions())

    def working_signed_qty(self, client_order_ids: Sequence[str]) -> dict[str, float]:
        """Signed requested quantity of our own orders (others' orders are not counted)."""
        out = {}
        for cid in client_order_ids:
            req = self._requests.get(cid)
            if req is not None:
                out[cid] = float(req.side) * req.qty
        return out

    def time_in_force(self, client_order_id: str) -> TimeInForce | None:
        req = self._requests.get(client_order_id)
        return None if req is None else TimeInForce(req.time_in_force)

    def working_orders(self) -> list[str]:
        return sorted(self._tracker.working())

    # --- market clock -----------------------------------------------------------------------------
    def market_clock(self) -> MarketClock:
        c = self.client.get_clock()
        return MarketClock(mapping.to_ns(c.timestamp), bool(c.is_open), mapping.to_ns(c.next_open), mapping.to_ns(c.next_close))

    def calendar(self, start: date, end: date) -> list[Session]:
        """Sessions between two dates; Alpaca gives naive New York wall-clock times."""
        import pandas as pd

        days = self.client.get_calendar(GetCalendarRequest(start=start, end=end))
        out = []
        for d in days:
            open_ts = pd.Timestamp(d.open).tz_localize("America/New_York")
            close_ts = pd.Timestamp(d.close).tz_localize("America/New_York")
            out.append(Session(d.date, int(open_ts.value), int(close_ts.value)))
        return out

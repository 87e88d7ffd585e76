"""HTTP hardening for alpaca-py clients: timeout, client-side rate limit, polite backoff.

alpaca-py 0.44.0 sets no timeout on its `requests.Session` and retries 429/504 four times with a
fixed 3 s sleep, POST /v2/orders included (reference/alpaca.md §0, §4). `harden(client, policy)`
turns that retry off and wraps the session so that every call
  - waits for a slot under `max_requests_per_minute` (Alpaca allows 200/min per account),
  - carries a timeout,
  - when idempotent (GET, DELETE), is retried on 429 / 5xx / connection errors after the delay
    the server asked for (Retry-After, X-RateLimit-Reset) or an exponential one.
POST and PATCH are never retried here: the broker decides, after looking the order up by its
client_order_id (brokers/alpaca/submit.py).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable

import requests

log = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "DELETE", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class HttpPolicy:
    timeout_s: float = 10.0
    max_requests_per_minute: int = 180
    max_attempts: int = 5  # per idempotent request, first try included
    base_delay_s: float = 0.5
    max_delay_s: float = 30.0

    @classmethod
    def from_config(cls, alpaca_cfg: Any) -> "HttpPolicy":
        return cls(timeout_s=float(alpaca_cfg.http_timeout_s),
                   max_requests_per_minute=int(alpaca_cfg.max_requests_per_minute))


class RateLimiter:
    """At most `per_minute` acquisitions in any 60 s window (sliding log; thread-safe)."""

    def __init__(self, per_minute: int, monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, window_s: float = 60.0) -> None:
        if per_minute < 1:
            raise ValueError("RateLimiter: per_minute must be >= 1")
        self._per_minute, self._window = per_minute, window_s
        self._monotonic, self._sleep = monotonic, sleep
        self._stamps: deque[float] = deque()
        self._lock = threading.Lock()
        self._blocked_until = float("-inf")
        self.waited_s = 0.0  # total time spent waiting, for figures

    def monotonic(self) -> float:
        return self._monotonic()

    def acquire(self) -> None:
        while True:
            with self._lock:
                now = self._monotonic()
                blocked = self._blocked_until - now
                while self._stamps and now - self._stamps[0] >= self._window:
                    self._stamps.popleft()
                if blocked <= 0 and len(self._stamps) < self._per_minute:
                    self._stamps.append(now)
                    return
                wait = blocked if blocked > 0 else self._window - (now - self._stamps[0])
            self.waited_s += wait
            self._sleep(wait)

    def pause_until(self, monotonic_deadline: float) -> None:
        """Hold every caller until the deadline (a 429 said the server's window is spent)."""
        with self._lock:
            self._blocked_until = max(self._blocked_until, monotonic_deadline)


def retry_delay(response: requests.Response | None, attempt: int, policy: HttpPolicy,
                wall_time: Callable[[], float] = time.time) -> float:
    """Seconds to wait before attempt `attempt + 1`: what the server asked for, else exponential."""
    if response is not None:
        retry_after = response.headers.get("Retry-After")
        if retry_after is not None:
            try:
                return min(max(float(retry_after), 0.0), policy.max_delay_s)
            except ValueError:
                pass
        reset = response.headers.get("X-RateLimit-Reset")
        if reset is not None and response.status_code == 429:
            try:
                return min(max(float(reset) - wall_time(), 0.0), policy.max_delay_s)
            except ValueError:
                pass
    return min(policy.base_delay_s * (2 ** attempt), policy.max_delay_s)


class HardenedRequest:
    """A drop-in for `Session.request`: rate limit + timeout + retry of idempotent calls."""

    def __init__(self, inner: Callable[..., requests.Response], policy: HttpPolicy,
                 limiter: RateLimiter, sleep: Callable[[float], None] = time.sleep,
                 wall_time: Callable[[], float] = time.time) -> None:
        self._inner, self._policy, self._limiter = inner, policy, limiter
        self._sleep, self._wall_time = sleep, wall_time
        self.calls = 0
        self.retries = 0

    def __call__(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self._policy.timeout_s)
        idempotent = method.upper() in IDEMPOTENT_METHODS
        attempt = 0
        while True:
            self._limiter.acquire()
            self.calls += 1
            try:
                response = self._inner(method, url, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                if not idempotent or attempt + 1 >= self._policy.max_attempts:
                    raise
                delay = retry_delay(None, attempt, self._policy, self._wall_time)
                log.warning("%s %s: %s; retry %d in %.2fs", method, _path(url), type(exc).__name__, attempt + 1, delay)
            else:
                if response.status_code not in RETRYABLE_STATUS:
                    return response
                delay = retry_delay(response, attempt, self._policy, self._wall_time)
                if response.status_code == 429:
                    # Every caller waits, not just this one: the account's window is spent.
                    self._limiter.pause_until(self._limiter.monotonic() + delay)
                    delay = 0.0
                if not idempotent or attempt + 1 >= self._policy.max_attempts:
                    return response  # alpaca-py raises APIError; the caller decides
                log.warning("%s %s: HTTP %d; retry %d in %.2fs", method, _path(url), response.status_code, attempt + 1, delay)
            attempt += 1
            self.retries += 1
            if delay > 0:
                self._sleep(delay)


def _path(url: str) -> str:
    # Never log query strings (they may carry ids) or hosts; the path is enough to debug.
    return url.split("?", 1)[0].split("//", 1)[-1].partition("/")[2]


def disable_sdk_retry(client: Any) -> None:
    """alpaca-py ignores retry_attempts=0; set the private fields it actually reads."""
    client._retry = 0
    client._retry_wait = 0
    client._retry_codes = []


def harden(client: Any, policy: HttpPolicy, limiter: RateLimiter | None = None,
           sleep: Callable[[float], None] = time.sleep) -> HardenedRequest:
    """Make `client` (any alpaca-py RESTClient) safe to use; returns the wrapper (for counters)."""
    disable_sdk_retry(client)
    limiter = limiter or RateLimiter(policy.max_requests_per_minute, sleep=sleep)
    wrapper = HardenedRequest(client._session.request, policy, limiter, sleep=sleep)
    client._session.request = wrapper  # type: ignore[method-assign]
    return wrapper

"""A small plan of injected faults: "the next N requests to path P get status S", and friends.

Rules are consumed in the order they were added; a rule matches on method (or any) and an fnmatch
pattern over the request path ("/v2/orders", "/v2/orders*", "*"). Thread-safe: tests add rules from
their thread while the server consumes them on its own.
"""

from __future__ import annotations

import fnmatch
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from parity.brokers.alpaca.fake.model import FakeOrder

RATE_LIMIT = 200  # Alpaca's trading API allows 200 requests per minute per account


@dataclass
class FaultRule:
    path: str
    method: str | None = None  # None matches any method
    status: int | None = None  # respond with this instead of the real answer
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering
    # "respond": answer with `status` without touching state; "drop": close the connection unanswered;
    # "lose_response": do the real work (e.g. record the order), then drop or answer `status` instead.
    action: str = "respond"
    count: int = 1  # hits left; -1 means forever

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and fnmatch.fnmatchcase(path, self.path)


def rate_limit_headers(remaining: int = 0, reset_in: float = 1.0) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": str(RATE_LIMIT),
        "X-RateLimit-Remaining": str(max(remaining, 0)),
        "X-RateLimit-Reset": str(int(time.time() + reset_in)),
    }


class FaultPlan:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._partials: list[float] = []  # fractions for the next fills, one per fill

    # ------------------------------------------------------------------ building the plan
    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self._rules.append(rule)
        return rule

    def fail(
        self, path: str, status: int, count: int = 1, *, method: str | None = None, body: Any = None, headers: dict[str, str] | None = None
    ) -> FaultRule:
        """The next `count` matching requests get `status` (default body {"code": status*100000, ...})."""
        body = body if body is not None else {"code": status * 100000, "message": _REASONS.get(status, "error")}
        return self.add(FaultRule(path, method, status, body, dict(headers or {}), count=count))

    def rate_limit(self, count: int = 1, path: str = "*", *, method: str | None = None, reset_in: float = 1.0) -> FaultRule:
        """429 {"code":42910000,"message":"rate limit exceeded"} with X-RateLimit-* headers."""
        body = {"code": 42910000, "message": "rate limit exceeded"}
        return self.add(FaultRule(path, method, 429, body, rate_limit_headers(0, reset_in), count=count))

    def server_error(self, path: str = "*", count: int = 1, *, method: str | None = None, status: int = 500) -> FaultRule:
        """5xx: 500 {"code":50010000,"message":"internal server error"}; 502/503/504 as plain gateway text."""
        body: Any = {"code": 50010000, "message": "internal server error"} if status == 500 else gateway_body(status)
        return self.add(FaultRule(path, method, status, body, count=count))

    def slow(self, path: str, delay: float, count: int = 1, *, method: str | None = None) -> FaultRule:
        """The next `count` matching requests are answered normally, `delay` seconds late."""
        return self.add(FaultRule(path, method, None, delay=delay, count=count))

    def drop_connection(self, path: str, count: int = 1, *, method: str | None = None) -> FaultRule:
        """Close the connection without an answer and without doing the work."""
        return self.add(FaultRule(path, method, None, action="drop", count=count))

    def reject_next_order(self, count: int = 1) -> FaultRule:
        """POST /v2/orders -> 403 insufficient buying power (nothing is recorded)."""
        body = {"code": 40310000, "message": "insufficient buying power", "buying_power": "0", "cost_basis": "0"}
        return self.add(FaultRule("/v2/orders", "POST", 403, body, count=count))

    def lose_order_response(self, count: int = 1, *, status: int | None = None) -> FaultRule:
        """POST /v2/orders is carried out (the order exists) but the answer is lost.

        status=None closes the connection (the client sees a connection error); status=504 answers a
        gateway timeout instead, which alpaca-py retries by default.
        """
        body = None if status is None else gateway_body(status) if status >= 502 else {"code": status * 100000, "message": "error"}
        return self.add(FaultRule("/v2/orders", "POST", status, body, action="lose_response", count=count))

    def partial_fills(self, fraction: float = 0.5, count: int = 1) -> None:
        """The next `count` fills execute only `fraction` of their qty (whole shares when the order is whole)."""
        if not 0 < fraction < 1:
            raise ValueError(f"partial fill fraction must be in (0, 1), got {fraction}")
        with self._lock:
            self._partials.extend([fraction] * count)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            self._partials.clear()

    @property
    def pending(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    # ------------------------------------------------------------------ consumed by the server
    def take(self, method: str, path: str) -> FaultRule | None:
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path):
                    if rule.count > 0:
                        rule.count -= 1
                        if rule.count == 0:
                            self._rules.remove(rule)
                    return rule
            return None

    def shrink_fill(self, order: FakeOrder, qty: float) -> float:
        """The qty a fill actually gets: all of it, or the next planned partial fraction."""
        with self._lock:
            if qty <= 0 or not self._partials:
                return qty
            fraction = self._partials.pop(0)
        part = qty * fraction
        if float(order.qty).is_integer():
            part = float(max(int(part), 1)) if qty >= 2 else qty
        return part


_REASONS = {400: "bad request", 401: "request is not authorized", 403: "forbidden", 404: "not found", 422: "invalid request", 429: "rate limit exceeded", 500: "internal server error"}


def gateway_body(status: int) -> str:
    """What a load balancer answers for 502/503/504: HTML, not JSON (APIError.code then fails)."""
    return f"<html><body><h1>{status} Gateway error</h1></body></html>"

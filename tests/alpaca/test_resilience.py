"""Timeout, rate limit and backoff of brokers/alpaca/resilience.py, in simulated time."""

from __future__ import annotations

import requests

from parity.brokers.alpaca.resilience import HardenedRequest, HttpPolicy, RateLimiter, harden, retry_delay


class FakeTime:
    def __init__(self) -> None:
        self.t = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.t

    def sleep(self, s: float) -> None:
        self.sleeps.append(s)
        self.t += s


def _response(status: int, **headers: str) -> requests.Response:
    r = requests.Response()
    r.status_code = status
    r.headers.update(headers)
    r._content = b"{}"
    return r


def test_rate_limiter_holds_the_fourth_call_until_the_first_leaves_the_window() -> None:
    ft = FakeTime()
    limiter = RateLimiter(3, monotonic=ft.monotonic, sleep=ft.sleep)
    for _ in range(3):
        limiter.acquire()
    ft.t += 10.0  # calls at t=1000 (x3); now 1010
    limiter.acquire()
    # the oldest stamp (1000) leaves the 60 s window at 1060: wait 50 s
    assert ft.sleeps == [50.0]


def test_rate_limiter_never_exceeds_its_budget_in_any_window() -> None:
    ft = FakeTime()
    limiter = RateLimiter(180, monotonic=ft.monotonic, sleep=ft.sleep)
    stamps = []
    for _ in range(1000):
        limiter.acquire()
        stamps.append(ft.t)
        ft.t += 0.01
    # sliding check: no 60 s window holds more than 180 calls
    j = 0
    for i, s in enumerate(stamps):
        while stamps[j] <= s - 60.0:
            j += 1
        assert i - j + 1 <= 180


def test_retry_delay_honours_retry_after_then_rate_limit_reset_then_backs_off() -> None:
    p = HttpPolicy(base_delay_s=0.5, max_delay_s=30.0)
    assert retry_delay(_response(429, **{"Retry-After": "7"}), 0, p) == 7.0
    # reset is an epoch second: 1_700_000_012 - 1_700_000_000 = 12 s
    assert retry_delay(_response(429, **{"X-RateLimit-Reset": "1700000012"}), 0, p, wall_time=lambda: 1_700_000_000.0) == 12.0
    assert retry_delay(_response(503), 3, p) == 4.0  # 0.5 * 2**3
    assert retry_delay(_response(429, **{"Retry-After": "900"}), 0, p) == 30.0  # capped


def _hardened(script: list, ft: FakeTime, policy: HttpPolicy | None = None) -> tuple[HardenedRequest, list]:
    calls: list = []

    def inner(method: str, url: str, **kw):  # noqa: ANN202
        calls.append((method, kw.get("timeout")))
        item = script.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    limiter = RateLimiter(180, monotonic=ft.monotonic, sleep=ft.sleep)
    return HardenedRequest(inner, policy or HttpPolicy(timeout_s=3.0), limiter, sleep=ft.sleep), calls


def test_get_is_retried_after_429_waiting_what_the_server_asked() -> None:
    ft = FakeTime()
    hr, calls = _hardened([_response(429, **{"Retry-After": "2"}), _response(200)], ft)
    assert hr("GET", "http://x/v2/orders").status_code == 200
    assert calls == [("GET", 3.0), ("GET", 3.0)]  # every call carries the timeout
    assert ft.t == 1002.0  # the rate limiter held the retry for the 2 s asked


def test_get_is_retried_on_5xx_and_connection_errors_then_gives_up() -> None:
    ft = FakeTime()
    script = [_response(500), requests.ConnectionError("boom"), _response(504)]
    hr, calls = _hardened(script, ft, HttpPolicy(max_attempts=3, base_delay_s=1.0))
    assert hr("GET", "http://x/v2/account").status_code == 504  # 3 attempts, last answer returned
    assert len(calls) == 3 and ft.sleeps == [1.0, 2.0]


def test_post_is_never_retried_here() -> None:
    ft = FakeTime()
    hr, calls = _hardened([_response(504), _response(200)], ft)
    assert hr("POST", "http://x/v2/orders", json={}).status_code == 504
    assert len(calls) == 1


def test_harden_turns_off_alpaca_py_retry_and_wraps_the_session() -> None:
    from alpaca.trading.client import TradingClient

    client = TradingClient("k", "s", paper=True, url_override="http://127.0.0.1:9")
    assert client._retry == 3 or client._retry > 0  # alpaca-py's default retries 429/504
    wrapper = harden(client, HttpPolicy())
    assert (client._retry, client._retry_codes) == (0, [])
    assert client._session.request is wrapper

"""Bar history served by GET /v2/stocks/bars, with Alpaca's paging and no look-ahead.

A bar becomes visible once it is complete at the fake's "now": an intraday bar at t + its length,
a daily bar at its session's close. Rows are ordered by symbol, then time; `limit` counts rows
across all symbols, and `next_page_token` is an opaque base64 offset.
"""

from __future__ import annotations

import base64
import bisect
import re
import threading
from dataclasses import dataclass
from typing import Any

import pandas as pd

from parity.brokers.alpaca.fake.market_time import rfc3339, session_closes_ns, to_utc
from parity.brokers.alpaca.fake.model import ApiError

_TIMEFRAME = re.compile(r"^(\d+)(Min|T|Hour|H|Day|D|Week|W|Month|M)$")
_UNIT = {"T": "Min", "H": "Hour", "D": "Day", "W": "Week", "M": "Month"}


def normalize_timeframe(text: str) -> str:
    """'5Min', '1Day', ... (alpaca-py's str(TimeFrame)); also accepts 5T / 1H / 1D."""
    m = _TIMEFRAME.match(text or "")
    if not m:
        raise ApiError(422, 40010001, f"invalid timeframe: {text!r}")
    return f"{int(m.group(1))}{_UNIT.get(m.group(2), m.group(2))}"


def _length(timeframe: str) -> pd.Timedelta:
    m = _TIMEFRAME.match(timeframe)
    amount, unit = int(m.group(1)), m.group(2)
    return {"Min": pd.Timedelta(minutes=amount), "Hour": pd.Timedelta(hours=amount),
            "Week": pd.Timedelta(weeks=amount), "Month": pd.Timedelta(days=31 * amount)}.get(unit, pd.Timedelta(days=amount))


@dataclass(frozen=True)
class StoredBar:
    t: int  # ns UTC, bar start
    visible_from: int  # ns UTC, when the bar is complete
    o: float
    h: float
    l: float  # noqa: E741 - Alpaca's key
    c: float
    v: float
    n: int | None
    vw: float | None

    def as_json(self) -> dict[str, Any]:
        vw = self.vw if self.vw is not None else round((self.h + self.l + self.c) / 3.0, 6)
        return {"t": rfc3339(pd.Timestamp(self.t, tz="UTC")), "o": self.o, "h": self.h, "l": self.l, "c": self.c,
                "v": int(round(self.v)), "n": int(self.n) if self.n is not None else 0, "vw": vw}


class BarStore:
    def __init__(self, page_size: int = 10000) -> None:
        self.page_size = page_size  # rows per answer at most (the real cap is 10000); tests shrink it
        self._lock = threading.Lock()
        self._bars: dict[str, dict[str, list[StoredBar]]] = {}  # timeframe -> symbol -> bars by t

    def add_frame(self, frame: pd.DataFrame, timeframe: str) -> None:
        """Bars from columns symbol, t (bar start; tz-aware, or naive UTC), o, h, l, c, v[, n, vw]."""
        timeframe = normalize_timeframe(timeframe)
        starts = pd.DatetimeIndex(pd.to_datetime(frame["t"], utc=True)).as_unit("ns").asi8
        if timeframe.endswith("Day"):
            visible = session_closes_ns(starts)
        else:
            visible = starts + _length(timeframe).value
        n = frame["n"] if "n" in frame else [None] * len(frame)
        vw = frame["vw"] if "vw" in frame else [None] * len(frame)
        columns = zip(frame["symbol"], starts.tolist(), visible.tolist(), frame["o"], frame["h"], frame["l"], frame["c"],
                      frame["v"], n, vw)
        with self._lock:
            table = self._bars.setdefault(timeframe, {})
            for symbol, t, seen, o, h, l, c, v, trades, vwap in columns:  # noqa: E741
                bar = StoredBar(t, seen, float(o), float(h), float(l), float(c), float(v),
                                None if _missing(trades) else int(trades), None if _missing(vwap) else float(vwap))
                _insert(table.setdefault(symbol, []), bar)

    def query(self, params: dict[str, str], now: pd.Timestamp) -> dict[str, Any]:
        symbols = [s for s in (params.get("symbols") or "").split(",") if s]
        if not symbols:
            raise ApiError(400, 40010001, "symbols is required")
        timeframe = normalize_timeframe(params.get("timeframe") or "")
        start = to_utc(params["start"]).value if params.get("start") else None
        end = to_utc(params["end"]).value if params.get("end") else None
        limit = int(params.get("limit") or 1000)
        if not 1 <= limit <= 10000:
            raise ApiError(422, 40010001, "invalid limit: must be between 1 and 10000")
        descending = params.get("sort", "asc").lower() == "desc"
        offset = _decode_token(params.get("page_token"))
        rows: list[tuple[str, StoredBar]] = []
        with self._lock:
            table = self._bars.get(timeframe, {})
            for symbol in sorted(set(symbols)):
                selected = [b for b in table.get(symbol, []) if b.visible_from <= now.value
                            and (start is None or b.t >= start) and (end is None or b.t <= end)]
                rows.extend((symbol, b) for b in (reversed(selected) if descending else selected))
        size = min(limit, self.page_size)
        page = rows[offset:offset + size]
        bars: dict[str, list[dict[str, Any]]] = {}
        for symbol, bar in page:
            bars.setdefault(symbol, []).append(bar.as_json())
        more = offset + size < len(rows)
        return {"bars": bars, "next_page_token": _encode_token(offset + size) if more else None}

    def latest(self, symbols: list[str], timeframe: str, now: pd.Timestamp) -> dict[str, Any]:
        """GET /v2/stocks/bars/latest: each symbol's last complete bar."""
        out: dict[str, Any] = {}
        with self._lock:
            table = self._bars.get(normalize_timeframe(timeframe), {})
            for symbol in symbols:
                visible = [b for b in table.get(symbol, []) if b.visible_from <= now.value]
                if visible:
                    out[symbol] = visible[-1].as_json()
        return {"bars": out}


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _insert(rows: list[StoredBar], bar: StoredBar) -> None:
    """Keep rows sorted by t; a bar with an existing t replaces it (Alpaca's "updated bar")."""
    if not rows or rows[-1].t < bar.t:  # the usual case: bars arrive in time order
        rows.append(bar)
        return
    i = bisect.bisect_left(rows, bar.t, key=lambda b: b.t)
    if i < len(rows) and rows[i].t == bar.t:
        rows[i] = bar
    else:
        rows.insert(i, bar)


def _encode_token(offset: int) -> str:
    return base64.b64encode(f"fake-offset:{offset}".encode()).decode()


def _decode_token(token: str | None) -> int:
    if not token:
        return 0
    try:
        kind, value = base64.b64decode(token).decode().split(":")
        assert kind == "fake-offset"
        return int(value)
    except Exception:  # noqa: BLE001 - any malformed token is the client's error
        raise ApiError(400, 40010001, "invalid page_token") from None

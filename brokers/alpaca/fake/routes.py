"""HTTP handlers: the trading endpoints TradingClient uses and the bars StockHistoricalDataClient reads.

Handlers only translate HTTP <-> Ledger calls; state rules live in ledger.py, shapes in wire.py.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from parity.brokers.alpaca.fake.market_time import calendar_days, clock_state, to_utc
from parity.brokers.alpaca.fake.model import OPEN, ApiError
from parity.brokers.alpaca.fake.wire import asset_json, order_json, position_json

if TYPE_CHECKING:
    from parity.brokers.alpaca.fake.server import FakeAlpaca


FAKE_KEY: web.AppKey["FakeAlpaca"] = web.AppKey("fake_alpaca")


def _fake(request: web.Request) -> "FakeAlpaca":
    return request.app[FAKE_KEY]


def ok(body: Any, status: int = 200) -> web.Response:
    return web.Response(status=status, text=json.dumps(body), content_type="application/json")


def _flag(value: str | None) -> bool:
    """alpaca-py sends booleans as 'True'/'False'."""
    return (value or "").strip().lower() in ("true", "1", "yes")


async def _json_body(request: web.Request) -> dict[str, Any]:
    try:
        raw = await request.read()  # cached by aiohttp: the middleware has read it already
        body = json.loads(raw) if raw else {}
    except ValueError:
        raise ApiError(400, 40010000, "request body format is invalid") from None
    if not isinstance(body, dict):
        raise ApiError(422, 40010001, "request body must be a JSON object")
    return body


# ---------------------------------------------------------------------- account, clock, calendar, assets
async def get_account(request: web.Request) -> web.Response:
    return ok(_fake(request).account_json())


async def get_clock(request: web.Request) -> web.Response:
    return ok(clock_state(_fake(request).now))


async def get_calendar(request: web.Request) -> web.Response:
    def day(key: str) -> dt.date | None:
        text = request.query.get(key)
        try:
            return dt.date.fromisoformat(text[:10]) if text else None
        except ValueError:
            raise ApiError(422, 40010001, f"invalid {key}: {text!r} (YYYY-MM-DD)") from None

    return ok(calendar_days(day("start"), day("end")))


async def list_assets(request: web.Request) -> web.Response:
    """The assets the fake knows: those set with set_asset() or used so far (real: every listed asset)."""
    ledger = _fake(request).ledger
    status = (request.query.get("status") or "").lower()
    with ledger.lock:
        assets = [asset_json(a) for _, a in sorted(ledger.assets.items())]
    return ok([a for a in assets if not status or a["status"] == status])


async def get_asset(request: web.Request) -> web.Response:
    return ok(asset_json(_fake(request).ledger.asset(request.match_info["symbol"])))


# ---------------------------------------------------------------------- orders
async def post_order(request: web.Request) -> web.Response:
    fake = _fake(request)
    order = fake.ledger.submit(await _json_body(request))
    body = order_json(order)
    fake.ledger.after_ack(order)
    return ok(body)


async def list_orders(request: web.Request) -> web.Response:
    q = request.query
    status = (q.get("status") or "open").lower()
    if status not in ("open", "closed", "all"):
        raise ApiError(422, 40010001, f"invalid status: {status!r} (open, closed or all)")
    limit = int(q.get("limit") or 50)
    if not 1 <= limit <= 500:
        raise ApiError(422, 40010001, "invalid limit: must be between 1 and 500")
    after = to_utc(q["after"]) if q.get("after") else None
    until = to_utc(q["until"]) if q.get("until") else None
    symbols = {s for s in (q.get("symbols") or "").split(",") if s}
    side = q.get("side")
    ledger = _fake(request).ledger
    with ledger.lock:
        orders = [
            o for o in ledger.orders.values()
            if (status == "all" or (o.status in OPEN) == (status == "open"))
            and (after is None or o.created_at > after)
            and (until is None or o.created_at < until)
            and (not symbols or o.symbol in symbols)
            and (not side or o.side == side)
        ]
        descending = (q.get("direction") or "desc").lower() != "asc"
        orders.sort(key=lambda o: (o.created_at, o.seq), reverse=descending)
        return ok([order_json(o) for o in orders[:limit]])


async def get_order(request: web.Request) -> web.Response:
    return ok(order_json(_fake(request).ledger.find(request.match_info["order_id"])))


async def get_order_by_client_id(request: web.Request) -> web.Response:
    cid = request.query.get("client_order_id")
    if not cid:
        raise ApiError(422, 40010001, "client_order_id is required")
    return ok(order_json(_fake(request).ledger.find_by_client_id(cid)))


async def replace_order(request: web.Request) -> web.Response:
    ledger = _fake(request).ledger
    new = ledger.replace(request.match_info["order_id"], await _json_body(request))
    body = order_json(new)
    ledger.after_ack(new)
    return ok(body)


async def cancel_order(request: web.Request) -> web.Response:
    _fake(request).ledger.cancel(request.match_info["order_id"])
    return web.Response(status=204)


async def cancel_all_orders(request: web.Request) -> web.Response:
    canceled = _fake(request).ledger.cancel_all()
    return ok([{"id": o.id, "status": 200, "body": order_json(o)} for o in canceled], status=207)


# ---------------------------------------------------------------------- positions
def _position_body(fake: "FakeAlpaca", symbol: str) -> dict[str, Any]:
    ledger = fake.ledger
    p = ledger.positions.get(symbol)
    if p is None:
        raise ApiError(404, 40410000, "position does not exist")
    price = ledger.marks.get(symbol, p.avg_entry_price)
    lastday = ledger.lastday.get(symbol, price)
    available = p.qty - ledger.held_for_sells(symbol) if p.qty > 0 else p.qty
    return position_json(p, ledger.asset(symbol), price, lastday, available)


async def list_positions(request: web.Request) -> web.Response:
    fake = _fake(request)
    with fake.ledger.lock:
        return ok([_position_body(fake, s) for s in sorted(fake.ledger.positions)])


async def get_position(request: web.Request) -> web.Response:
    fake = _fake(request)
    with fake.ledger.lock:
        return ok(_position_body(fake, request.match_info["symbol"].upper()))


def _close(fake: "FakeAlpaca", symbol: str, qty: float | None = None, percentage: float | None = None) -> dict[str, Any]:
    ledger = fake.ledger
    with ledger.lock:
        p = ledger.positions.get(symbol)
        if p is None:
            raise ApiError(404, 40410000, "position does not exist")
        size = abs(p.qty) if qty is None else qty
        if percentage is not None:
            size = abs(p.qty) * percentage / 100.0
        side = "sell" if p.qty > 0 else "buy"
        order = ledger.submit({"symbol": symbol, "qty": size, "side": side, "type": "market", "time_in_force": "day"})
        body = order_json(order)
        ledger.after_ack(order)
        return body


async def close_position(request: web.Request) -> web.Response:
    q = request.query
    qty = float(q["qty"]) if q.get("qty") else None
    pct = float(q["percentage"]) if q.get("percentage") else None
    return ok(_close(_fake(request), request.match_info["symbol"].upper(), qty, pct))


async def close_all_positions(request: web.Request) -> web.Response:
    fake = _fake(request)
    if _flag(request.query.get("cancel_orders")):
        fake.ledger.cancel_all()
    results = []
    for symbol in sorted(fake.ledger.positions):
        try:
            results.append({"symbol": symbol, "status": 200, "body": _close(fake, symbol)})
        except ApiError as e:
            results.append({"symbol": symbol, "status": e.status, "body": e.body()})
    return ok(results, status=207)


# ---------------------------------------------------------------------- market data
async def get_bars(request: web.Request) -> web.Response:
    fake = _fake(request)
    return ok(fake.bars.query(dict(request.query), fake.now))


async def get_latest_bars(request: web.Request) -> web.Response:
    fake = _fake(request)
    symbols = [s for s in (request.query.get("symbols") or "").split(",") if s]
    return ok(fake.bars.latest(symbols, fake.bar_timeframe, fake.now))


def add_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/v2/account", get_account)
    r.add_get("/v2/clock", get_clock)
    r.add_get("/v2/calendar", get_calendar)
    r.add_get("/v2/assets", list_assets)
    r.add_get("/v2/assets/{symbol}", get_asset)
    r.add_get("/v2/orders:by_client_order_id", get_order_by_client_id)
    r.add_post("/v2/orders", post_order)
    r.add_get("/v2/orders", list_orders)
    r.add_delete("/v2/orders", cancel_all_orders)
    r.add_get("/v2/orders/{order_id}", get_order)
    r.add_patch("/v2/orders/{order_id}", replace_order)
    r.add_delete("/v2/orders/{order_id}", cancel_order)
    r.add_get("/v2/positions", list_positions)
    r.add_delete("/v2/positions", close_all_positions)
    r.add_get("/v2/positions/{symbol}", get_position)
    r.add_delete("/v2/positions/{symbol}", close_position)
    r.add_get("/v2/stocks/bars", get_bars)
    r.add_get("/v2/stocks/bars/latest", get_latest_bars)


"""The trade_updates websocket at /stream, speaking the real paper protocol.

Client: {"action":"authenticate","data":{"key_id":K,"secret_key":S}} -> authorization message;
{"action":"listen","data":{"streams":["trade_updates"]}} -> listening message; then every trade
event arrives as a BINARY frame of JSON, like real paper. Events published while nobody listens are
lost, as they are in reality (a client must recover them over REST).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiohttp import WSMsgType, web

log = logging.getLogger(__name__)


class StreamHub:
    def __init__(self, api_key: str, secret_key: str, *, single_connection: bool = False) -> None:
        self.api_key, self.secret_key = api_key, secret_key
        self.single_connection = single_connection  # real paper: one trade_updates socket per account
        self.loop: asyncio.AbstractEventLoop | None = None
        self._queues: dict[web.WebSocketResponse, asyncio.Queue] = {}  # listening sockets only
        self._sockets: dict[web.WebSocketResponse, web.Request] = {}
        self.connections = 0  # successful websocket handshakes so far
        self._drop_after: int | None = None  # events still to deliver before every stream is cut

    @property
    def listeners(self) -> int:
        return len(self._queues)

    def publish_threadsafe(self, message: dict[str, Any]) -> None:
        """Queue an event for every listener; callable from any thread, keeps event order."""
        if self.loop is not None and not self.loop.is_closed():
            payload = json.dumps(message).encode()
            self.loop.call_soon_threadsafe(self._publish, payload)

    def _publish(self, payload: bytes) -> None:
        for queue in self._queues.values():
            queue.put_nowait(payload)
        if self._drop_after is not None:
            self._drop_after -= 1
            if self._drop_after <= 0:
                self._drop_after = None
                self._cut_after_queued()

    def drop_after_threadsafe(self, events: int) -> None:
        """Deliver the next `events` events, then cut every stream (a drop in the middle of fills)."""
        if self.loop is not None:
            self.loop.call_soon_threadsafe(setattr, self, "_drop_after", events)

    def _cut_after_queued(self) -> None:
        """Writers send what is already queued, then abort; later events find no listener (lost)."""
        for queue in self._queues.values():
            queue.put_nowait(_CUT)
        self._queues, self._sockets = {}, {}

    def drop_all(self) -> None:
        """Cut every stream connection abruptly (no close frame): the client sees code 1006."""
        sockets, self._sockets = self._sockets, {}
        self._queues = {}  # nobody listens from now on, even before the handlers notice the drop
        for request in sockets.values():
            if request.transport is not None:
                request.transport.abort()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if self.single_connection and self._sockets:
            return web.Response(status=429, text="connection limit exceeded")
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.connections += 1
        self._sockets[ws] = request
        writer: asyncio.Task | None = None
        authorized = False
        try:
            async for msg in ws:
                if msg.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                    continue
                try:
                    data = json.loads(msg.data)
                except ValueError:
                    await _send(ws, {"stream": "listening", "data": {"error": "invalid syntax"}})
                    continue
                action = data.get("action")
                body = data.get("data") or {}
                if action in ("authenticate", "auth"):
                    authorized = body.get("key_id") == self.api_key and body.get("secret_key") == self.secret_key
                    status = "authorized" if authorized else "unauthorized"
                    await _send(ws, {"stream": "authorization", "data": {"status": status, "action": "authenticate"}})
                    if not authorized:
                        await ws.close()
                        break
                elif action == "listen":
                    if not authorized:
                        await _send(ws, {"stream": "listening", "data": {"error": "access key verification failed"}})
                        continue
                    streams = [s for s in body.get("streams", []) if s == "trade_updates"]
                    await _send(ws, {"stream": "listening", "data": {"streams": streams}})
                    if streams and writer is None:
                        queue: asyncio.Queue = asyncio.Queue()
                        self._queues[ws] = queue
                        writer = asyncio.ensure_future(_drain(ws, request, queue))
        finally:
            self._queues.pop(ws, None)
            self._sockets.pop(ws, None)
            if writer is not None:
                writer.cancel()
        return ws


async def _send(ws: web.WebSocketResponse, message: dict[str, Any]) -> None:
    await ws.send_bytes(json.dumps(message).encode())


_CUT = b""  # queue sentinel: abort the connection once everything before it is sent


async def _drain(ws: web.WebSocketResponse, request: web.Request, queue: asyncio.Queue) -> None:
    try:
        while True:
            payload = await queue.get()
            if payload is _CUT:
                if request.transport is not None:
                    request.transport.abort()
                return
            await ws.send_bytes(payload)
    except (ConnectionError, RuntimeError, asyncio.CancelledError):
        pass
    except Exception:  # noqa: BLE001 - a broken socket must not kill the server
        log.exception("trade_updates writer stopped")

"""The audit journal: an embedded SQLite database (WAL) of everything a live run decides and sees.

Tables: signals, decisions, intents (one row per order, written BEFORE the order is sent, with its
deterministic client_order_id), order_status (every status change), fills (unique by
execution_id), risk_events and notes (what start-up reconciliation found). A crash at any point
leaves the journal consistent: each write is its own committed transaction (WAL, synchronous NORMAL),
and an intent is written at synchronous FULL, durable on disk before the POST that sends it.

The journal knows engine types only; brokers and runners feed it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from parity.engine.broker import Fill, OrderEvent, OrderRequest
from parity.engine.types import OrderStatus, OrderType, Side, TimeInForce

_SCHEMA = """
CREATE TABLE IF NOT EXISTS signals (
    run_key TEXT NOT NULL, ts INTEGER NOT NULL, symbol TEXT NOT NULL, score REAL,
    model_version TEXT NOT NULL DEFAULT '', PRIMARY KEY (run_key, ts, symbol));
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY, run_key TEXT NOT NULL, ts INTEGER NOT NULL, payload TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS intents (
    client_order_id TEXT PRIMARY KEY, run_key TEXT NOT NULL, symbol TEXT NOT NULL, side INTEGER NOT NULL,
    qty REAL NOT NULL, type INTEGER NOT NULL, tif INTEGER NOT NULL, limit_price REAL, stop_price REAL,
    decision_ts INTEGER NOT NULL, decision_price REAL, created_ns INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('intent', 'acked', 'rejected', 'dropped')),
    broker_order_id TEXT, reason TEXT NOT NULL DEFAULT '', updated_ns INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS order_status (
    id INTEGER PRIMARY KEY, client_order_id TEXT NOT NULL, status INTEGER NOT NULL,
    filled_qty REAL NOT NULL, ts INTEGER NOT NULL, reason TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS fills (
    execution_id TEXT PRIMARY KEY, client_order_id TEXT NOT NULL, symbol TEXT NOT NULL,
    side INTEGER NOT NULL, qty REAL NOT NULL, price REAL NOT NULL, ts INTEGER NOT NULL,
    commission REAL NOT NULL, sec_fee REAL NOT NULL, taf_fee REAL NOT NULL);
CREATE TABLE IF NOT EXISTS risk_events (
    id INTEGER PRIMARY KEY, run_key TEXT NOT NULL, ts INTEGER NOT NULL, symbol TEXT NOT NULL,
    rule TEXT NOT NULL, action TEXT NOT NULL, requested REAL, allowed REAL);
CREATE TABLE IF NOT EXISTS snapshots (
    run_key TEXT NOT NULL, ts INTEGER NOT NULL, session INTEGER NOT NULL, cash REAL NOT NULL,
    equity REAL NOT NULL, gross REAL NOT NULL, net REAL NOT NULL, positions TEXT NOT NULL,
    marks TEXT NOT NULL, PRIMARY KEY (run_key, ts));
CREATE TABLE IF NOT EXISTS notes (
    id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS fills_by_order ON fills (client_order_id);
CREATE INDEX IF NOT EXISTS status_by_order ON order_status (client_order_id);
"""


@dataclass(frozen=True)
class Intent:
    request: OrderRequest
    run_key: str
    state: str  # intent (written, maybe sent) | acked | rejected | dropped
    broker_order_id: str | None
    reason: str
    created_ns: int


@dataclass(frozen=True)
class Snapshot:
    ts: int
    session: int
    cash: float
    equity: float
    gross: float
    net: float
    positions: dict[str, float]
    marks: dict[str, float]


class Journal:
    """One SQLite file; safe to share between the runner and the broker's stream thread."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode survives a process crash; intents are also made power-loss durable
            # (record_intent syncs at FULL) because they must exist before their order is sent.
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> "Journal":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self, sql: str, params: Sequence[Any] | Iterable[Sequence[Any]], many: bool = False) -> int:
        with self._lock:
            cur = self._db.executemany(sql, params) if many else self._db.execute(sql, params)
            return cur.rowcount

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    # --- what the strategy and the engine decided -------------------------------------------------
    def record_signals(self, run_key: str, ts: int, symbols: Sequence[str], scores: Sequence[float],
                       model_version: str = "") -> None:
        rows = [(run_key, int(ts), s, None if v != v else float(v), model_version) for s, v in zip(symbols, scores)]
        self._write("INSERT OR REPLACE INTO signals VALUES (?, ?, ?, ?, ?)", rows, many=True)

    def record_decision(self, run_key: str, ts: int, payload: dict[str, Any]) -> None:
        self._write("INSERT INTO decisions (run_key, ts, payload) VALUES (?, ?, ?)",
                    (run_key, int(ts), json.dumps(payload, sort_keys=True, default=float)))

    def record_risk_event(self, run_key: str, ts: int, symbol: str, rule: str, action: str,
                          requested: float, allowed: float) -> None:
        self._write("INSERT INTO risk_events (run_key, ts, symbol, rule, action, requested, allowed) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)", (run_key, int(ts), symbol, rule, action, requested, allowed))

    def record_snapshot(self, run_key: str, snap: "Snapshot") -> None:
        """The book at a decision bar's close (after that bar's fills): one equity row of the run."""
        self._write("INSERT OR REPLACE INTO snapshots VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (run_key, int(snap.ts), int(snap.session), snap.cash, snap.equity, snap.gross, snap.net,
                     json.dumps(snap.positions, sort_keys=True), json.dumps(snap.marks, sort_keys=True)))

    def snapshots(self, run_key: str) -> list["Snapshot"]:
        rows = self._read("SELECT ts, session, cash, equity, gross, net, positions, marks FROM snapshots "
                          "WHERE run_key = ? ORDER BY ts", (run_key,))
        return [Snapshot(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), json.loads(r[7])) for r in rows]

    def risk_events(self, run_key: str) -> list[tuple[int, str, str, str, float, float]]:
        """(ts, symbol, rule, action, requested, allowed) in the order they were recorded."""
        return [tuple(r) for r in self._read(  # type: ignore[misc]
            "SELECT ts, symbol, rule, action, requested, allowed FROM risk_events WHERE run_key = ? ORDER BY id",
            (run_key,))]

    def note(self, ts: int, kind: str, text: str) -> None:
        self._write("INSERT INTO notes (ts, kind, text) VALUES (?, ?, ?)", (int(ts), kind, text))

    # --- orders ---------------------------------------------------------------------------------
    def record_intent(self, req: OrderRequest, run_key: str, now_ns: int) -> bool:
        """Write the order before it is sent. False if this client_order_id is already journaled."""
        with self._lock:
            self._db.execute("PRAGMA synchronous=FULL")
            try:
                return self._insert_intent(req, run_key, now_ns)
            finally:
                self._db.execute("PRAGMA synchronous=NORMAL")

    def _insert_intent(self, req: OrderRequest, run_key: str, now_ns: int) -> bool:
        return self._write(
            "INSERT OR IGNORE INTO intents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'intent', NULL, '', ?)",
            (req.client_order_id, run_key, req.symbol, int(req.side), float(req.qty), int(req.type),
             int(req.time_in_force), req.limit_price, req.stop_price, int(req.decision_ts),
             _nan_to_none(req.decision_price), int(now_ns), int(now_ns))) == 1

    def mark(self, client_order_id: str, state: str, now_ns: int, broker_order_id: str | None = None,
             reason: str = "") -> None:
        self._write("UPDATE intents SET state = ?, broker_order_id = COALESCE(?, broker_order_id), "
                    "reason = ?, updated_ns = ? WHERE client_order_id = ?",
                    (state, broker_order_id, reason, int(now_ns), client_order_id))

    def record_status(self, event: OrderEvent) -> None:
        self._write("INSERT INTO order_status (client_order_id, status, filled_qty, ts, reason) VALUES (?, ?, ?, ?, ?)",
                    (event.client_order_id, int(event.status), float(event.filled_qty), int(event.ts), event.reason))

    def record_fill(self, fill: Fill) -> bool:
        """True if the fill is new (a replay after a reconnect has the same execution_id)."""
        if not fill.execution_id:
            raise ValueError(f"fill of {fill.client_order_id} has no execution_id; the journal dedupes on it")
        return self._write("INSERT OR IGNORE INTO fills VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           (fill.execution_id, fill.client_order_id, fill.symbol, int(fill.side), fill.qty,
                            fill.price, int(fill.ts), fill.commission, fill.sec_fee, fill.taf_fee)) == 1

    # --- reading back ---------------------------------------------------------------------------
    def intents(self, states: Sequence[str] | None = None) -> list[Intent]:
        sql = ("SELECT client_order_id, run_key, symbol, side, qty, type, tif, limit_price, stop_price, "
               "decision_ts, decision_price, state, broker_order_id, reason, created_ns FROM intents")
        params: tuple[Any, ...] = ()
        if states:
            sql += f" WHERE state IN ({', '.join('?' * len(states))})"
            params = tuple(states)
        out = []
        for row in self._read(sql + " ORDER BY created_ns, client_order_id", params):
            req = OrderRequest(client_order_id=row[0], symbol=row[2], side=Side(row[3]), qty=row[4],
                               type=OrderType(row[5]), time_in_force=TimeInForce(row[6]), limit_price=row[7],
                               stop_price=row[8], decision_ts=row[9],
                               decision_price=float("nan") if row[10] is None else row[10])
            out.append(Intent(req, row[1], row[11], row[12], row[13], row[14]))
        return out

    def fills(self, client_order_id: str | None = None) -> list[Fill]:
        sql = "SELECT * FROM fills"
        params: tuple[Any, ...] = ()
        if client_order_id is not None:
            sql, params = sql + " WHERE client_order_id = ?", (client_order_id,)
        return [Fill(client_order_id=r[1], symbol=r[2], side=Side(r[3]), qty=r[4], price=r[5], ts=r[6],
                     commission=r[7], sec_fee=r[8], taf_fee=r[9], execution_id=r[0])
                for r in self._read(sql + " ORDER BY ts, execution_id", params)]

    def filled(self) -> dict[str, tuple[float, float]]:
        """{client_order_id: (filled qty, filled notional)} from the journaled fills."""
        rows = self._read("SELECT client_order_id, SUM(qty), SUM(qty * price) FROM fills GROUP BY client_order_id")
        return {r[0]: (float(r[1]), float(r[2])) for r in rows}

    def net_positions(self) -> dict[str, float]:
        """Signed shares implied by the journaled fills (what the broker should hold, from zero)."""
        rows = self._read("SELECT symbol, SUM(side * qty) FROM fills GROUP BY symbol")
        return {r[0]: float(r[1]) for r in rows if abs(r[1]) > 1e-9}

    def statuses(self, client_order_id: str) -> list[OrderStatus]:
        return [OrderStatus(r[0]) for r in self._read(
            "SELECT status FROM order_status WHERE client_order_id = ? ORDER BY id", (client_order_id,))]

    def signals(self, run_key: str) -> list[tuple[int, str, float | None, str]]:
        """(ts, symbol, score, model_version) rows, in bar order then as recorded."""
        return [tuple(r) for r in self._read(  # type: ignore[misc]
            "SELECT ts, symbol, score, model_version FROM signals WHERE run_key = ? ORDER BY ts, rowid", (run_key,))]

    def last_statuses(self) -> dict[str, OrderStatus]:
        """{client_order_id: the latest journaled status}."""
        rows = self._read("SELECT client_order_id, status FROM order_status WHERE id IN "
                          "(SELECT MAX(id) FROM order_status GROUP BY client_order_id)")
        return {r[0]: OrderStatus(r[1]) for r in rows}

    def decisions(self, run_key: str) -> list[tuple[int, dict[str, Any]]]:
        """(ts, payload) of every decision row, in the order written."""
        return [(r[0], json.loads(r[1])) for r in self._read(
            "SELECT ts, payload FROM decisions WHERE run_key = ? ORDER BY id", (run_key,))]

    def decided(self, run_key: str, ts: int) -> bool:
        """Whether a decision for this bar was already journaled (a restart must not decide twice)."""
        return bool(self._read("SELECT 1 FROM decisions WHERE run_key = ? AND ts = ? LIMIT 1", (run_key, int(ts))))

    def max_order_number(self, run_key: str) -> int:
        """Highest order number used in `prt-<run_key>-<n>` ids, -1 if none (numbering resumes after it)."""
        prefix = f"prt-{run_key}-"
        rows = self._read("SELECT client_order_id FROM intents WHERE run_key = ?", (run_key,))
        numbers = [int(r[0][len(prefix):]) for r in rows if r[0].startswith(prefix) and r[0][len(prefix):].isdigit()]
        return max(numbers, default=-1)

    def notes(self, kind: str | None = None) -> list[str]:
        if kind is None:
            return [r[0] for r in self._read("SELECT text FROM notes ORDER BY id")]
        return [r[0] for r in self._read("SELECT text FROM notes WHERE kind = ? ORDER BY id", (kind,))]

    def count(self, table: str) -> int:
        if table not in {"signals", "decisions", "intents", "order_status", "fills", "risk_events", "notes", "snapshots"}:
            raise ValueError(f"journal has no table {table!r}")
        return int(self._read(f"SELECT COUNT(*) FROM {table}")[0][0])


def _nan_to_none(value: float) -> float | None:
    return None if value != value else float(value)

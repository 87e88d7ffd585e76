"""`parity run --serve` and SIGTERM: it stops at the next safe point (never inside a decision's
orders), closes its scoring worker, broker and journal, exits 0 and leaves no child process.

Against the project's fake Alpaca (brokers/alpaca/fake), as tests/live/test_run_command.py drives
`parity run`. In process, a decision is made at once and SIGTERM arrives while its first order is
being sent; as a program, SIGTERM arrives while the service waits for the next close.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from lifecycle_kit import PARITY, all_gone, cmdline, descendants, group_members, wait_for

import parity.live as live
import parity.live_child as live_child
from parity.brokers.alpaca.broker import AlpacaBroker
from parity.brokers.alpaca.fake import FakeAlpaca
from parity.cli import main
from parity.engine.data.synthetic import synthetic_bars
from parity.engine.journal import Journal
from parity.replay import _history_frame

KEY, SECRET = "PKSERVESIGTERM000000", "serve-sigterm-secret-000000000000000000"


def write_config(folder: Path, fake: FakeAlpaca, symbols: tuple[str, ...], sectors: tuple[str, ...]) -> Path:
    universe = folder / "universe.csv"
    universe.write_text("symbol,sector\n" + "".join(f"{s},{x}\n" for s, x in zip(symbols, sectors)))
    cfg = folder / "paper.yaml"
    cfg.write_text(f"""
execution: {{mode: paper}}
position_sizing: {{max_position_size: 0.2, min_trade_size: 100, signal_threshold: 0.05}}
data: {{universe: {universe}}}
strategy: {{use: momentum, params: {{lookback: 5, skip: 1, vol_lookback: 3}}}}
alpaca: {{trading_url: "{fake.base_url}", data_url: "{fake.base_url}", stream_url: "{fake.stream_url}",
          journal_path: {folder / "journal.sqlite"}}}
risk_management: {{halt_file: {folder / "HALT"}}}
reporting: {{output_dir: {folder / "reports"}, html: false}}
""")
    return cfg


@pytest.fixture()
def fake(tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    now = pd.Timestamp.now(tz="UTC")
    bars = synthetic_bars(30, 4, seed=2, start=str((now - pd.Timedelta(days=60)).date()))
    with FakeAlpaca(KEY, SECRET, cash=100_000.0, now=now) as server:
        for s in bars.symbols:
            server.set_asset(s)
        server.load_bars(_history_frame(bars, bars.n_bars))
        monkeypatch.setenv("APCA_API_KEY_ID", KEY)
        monkeypatch.setenv("APCA_API_SECRET_KEY", SECRET)
        yield server, write_config(tmp_path, server, bars.symbols, bars.sectors)


def test_sigterm_while_sending_a_decisions_orders_finishes_them_then_stops_cleanly(fake, tmp_path, monkeypatch,
                                                                                   capsys) -> None:
    server, cfg = fake
    decisions = iter([0])  # the first decision is due now; the next one a day later

    def next_decision(self, now_ns: int) -> int:  # noqa: ANN001
        return now_ns + next(decisions, 86_400 * 10**9)

    monkeypatch.setattr(live.MarketSchedule, "next_decision", next_decision)
    real_submit_one = AlpacaBroker.submit_one
    signalled: list[int] = []

    def submit_one_then_sigterm(self, req, **kwargs):  # noqa: ANN001, ANN003, ANN202
        if not signalled:  # in the middle of the decision's orders
            signalled.append(len(server.posted_client_order_ids()))
            os.kill(os.getpid(), signal.SIGTERM)
        return real_submit_one(self, req, **kwargs)

    monkeypatch.setattr(AlpacaBroker, "submit_one", submit_one_then_sigterm)
    children: list[int] = []
    real_spawn = live_child.spawn

    def recording_spawn(module: str, capture_stderr: bool) -> subprocess.Popen:
        proc = real_spawn(module, capture_stderr)
        children.append(proc.pid)
        return proc

    monkeypatch.setattr(live_child, "spawn", recording_spawn)
    closed: list[str] = []
    for cls, name in ((AlpacaBroker, "broker"), (Journal, "journal")):
        real_close = cls.close

        def close(self, _real=real_close, _name=name):  # noqa: ANN001, ANN202
            closed.append(_name)
            return _real(self)

        monkeypatch.setattr(cls, "close", close)

    previous = signal.getsignal(signal.SIGTERM)
    assert main(["run", "--config", str(cfg), "--serve", "--settle-seconds", "0"]) == 0
    assert signal.getsignal(signal.SIGTERM) == previous  # put back for the caller
    out = capsys.readouterr().out
    assert signalled == [0]
    assert out.strip().splitlines()[-1] == "stopped by SIGTERM at a safe point: scoring worker, broker and journal closed"
    db = sqlite3.connect(tmp_path / "journal.sqlite")
    decided = [json.loads(payload) for (payload,) in db.execute("SELECT payload FROM decisions ORDER BY id")]
    db.close()
    assert [d["state"] for d in decided] == ["deciding", "sent"]  # one decision, and it was finished
    sent = set(decided[1]["reasons"])
    assert len(sent) > 1 and sent <= set(server.posted_client_order_ids())  # all of it reached the broker
    assert closed.count("broker") == 1 and "journal" in closed
    assert len(children) >= 3  # strategy check, scoring worker, report writer: none left
    assert all_gone(children, timeout=5) == [], [cmdline(p) for p in children]


def test_sigterm_while_the_service_waits_for_the_next_close_exits_0_with_no_child(fake, tmp_path) -> None:
    server, cfg = fake
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([PARITY, "run", "--config", str(cfg), "--serve"], cwd=tmp_path, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("reconcile: "), (first, proc.stderr.read() if proc.poll() is not None else "")
        wait_for(lambda: descendants(proc.pid) == [], 30, "the start-up's strategy worker to end")
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert out.strip().splitlines()[-1] == "stopped by SIGTERM at a safe point: scoring worker, broker and journal closed"
    assert "Traceback" not in err
    assert not (tmp_path / "journal.sqlite-wal").exists()  # the journal was closed (its WAL checkpointed)
    assert all_gone(group_members(proc.pid), timeout=5) == []  # nothing it started lives on

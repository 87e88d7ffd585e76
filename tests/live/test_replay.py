"""The live runner end to end against the fake server (`parity paper --replay`'s engine)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
from live_kit import market, paper_config

from parity.brokers.sim.broker import SimBroker
from parity.engine.journal import Journal
from parity.engine.signals import SignalSet
from parity.engine.stepper import run_stepped
from parity.live_scoring import RemoteStrategy
from parity.replay import history_bars, run_replay
from parity.strategies.momentum import MomentumStrategy


@pytest.fixture(scope="module")
def replayed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("replay")
    bars = market()
    cfg = paper_config(folder, bars)
    result = run_replay(cfg, folder, bars=bars)
    return bars, cfg, folder, result


def test_replay_writes_a_backtest_shaped_run_folder(replayed) -> None:
    bars, cfg, folder, result = replayed
    files = {p.name for p in result.run_dir.iterdir()}
    assert {"orders.parquet", "fills.parquet", "equity.parquet", "positions.parquet", "risk_events.parquet",
            "signals.parquet", "stats.json", "config.yaml"} <= files
    warmup = history_bars(cfg)
    # one decision per session from the first with enough history: bars warmup-1 .. 29
    assert len(result.cycles) == bars.n_bars - warmup + 1 and all(c.decided for c in result.cycles)
    equity = pd.read_parquet(result.run_dir / "equity.parquet")
    assert len(equity) == len(result.cycles)
    assert result.posted > 5  # it traded


def test_journal_positions_equal_the_venue_and_orders_are_unique(replayed) -> None:
    bars, cfg, folder, result = replayed
    with Journal(cfg.alpaca.journal_path) as journal:
        assert journal.net_positions() == pytest.approx(result.positions)
        ids = [i.request.client_order_id for i in journal.intents()]
        assert len(ids) == len(set(ids)) == result.posted  # each order sent exactly once
        assert {i.state for i in journal.intents()} == {"acked"}


def test_live_runner_decides_exactly_like_the_stepped_simbroker(replayed) -> None:
    """The live path (fake venue, live bars through the data checks, the runner's journal and
    stepper) trades like the backtest's stepped loop on the same bars: same orders, same fills,
    same cash. Frictionless costs make the fake's fill (market at the open) the SimBroker's too."""
    bars, cfg, folder, result = replayed
    warmup = history_bars(cfg)
    signals = MomentumStrategy(MomentumStrategy.Params(**cfg.strategy.params)).generate(bars)
    sim_cfg = cfg.model_copy(update={"execution": cfg.execution.model_copy(update={"mode": "backtest"})})
    live_part = bars.slice(warmup - 1, bars.n_bars)
    sim = SimBroker(live_part, sim_cfg)
    scores = SignalSet(np.ascontiguousarray(signals.scores[warmup - 1:]), signals.model_version[warmup - 1:])
    a = run_stepped(live_part, scores, sim_cfg, sim, "sim")
    live_orders = pd.read_parquet(result.run_dir / "orders.parquet")
    assert len(live_orders) == len(a.orders)
    np.testing.assert_array_equal(live_orders["qty"].to_numpy(), a.orders["qty"])
    np.testing.assert_array_equal(live_orders["side"].to_numpy(), a.orders["side"])
    assert list(live_orders["symbol"]) == [bars.symbols[i] for i in a.orders["symbol"]]
    assert result.positions == sim.positions()
    assert result.cash == pytest.approx(sim.account().cash, abs=1e-6)


def test_keys_never_reach_logs_journal_or_reports(tmp_path, caplog) -> None:
    key, secret = "PKSECRETPROBE7F3A9Q2Z", "sk-probe-9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1"
    bars = market(n_bars=12)
    cfg = paper_config(tmp_path, bars)
    with caplog.at_level(logging.DEBUG):
        result = run_replay(cfg, tmp_path, bars=bars, key_id=key, secret_key=secret)
    assert result.posted > 0 and caplog.records  # it ran, and logged (urllib3, alpaca, parity ...)
    for needle in (key, secret):
        assert needle not in caplog.text
        for path in [*tmp_path.rglob("*")]:
            if path.is_file():
                assert needle.encode() not in path.read_bytes(), f"{needle[:6]}... found in {path}"


def test_intraday_replay_decides_at_every_bar_close(tmp_path) -> None:
    from parity.engine.data.synthetic import synthetic_bars

    bars = synthetic_bars(40, 4, seed=3, timeframe="15Min")  # 26 bars a session: crosses a session end
    cfg = paper_config(tmp_path, bars, data={"timeframe": "15Min"})
    result = run_replay(cfg, tmp_path, bars=bars)
    warmup = history_bars(cfg)
    closes = [c.bar_ts for c in result.cycles]
    assert closes == [int(t) for t in bars.close_ts[warmup - 1:]]  # one decision per hourly close
    with Journal(cfg.alpaca.journal_path) as journal:
        assert journal.net_positions() == pytest.approx(result.positions)


def test_run_folder_keeps_each_orders_reason(replayed) -> None:
    bars, cfg, folder, result = replayed
    orders = pd.read_parquet(result.run_dir / "orders.parquet")
    with Journal(cfg.alpaca.journal_path) as journal:
        reasons = {}
        for _, payload in journal.decisions(journal.intents()[0].run_key):
            reasons.update(payload.get("reasons", {}))
    assert len(reasons) == len(orders)  # every order sent has its reason journaled
    assert set(orders["reason"]) == {r.lower() for r in reasons.values()}


def test_live_runner_scores_new_bars_incrementally(tmp_path, monkeypatch) -> None:
    """The runner scores through the strategy's live scorer (in its worker) and never regenerates the
    whole window."""
    def no_batch(self, bars):  # noqa: ANN001, ANN202
        raise AssertionError("the live runner regenerated signals over the window")

    monkeypatch.setattr(RemoteStrategy, "generate", no_batch)
    bars = market(n_bars=12)
    cfg = paper_config(tmp_path, bars)
    result = run_replay(cfg, tmp_path, bars=bars)
    assert len(result.cycles) == bars.n_bars - history_bars(cfg) + 1

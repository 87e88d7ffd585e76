"""Precomputed signals in paper trading: the runner trades the file's rows for each bar it decides,
and a bar the file has no rows for means no new risk, an alert and a journal entry, never a trade
on older scores."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from live_kit import market, paper_config
from parity.engine.journal import Journal
from parity.replay import run_replay


def write_scores(bars, path: Path, n_bars: int) -> None:
    """Scores for the first `n_bars` bars: a fixed cross-section, tz-aware bar closes."""
    ts = pd.to_datetime(bars.close_ts[:n_bars], utc=True)
    rows = [(t, sym, float(np.tanh(j - bars.n_symbols / 2))) for t in ts for j, sym in enumerate(bars.symbols)]
    pd.DataFrame(rows, columns=["ts", "symbol", "score"]).to_parquet(path, index=False)


def test_a_bar_without_fresh_scores_takes_no_new_risk_and_is_journaled(tmp_path: Path, caplog) -> None:
    bars = market(n_bars=14)
    scores = tmp_path / "scores.parquet"
    write_scores(bars, scores, bars.n_bars - 1)  # the user's job did not write the last bar's rows
    cfg = paper_config(tmp_path, bars, strategy={"use": "signals", "params": {"path": str(scores)}})
    with caplog.at_level(logging.WARNING, logger="parity.live"):
        result = run_replay(cfg, tmp_path, bars=bars)
    *fresh, stale = result.cycles
    assert sum(c.orders_sent for c in fresh) > 0  # the file's scores were traded
    assert stale.decided
    orders = pd.read_parquet(result.run_dir / "orders.parquet")
    on_stale = orders[orders["created_at"] == pd.Timestamp(stale.bar_ts, tz="UTC")]
    # nothing bought or rebalanced; only the protective stops of the positions held are kept up
    assert set(on_stale["reason"]) <= {"stop_loss"} and (on_stale["side"] == -1).all()
    notes = Journal(cfg.alpaca.journal_path).notes("stale_signals")
    assert len(notes) == 1 and "scores.parquet" in notes[0] and "no new risk on this bar" in notes[0]
    assert any("ALERT stale signals" in r.getMessage() for r in caplog.records)
    signals = pd.read_parquet(result.run_dir / "signals.parquet")
    last = signals[signals["ts"] == signals["ts"].max()]
    assert last["score"].isna().all()  # journaled as no view, not as the previous bar's scores

"""`parity run --config FILE` end to end on the wall clock, against the fake server (cron mode)."""

from __future__ import annotations

import pandas as pd
from live_kit import write_universe

from parity.brokers.alpaca.fake import FakeAlpaca
from parity.engine.data.synthetic import synthetic_bars
from parity.cli import main
from parity.replay import _history_frame

KEY, SECRET = "PKRUNCMD000000000000", "run-command-secret-00000000000000000000"


def test_parity_run_decides_once_per_bar_and_is_safe_to_repeat(tmp_path, monkeypatch, capsys) -> None:
    now = pd.Timestamp.now(tz="UTC")
    bars = synthetic_bars(30, 4, seed=2, start=str((now - pd.Timedelta(days=60)).date()))
    with FakeAlpaca(KEY, SECRET, cash=100_000.0, now=now) as fake:
        for s in bars.symbols:
            fake.set_asset(s)
        fake.load_bars(_history_frame(bars, bars.n_bars))
        cfg = tmp_path / "paper.yaml"
        cfg.write_text(f"""
execution: {{mode: paper}}
position_sizing: {{max_position_size: 0.2, min_trade_size: 100, signal_threshold: 0.05}}
data: {{universe: {write_universe(bars, tmp_path)}}}
strategy: {{use: momentum, params: {{lookback: 5, skip: 1, vol_lookback: 3}}}}
alpaca: {{trading_url: "{fake.base_url}", data_url: "{fake.base_url}", stream_url: "{fake.stream_url}",
          journal_path: {tmp_path / "journal.sqlite"}}}
risk_management: {{halt_file: {tmp_path / "HALT"}}}
reporting: {{output_dir: {tmp_path / "reports"}, html: false}}
""")
        monkeypatch.setenv("APCA_API_KEY_ID", KEY)
        monkeypatch.setenv("APCA_API_SECRET_KEY", SECRET)
        assert main(["run", "--config", str(cfg)]) == 0
        out = capsys.readouterr().out
        assert "order(s) sent" in out and "run folder:" in out
        sent = fake.posted_client_order_ids()
        assert sent and len(sent) == len(set(sent))
        assert main(["run", "--config", str(cfg)]) == 0  # cron fires again: same bar, nothing new
        assert "already decided" in capsys.readouterr().out
        assert fake.posted_client_order_ids() == sent
    assert (tmp_path / "reports").is_dir()

"""`parity backtest` end to end with the real pieces (CSV loader, momentum strategy, numba simulator)
on a small synthetic universe written as a user's CSV file."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from parity.engine.data import synthetic_bars
from parity.cli import main
from parity.reports.run_data import load_run

N_BARS, N_SYMBOLS = 120, 6
CONFIG = """\
execution:
  mode: backtest
position_sizing:
  max_position_size: 0.2
  max_total_exposure: 1.0
  min_trade_size: 100
data:
  source: csv
  path: bars.csv
  universe: universe.csv
strategy:
  use: momentum
  params:
    lookback: 20
    skip: 2
simulation:
  initial_cash: 100000
"""


def write_inputs(folder: Path) -> None:
    bars = synthetic_bars(N_BARS, N_SYMBOLS, seed=11)
    dates = pd.to_datetime(bars.close_ts, utc=True).tz_convert("America/New_York").strftime("%Y-%m-%d")
    long = pd.concat(
        pd.DataFrame({"date": dates, "symbol": sym, "open": bars.open[:, j], "high": bars.high[:, j],
                      "low": bars.low[:, j], "close": bars.close[:, j], "volume": bars.volume[:, j]})
        for j, sym in enumerate(bars.symbols)
    )
    long.to_csv(folder / "bars.csv", index=False)
    pd.DataFrame({"symbol": bars.symbols, "sector": bars.sectors}).to_csv(folder / "universe.csv", index=False)
    (folder / "run.yaml").write_text(CONFIG)


@pytest.mark.slow
def test_backtest_on_synthetic_csv_writes_a_complete_reproducible_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    write_inputs(tmp_path)
    assert main(["backtest", "--config", "run.yaml", "--run-id", "a"]) == 0
    out = capsys.readouterr().out
    assert "Report:" in out and "Sharpe" in out

    run = load_run(tmp_path / "reports" / "a")
    assert len(run.orders) > 0 and len(run.fills) > 0  # momentum over 120 bars does trade
    assert len(run.equity) == N_BARS
    stats = json.loads((tmp_path / "reports" / "a" / "stats.json").read_text())
    assert stats["orders"] == len(run.orders) and stats["fills"] == len(run.fills)
    end, start = run.equity["equity"].iloc[-1], run.equity["equity"].iloc[0]
    assert stats["total_return"] == pytest.approx(end / start - 1.0)
    assert stats["total_costs"] > 0
    page = (tmp_path / "reports" / "a" / "report.html").read_text()
    assert "<h2>Summary</h2>" in page and "data:image/png;base64," in page

    # same config and seed, another run id: the same records
    assert main(["backtest", "--config", "run.yaml", "--run-id", "b"]) == 0
    again = load_run(tmp_path / "reports" / "b")
    for table in ("orders", "fills", "equity", "positions", "risk_events"):
        pd.testing.assert_frame_equal(getattr(again, table), getattr(run, table))

    # and the same run id again: every file byte for byte, report.html included (drawn by the CLI's
    # report worker process whenever it was warm in time, by this process otherwise: the same bytes)
    (tmp_path / "reports" / "a").rename(tmp_path / "first")
    assert main(["backtest", "--config", "run.yaml", "--run-id", "a"]) == 0
    assert files(tmp_path / "reports" / "a") == files(tmp_path / "first")


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_missing_data_file_is_one_line_naming_config_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    write_inputs(tmp_path)
    (tmp_path / "bars.csv").unlink()
    assert main(["backtest", "--config", "run.yaml"]) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and lines[0].startswith("error: run.yaml: data.path: file not found:")
    assert list((tmp_path / "reports").iterdir()) == []  # no run folder, no staging folder

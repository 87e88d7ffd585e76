"""The run-folder writer: every file with the issue's columns, and never a half-written folder."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest

import parity.reports.writer as writer
from report_kit import tiny_bars, tiny_records, tiny_signals
from parity.reports.run_data import RunData, load_run
from parity.reports.stats import compute_stats
from parity.reports.writer import RunFolderExistsError, make_run_id, staged_run_dir, write_run

# Columns the issue requires (a run may carry more).
REQUIRED_COLUMNS = {
    "orders": {"order_id", "client_order_id", "symbol", "side", "type", "qty", "limit_price", "stop_price",
               "time_in_force", "created_at", "status", "decision_price", "arrival_price"},
    "fills": {"order_id", "symbol", "side", "qty", "price", "commission", "sec_fee", "taf_fee", "ts"},
    "equity": {"ts", "cash", "equity", "gross_exposure", "net_exposure"},
    "positions": {"ts", "symbol", "qty"},
    "risk_events": {"ts", "symbol", "rule", "action"},
    "signals": {"ts", "symbol", "score", "model_version"},
}


def tiny_run(run_id: str = "run-1") -> RunData:
    run = RunData.from_records(run_id, tiny_records(), tiny_signals(), tiny_bars(), config_yaml="execution:\n  mode: backtest\n")
    return run.with_stats(compute_stats(run.equity, run.fills, run.orders, 252.0))


def test_run_folder_holds_every_file_with_the_issue_columns(tmp_path: Path) -> None:
    folder = write_run(tmp_path, tiny_run())
    assert folder == tmp_path / "run-1"
    names = {p.name for p in folder.iterdir()}
    assert {"config.yaml", "stats.json", "report.html", *(f"{t}.parquet" for t in REQUIRED_COLUMNS)} <= names
    for table, columns in REQUIRED_COLUMNS.items():
        frame = pd.read_parquet(folder / f"{table}.parquet")
        assert columns <= set(frame.columns), f"{table}.parquet lacks {columns - set(frame.columns)}"
    fills = pd.read_parquet(folder / "fills.parquet")
    assert fills["side"].tolist() == [1, -1]  # side as +1/-1
    orders = pd.read_parquet(folder / "orders.parquet")
    assert orders["client_order_id"].iloc[0] == "prt-abc123-00000001"
    stats = json.loads((folder / "stats.json").read_text())
    assert stats["total_return"] == pytest.approx(0.089)
    assert (folder / "config.yaml").read_text().startswith("execution:")


def test_written_run_reads_back_unchanged(tmp_path: Path) -> None:
    run = tiny_run()
    back = load_run(write_run(tmp_path, run))
    pd.testing.assert_frame_equal(back.fills, run.fills)
    pd.testing.assert_frame_equal(back.diagnostics["feature_importance"], run.diagnostics["feature_importance"])
    assert back.data_notes == run.data_notes
    assert back.stats == run.stats


def test_failure_mid_write_leaves_no_run_folder_and_no_temp_folder(tmp_path: Path, monkeypatch) -> None:
    def broken_report(run: RunData, fragments: object) -> str:  # the parquet files are already written
        raise RuntimeError("disk full")

    monkeypatch.setattr(writer, "assemble_report", broken_report)
    with pytest.raises(RuntimeError, match="disk full"):
        write_run(tmp_path, tiny_run())
    assert list(tmp_path.iterdir()) == []


def test_error_inside_staged_folder_discards_models_too(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt):
        with staged_run_dir(tmp_path, "run-2") as staging:
            (staging / "models").mkdir()
            (staging / "models" / "m1.json").write_text("{}")
            assert staging.parent == tmp_path and staging.name.startswith(".run-2.")
            raise KeyboardInterrupt  # even an interrupt leaves nothing behind
    assert list(tmp_path.iterdir()) == []


def test_existing_run_folder_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "run-1").mkdir()
    (tmp_path / "run-1" / "keep.txt").write_text("earlier run")
    with pytest.raises(RunFolderExistsError, match="already exists"):
        write_run(tmp_path, tiny_run())
    assert (tmp_path / "run-1" / "keep.txt").read_text() == "earlier run"
    assert [p.name for p in tmp_path.iterdir()] == ["run-1"]


def test_default_run_id_is_utc_time_strategy_and_hash() -> None:
    est = timezone(pd.Timedelta(hours=-5).to_pytimedelta())
    run_id = make_run_id(datetime(2026, 1, 5, 9, 30, 0, tzinfo=est), "momentum", "3fa2b9c1d0e4")
    assert run_id == "20260105T143000Z-momentum-3fa2b9c1d0e4"  # 09:30 EST = 14:30 UTC
    assert re.fullmatch(r"[A-Za-z0-9_.-]+", run_id)

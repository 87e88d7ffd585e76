"""A live run's folder (orders, fills, equity, positions, risk events, signals, stats.json,
report.html: a backtest's files) rebuilt from the journal, in a child process.

`write_run_folder(request)` does the work; the runner calls `write_in_child(request)`, which runs it
as `python -m parity.live_report` (the request pickled on stdin), so vectorbt, matplotlib and the
parquet writer are never imported by the long-lived runner. The folder is replaced atomically: the
new one is complete before the old one goes (`<run>.previous` holds the old one meanwhile, and is
put back if the child dies half-way).
"""

from __future__ import annotations

import logging
import pickle
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from parity.engine.config import ParityConfig, dump_config
from parity.engine.journal import Journal
from parity.live_child import Exit, die_with_runner, report_peak, run_once
from parity.live_records import records_from_journal

MODULE = "parity.live_report"
TIMEOUT_S = 600.0
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportRequest:
    config: ParityConfig
    journal_path: Path
    run_key: str
    run_dir: Path
    symbols: tuple[str, ...]
    sectors: tuple[str, ...]
    data_notes: tuple[str, ...]


def previous_dir(run_dir: Path) -> Path:
    return run_dir.with_name(run_dir.name + ".previous")


def signals_frame(journal: Journal, run_key: str) -> pd.DataFrame:
    frame = pd.DataFrame(journal.signals(run_key), columns=["ts", "symbol", "score", "model_version"])
    frame["ts"] = pd.to_datetime(frame["ts"].astype("int64"), utc=True)
    frame["score"] = frame["score"].astype("float64")
    return frame


def write_run_folder(request: ReportRequest) -> Path:
    """(Re)write `request.run_dir` from the journal; what the child process runs."""
    from parity.reports.run_data import RunData
    from parity.reports.stats import compute_stats, periods_per_year
    from parity.reports.writer import staged_run_dir, write_run_files

    with Journal(request.journal_path) as journal:
        records = records_from_journal(journal, request.run_key, request.symbols, request.sectors)
        signals = signals_frame(journal, request.run_key)
    run_dir = request.run_dir
    run = RunData(run_id=run_dir.name, orders=records.orders_frame(), fills=records.fills_frame(),
                  equity=records.equity_frame(), positions=records.positions_frame(),
                  risk_events=records.risk_events_frame(), signals=signals, data_notes=request.data_notes,
                  config_yaml=dump_config(request.config))
    stats = compute_stats(run.equity, run.fills, run.orders, periods_per_year(request.config.data.timeframe)) \
        if len(run.equity) >= 2 else {}
    old = previous_dir(run_dir)
    if run_dir.exists():
        shutil.rmtree(old, ignore_errors=True)
        run_dir.rename(old)
    try:
        with staged_run_dir(run_dir.parent, run_dir.name) as staging:
            write_run_files(staging, run.with_stats(stats), html=request.config.reporting.html)
    except BaseException:
        restore_previous(run_dir)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return run_dir


def restore_previous(run_dir: Path) -> None:
    """Put the last complete folder back if a writer died between moving it aside and replacing it."""
    old = previous_dir(run_dir)
    if old.exists() and not run_dir.exists():
        old.rename(run_dir)


def write_in_child(request: ReportRequest, timeout_s: float = TIMEOUT_S) -> Exit:
    """Run `write_run_folder(request)` in a fresh interpreter; raises ChildError if it fails (the
    previous run folder then stays in place). Returns the child's exit record (its peak RSS)."""
    done = run_once(MODULE, pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL), timeout_s)
    if done.code != 0:
        restore_previous(request.run_dir)
        raise done.failure(f"writing the run folder {request.run_dir} (python -m {MODULE})")
    for line in done.stderr.splitlines():  # the writer's notes (stale staging folders it removed)
        if line.startswith("note: "):
            log.warning("%s", line[len("note: "):])
    return done


def main() -> int:
    die_with_runner()
    request = pickle.load(sys.stdin.buffer)
    if not isinstance(request, ReportRequest):
        print(f"{MODULE}: expected a pickled ReportRequest on stdin, got {type(request).__name__}", file=sys.stderr)
        return 2
    try:
        write_run_folder(request)
    except Exception as exc:  # noqa: BLE001 - one line for the runner's error message; details above it
        import traceback

        traceback.print_exc()
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    report_peak()
    return 0


if __name__ == "__main__":
    # the request's classes are parity.live_report's, not this __main__ copy's
    from parity.live_report import main as _main

    sys.exit(_main())

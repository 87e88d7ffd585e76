"""`RunData`: everything a report needs about one finished run, as DataFrames.

Stats, figures and HTML sections are functions of a `RunData`, so they work the same for a
backtest just finished (`RunData.from_records`) and for a run folder read back from disk
(`load_run`), whether the run was a backtest or a paper session.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from parity.engine.data.bars import Bars
from parity.engine.records import RunRecords
from parity.engine.signals import SignalSet

# Parquet tables of a run folder: file stem -> RunData attribute.
TABLES = ("orders", "fills", "equity", "positions", "risk_events", "signals")
DIAGNOSTICS_DIR = "diagnostics"
DATA_NOTES_FILE = "data_notes.txt"
STATS_FILE = "stats.json"
CONFIG_FILE = "config.yaml"
STRATEGY_FILE = "strategy.json"


@dataclass(frozen=True)
class RunData:
    run_id: str
    orders: pd.DataFrame
    fills: pd.DataFrame
    equity: pd.DataFrame
    positions: pd.DataFrame
    risk_events: pd.DataFrame
    signals: pd.DataFrame  # long format: ts, symbol, score, model_version
    # Strategy tables for the report (SignalSet.diagnostics): "feature_importance", "ic_per_retrain", ...
    diagnostics: dict[str, pd.DataFrame] = field(default_factory=dict)
    # What the data loader found and did (Bars.notes): splits adjusted, sessions missing, bars repaired.
    data_notes: tuple[str, ...] = ()
    stats: dict[str, Any] = field(default_factory=dict)
    config_yaml: str = ""  # the resolved config, as written to config.yaml
    strategy: dict[str, Any] = field(default_factory=dict)  # what ran (parity.strategy_registry), strategy.json
    artifacts: dict[str, bytes] = field(default_factory=dict)  # the strategy's files (models/...), by relative path

    @classmethod
    def from_records(
        cls,
        run_id: str,
        records: RunRecords,
        signals: SignalSet,
        bars: Bars,
        stats: dict[str, Any] | None = None,
        config_yaml: str = "",
        strategy: dict[str, Any] | None = None,
    ) -> "RunData":
        return cls(
            run_id=run_id,
            orders=records.orders_frame(),
            fills=records.fills_frame(),
            equity=records.equity_frame(),
            positions=records.positions_frame(),
            risk_events=records.risk_events_frame(),
            signals=signals.frame(bars),
            diagnostics=dict(signals.diagnostics),
            data_notes=tuple(bars.notes) + tuple(signals.notes),
            stats=dict(stats or {}),
            config_yaml=config_yaml,
            strategy=dict(strategy or {}),
            artifacts=dict(signals.artifacts),
        )

    def with_stats(self, stats: dict[str, Any]) -> "RunData":
        return replace(self, stats=dict(stats))


def load_run(run_dir: str | Path) -> RunData:
    """Read a run folder written by `parity.reports.writer` back into a `RunData`."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise FileNotFoundError(f"{run_dir}: no such run folder")
    tables = {name: pd.read_parquet(run_dir / f"{name}.parquet") for name in TABLES}
    diag_dir = run_dir / DIAGNOSTICS_DIR
    diagnostics = {p.stem: pd.read_parquet(p) for p in sorted(diag_dir.glob("*.parquet"))} if diag_dir.is_dir() else {}
    notes_file = run_dir / DATA_NOTES_FILE
    notes = tuple(line for line in notes_file.read_text().splitlines() if line) if notes_file.is_file() else ()
    stats_file = run_dir / STATS_FILE
    stats = json.loads(stats_file.read_text()) if stats_file.is_file() else {}
    config_file = run_dir / CONFIG_FILE
    config_yaml = config_file.read_text() if config_file.is_file() else ""
    strategy_file = run_dir / STRATEGY_FILE
    strategy = json.loads(strategy_file.read_text()) if strategy_file.is_file() else {}
    return RunData(run_id=run_dir.name, diagnostics=diagnostics, data_notes=notes, stats=stats,
                   config_yaml=config_yaml, strategy=strategy, **tables)

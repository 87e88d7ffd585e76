"""The one place a run is wired from its config: data -> strategy -> broker -> report.

The engine imports neither `brokers/` nor `strategies/`; this module chooses them from the config
(`execution.mode` picks the broker and clock, `strategy.name` the strategy) and hands the pieces to
each other. Everything a run writes lives in one staging folder that becomes `reports/<run-id>/`
only when the whole job succeeded, so a failed run (bad data, a crash, Ctrl-C) leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from parity.engine.config import ConfigError, ParityConfig, config_hash, dump_config
from parity.engine.data.bars import Bars
from parity.engine.data.errors import DataError
from parity.engine.records import RunRecords
from parity.engine.signals import SignalSet, Strategy
from parity.progress import NO_PROGRESS, Progress
from parity.reports.run_data import RunData
from parity.reports.stats import compute_stats, periods_per_year
from parity.reports.worker import ReportWorker
from parity.reports.writer import make_run_id, staged_run_dir, write_run_files

STAGES = ("data", "signals", "simulation", "report")


@dataclass(frozen=True)
class BacktestParts:
    """The pieces a backtest is made of; tests swap in small fakes."""

    load_bars: Callable[..., Bars]  # (DataConfig, base_dir) -> Bars
    build_strategy: Callable[..., Strategy]  # (StrategyConfig) -> Strategy
    run_backtest: Callable[..., RunRecords]  # (bars, signals, ParityConfig, run_key) -> RunRecords


def default_parts() -> BacktestParts:
    # Imported here so that `parity validate` and `parity --help` do not pay for numba/xgboost imports.
    from parity.brokers.sim.backtest import run_backtest
    from parity.engine.data import load_bars
    from parity.strategies import build_strategy

    return BacktestParts(load_bars=load_bars, build_strategy=build_strategy, run_backtest=run_backtest)


def run_backtest_job(
    config: ParityConfig,
    *,
    config_path: str | Path,
    started_at: datetime,
    base_dir: str | Path = ".",
    run_id: str | None = None,
    progress: Progress = NO_PROGRESS,
    parts: BacktestParts | None = None,
    report_worker: ReportWorker | None = None,
) -> Path:
    """Run one backtest and write its run folder; returns the folder.

    `started_at` (the caller's clock) names the run unless `run_id` or `reporting.run_id` does;
    relative paths in the config (data files, output folder) are taken from `base_dir`. A
    `report_worker` (started by the caller before the run, so it is ready by the report stage)
    draws part of the report in a second process; the files are the same without one.
    """
    if config.execution.mode != "backtest":
        raise ConfigError(
            f"{config_path}: execution.mode: '{config.execution.mode}' trades through Alpaca's paper API; "
            f"start it with `parity run --config {config_path}` (`parity backtest` needs mode: backtest)"
        )
    if not config.execution.enabled:
        raise ConfigError(f"{config_path}: execution.enabled: false switches order placing off, so a backtest "
                          "would trade nothing; set it to true")
    parts = parts or default_parts()
    base_dir = Path(base_dir)
    digest = config_hash(config)
    run_id = run_id or config.reporting.run_id or make_run_id(started_at, config.strategy.name, digest)
    output_dir = base_dir / config.reporting.output_dir

    with staged_run_dir(output_dir, run_id) as staging:
        with progress.stage("data"):
            bars = _load_bars(parts, config, config_path, base_dir)
        with progress.stage("signals"):
            # The strategy owns the layout under the run folder (it saves models/<version>.ubj + .json).
            signals = _generate_signals(parts.build_strategy(config.strategy), bars, staging)
        with progress.stage("simulation"):
            records = parts.run_backtest(bars, signals, config, digest)
        with progress.stage("report"):
            run = RunData.from_records(run_id, records, signals, bars, config_yaml=dump_config(config))
            stats = compute_stats(run.equity, run.fills, run.orders, periods_per_year(config.data.timeframe))
            write_run_files(staging, run.with_stats(stats), html=config.reporting.html, worker=report_worker)
    return output_dir / run_id


def _load_bars(parts: BacktestParts, config: ParityConfig, config_path: str | Path, base_dir: Path) -> Bars:
    try:
        if config.data.source == "alpaca":  # the cached download of that feed (parity data download)
            return parts.load_bars(config.data, base_dir, feed=config.alpaca.feed)
        return parts.load_bars(config.data, base_dir)
    except DataError as exc:
        # An error about a data.* setting also names the config file it came from.
        if str(exc).startswith("data."):
            raise DataError(f"{config_path}: {exc}") from None
        raise


def _generate_signals(strategy: Strategy, bars: Bars, run_dir: Path) -> SignalSet:
    """Scores from the strategy; it saves its models under the (staged, existing) run folder itself."""
    return strategy.generate(bars, str(run_dir))

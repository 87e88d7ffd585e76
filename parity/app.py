"""The one place a backtest is wired from its config: data -> strategy -> broker -> report.

The engine imports neither `brokers/` nor `strategies/`; this module chooses them (`execution.mode`
picks the broker and clock, `strategy.use` the strategy, through parity/strategy_registry.py) and
hands the pieces to each other. `compute_backtest` runs a backtest in memory (the Python API,
parity/api.py, stops there); `run_backtest_job` (the CLI) also writes the run folder, built in one
staging folder that becomes `reports/<run-id>/` only when the whole job succeeded, so a failed run
(bad data, a crash, Ctrl-C) leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

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
from parity.strategy_registry import StrategySpec, describe_strategy, resolve_strategy, with_resolved_params

STAGES = ("data", "signals", "simulation", "report")


@dataclass(frozen=True)
class BacktestParts:
    """The data loader and the simulator; tests swap in small fakes."""

    load_bars: Callable[..., Bars]  # (DataConfig, base_dir) -> Bars
    run_backtest: Callable[..., RunRecords]  # (bars, signals, ParityConfig, run_key) -> RunRecords


def default_parts() -> BacktestParts:
    # Imported here so that `parity validate` and `parity --help` do not pay for numba imports.
    from parity.brokers.sim.backtest import run_backtest
    from parity.engine.data import load_bars

    return BacktestParts(load_bars=load_bars, run_backtest=run_backtest)


@dataclass(frozen=True)
class ChosenStrategy:
    """The strategy object a run uses and the record of what it is (strategy.json)."""

    strategy: Strategy
    record: dict[str, Any]
    config: ParityConfig  # the run's config, strategy.params as resolved

    @classmethod
    def from_config(cls, config: ParityConfig, config_path: str | Path, config_dir: Path | None = None) -> "ChosenStrategy":
        spec: StrategySpec = resolve_strategy(config, str(config_path), config_dir)
        return cls(spec.build(), spec.record(), with_resolved_params(config, spec))

    @classmethod
    def from_object(cls, config: ParityConfig, strategy: Strategy) -> "ChosenStrategy":
        record = describe_strategy(strategy)
        strategy_cfg = config.strategy.model_copy(update={"use": record["import_path"], "params": record["params"]})
        return cls(strategy, record, config.model_copy(update={"strategy": strategy_cfg}))


def check_backtest_mode(config: ParityConfig, config_path: str | Path) -> None:
    if config.execution.mode != "backtest":
        raise ConfigError(
            f"{config_path}: execution.mode: '{config.execution.mode}' trades through Alpaca's paper API; "
            f"start it with `parity run --config {config_path}` (`parity backtest` needs mode: backtest)"
        )
    if not config.execution.enabled:
        raise ConfigError(f"{config_path}: execution.enabled: false switches order placing off, so a backtest "
                          "would trade nothing; set it to true")


def compute_backtest(
    config: ParityConfig,
    chosen: ChosenStrategy,
    *,
    run_id: str,
    config_path: str | Path = "<config>",
    base_dir: str | Path = ".",
    bars: Bars | None = None,
    progress: Progress = NO_PROGRESS,
    parts: BacktestParts | None = None,
) -> tuple[RunData, Bars, SignalSet]:
    """One backtest in memory: (the run's tables and stats, the bars, the signals); `bars` given by
    the caller are used as they are."""
    parts = parts or default_parts()
    config = chosen.config
    with progress.stage("data"):
        bars = bars if bars is not None else _load_bars(parts, config, config_path, Path(base_dir))
    with progress.stage("signals"):
        signals = chosen.strategy.generate(bars)
        if signals.scores.shape != (bars.n_bars, bars.n_symbols):
            raise ValueError(f"signals: scores of shape {signals.scores.shape}, the bars are "
                             f"{bars.n_bars} bars x {bars.n_symbols} symbols; give one score per bar and symbol")
    with progress.stage("simulation"):
        records = parts.run_backtest(bars, signals, config, config_hash(config))
    run = RunData.from_records(run_id, records, signals, bars, config_yaml=dump_config(config), strategy=chosen.record)
    stats = compute_stats(run.equity, run.fills, run.orders, periods_per_year(config.data.timeframe))
    return run.with_stats(stats), bars, signals


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
    chosen: ChosenStrategy | None = None,
) -> Path:
    """Run one backtest and write its run folder; returns the folder.

    `started_at` (the caller's clock) names the run unless `run_id` or `reporting.run_id` does;
    relative paths in the config (data files, output folder) are taken from `base_dir`. A
    `report_worker` (started by the caller before the run, so it is ready by the report stage)
    draws part of the report in a second process; the files are the same without one.
    """
    check_backtest_mode(config, config_path)
    chosen = chosen or ChosenStrategy.from_config(config, config_path, Path(config_path).parent)
    config = chosen.config
    base_dir = Path(base_dir)
    run_id = run_id or config.reporting.run_id or make_run_id(started_at, chosen.strategy.name, config_hash(config))
    output_dir = base_dir / config.reporting.output_dir

    with staged_run_dir(output_dir, run_id) as staging:
        run, _, _ = compute_backtest(config, chosen, run_id=run_id, config_path=config_path, base_dir=base_dir,
                                     progress=progress, parts=parts)
        with progress.stage("report"):
            write_run_files(staging, run, html=config.reporting.html, worker=report_worker)
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

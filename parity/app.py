"""The one place a backtest is wired from its config: data -> strategy -> broker -> report.

The engine imports neither `brokers/` nor `strategies/`; this module chooses them (`execution.mode`
picks the broker and clock, `strategy.use` the strategy, through parity/strategy_registry.py) and
hands the pieces to each other. `compute_backtest` runs a backtest in memory (the Python API,
parity/api.py, stops there); `run_backtest_job` (the CLI) also writes the run folder, built in one
staging folder that becomes `reports/<run-id>/` only when the whole job succeeded, so a failed run
(bad data, a crash, Ctrl-C) leaves nothing behind.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from parity.engine.config import ConfigError, ParityConfig, config_hash, defaults_note, dump_config
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


@dataclass(frozen=True)
class Prepared:
    """A backtest that passed every check before its first bar: its strategy, its bars, and the
    notes a user should see (surprising but legal settings)."""

    chosen: ChosenStrategy
    bars: Bars
    notes: tuple[str, ...]


def prepare_backtest(config: ParityConfig, config_path: str | Path, base_dir: Path, *,
                     parts: BacktestParts | None = None, chosen: ChosenStrategy | None = None,
                     progress: Progress = NO_PROGRESS, make_output_dir: bool = False) -> Prepared:
    """Every check a backtest makes before its first bar, in the order it makes them; `parity
    validate` calls this too (writing nothing), so that the two accept and refuse the same configs in
    the same words. `make_output_dir`: create reporting.output_dir once it is known to be usable."""
    check_backtest_mode(config, config_path)
    check_output_dir(config, config_path, base_dir)
    if make_output_dir:
        (base_dir / config.reporting.output_dir).mkdir(parents=True, exist_ok=True)
    chosen = chosen or ChosenStrategy.from_config(config, config_path, Path(config_path).parent)
    with progress.stage("data"):
        bars = _load_bars(parts or default_parts(), chosen.config, config_path, base_dir)
    check_strategy_fits_bars(chosen, bars, config_path)
    notes = tuple(n for n in (defaults_note(config, str(config_path)), limit_offset_note(chosen.config, bars,
                                                                                       str(config_path))) if n)
    return Prepared(chosen, bars, notes)


def check_output_dir(config: ParityConfig, config_path: str | Path, base_dir: Path) -> None:
    """reporting.output_dir must be a folder or creatable as one: no file in the way."""
    folder = base_dir / config.reporting.output_dir
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            if not candidate.is_dir():
                raise ConfigError(f"{config_path}: reporting.output_dir: '{candidate.absolute()}' is a file, not a "
                                  "folder; point reporting.output_dir at a folder (it is created if missing)")
            return


def check_strategy_fits_bars(chosen: ChosenStrategy, bars: Bars, config_path: str | Path) -> None:
    """The walk-forward XGBoost strategy scores nothing before its first model: with fewer bars
    than train_bars + horizon it would run without a single order."""
    if chosen.record["import_path"] != "parity.strategies.xgboost_strategy:XGBoostStrategy":
        return
    params = chosen.record["params"]
    if "train_bars" not in params or "horizon" not in params:
        return
    train_bars, horizon = int(params["train_bars"]), int(params["horizon"])
    if train_bars + horizon >= bars.n_bars:
        raise ConfigError(
            f"{config_path}: strategy.params.train_bars: {train_bars} (+ horizon {horizon}) bars come before the "
            f"first model, but the data has {bars.n_bars} bars, so nothing would trade; set train_bars below "
            f"{max(bars.n_bars - horizon, 0)} or load more bars (data.start, data.end)")


def limit_offset_note(config: ParityConfig, bars: Bars, source: str) -> str | None:
    """Limit orders sit `limit_price_offset` away from the decision price; an offset the next bar
    rarely reaches leaves most orders unfilled. Said with how often these bars would have filled one."""
    om = config.order_management
    if om.default_order_type != "limit" or om.limit_price_offset <= 0 or bars.n_bars < 2:
        return None
    import numpy as np

    close, low, high = bars.close[:-1], bars.low[1:], bars.high[1:]
    through = config.simulation.fill.limit_fill == "through"
    buy_limit, sell_limit = close * (1 - om.limit_price_offset), close * (1 + om.limit_price_offset)
    with np.errstate(invalid="ignore"):
        buys = (low < buy_limit) if through else (low <= buy_limit)
        sells = (high > sell_limit) if through else (high >= sell_limit)
    known = np.isfinite(close) & np.isfinite(low) & np.isfinite(high)
    share = float((buys & known).sum() + (sells & known).sum()) / max(2 * int(known.sum()), 1)
    if share >= 0.05:
        return None
    return (f"{source}: order_management.limit_price_offset {om.limit_price_offset:g} with default_order_type "
            f"limit: on these bars the next bar reached such a limit {share:.1%} of the time, so most orders will "
            "not fill; lower the offset or use default_order_type: market")


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
    if bars is None:  # (a CLI backtest loads and checks them first, in prepare_backtest)
        with progress.stage("data"):
            bars = _load_bars(parts, config, config_path, Path(base_dir))
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
    relative paths left in the config (the output folder; data files of a config built in code, since
    load_config takes a file's inputs from its folder) are taken from `base_dir`. A
    `report_worker` (started by the caller before the run, so it is ready by the report stage)
    draws part of the report in a second process; the files are the same without one.
    """
    base_dir = Path(base_dir)
    prepared = prepare_backtest(config, config_path, base_dir, parts=parts, chosen=chosen, progress=progress,
                                make_output_dir=True)
    chosen = prepared.chosen
    config = chosen.config
    run_id = run_id or config.reporting.run_id or make_run_id(started_at, chosen.strategy.name, config_hash(config))
    output_dir = base_dir / config.reporting.output_dir

    with staged_run_dir(output_dir, run_id) as staging:
        run, _, _ = compute_backtest(config, chosen, run_id=run_id, config_path=config_path, base_dir=base_dir,
                                     bars=prepared.bars, progress=progress, parts=parts)
        with progress.stage("report"):
            write_run_files(staging, run, html=config.reporting.html, worker=report_worker)
    for note in prepared.notes:  # after the run, so that a run that fails says one line: its error
        print(f"note: {note}", file=sys.stderr)
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

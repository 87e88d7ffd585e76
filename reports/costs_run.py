"""One call from a run (a `RunData` or its folder) to every cost result: `analyse_costs`.

Market context comes from the run's bars when they can be loaded offline from its resolved config
and line up with the run (its rows are consecutive bars of the data, every traded symbol present);
otherwise it is rebuilt from the records (reports/costs_prices.py says how, and
`CostAnalysis.prices_source` says which).

A paper run's fills carry no pre-slippage reference price (the venue reports only the price, which
the journal repeats as the reference), so for paper runs the reference is replaced by the stand-in of
reports/costs_benchmarks.py (the fill bar's open when the bars are known).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from parity.engine.config.loader import validate_config
from parity.engine.config.schema import ParityConfig
from parity.engine.data import DataError, load_bars
from parity.engine.data.bars import Bars
from parity.reports.calibration import Calibration, calibrate, slippage_observations
from parity.reports.costs import attribute_orders, order_end_prices
from parity.reports.costs_aggregate import add_context, cost_drag, cost_summary, cost_tables
from parity.reports.costs_compare import compare_with_simulator, comparison_summary
from parity.reports.costs_benchmarks import complete_benchmarks
from parity.reports.costs_prices import MarketPrices, prices_from_bars, prices_from_records, utc_ns
from parity.reports.run_data import CONFIG_FILE, RunData, load_run

RUN_DIR_ENV = "PARITY_RUN_DIR"


@dataclass(frozen=True)
class CostAnalysis:
    run_id: str
    mode: str  # "backtest" or "paper"
    prices_source: str  # "bars" or "records"
    config: ParityConfig
    attribution: pd.DataFrame  # one row per order (parity.reports.costs + grouping columns)
    tables: dict[str, pd.DataFrame]  # cost_by for each grouping
    summary: dict[str, Any]
    drag: pd.DataFrame
    observations: pd.DataFrame  # per-fill slippage observations behind the calibration
    calibration: Calibration
    comparison: pd.DataFrame | None  # paper runs only: realised vs simulator per fill
    comparison_summary: dict[str, Any] | None

    @property
    def is_paper(self) -> bool:
        return self.mode == "paper"


def run_config(run: RunData) -> ParityConfig:
    """The run's resolved config (defaults if the run folder has none)."""
    raw = yaml.safe_load(run.config_yaml) if run.config_yaml else {}
    return validate_config(raw or {}, source=f"{run.run_id}/{CONFIG_FILE}")


def market_prices(run: RunData, config: ParityConfig, bars: Bars | None = None, base_dir: Path = Path(".")) -> MarketPrices:
    """Prices from `bars` (or the run's data source, loaded offline; relative data paths resolve against
    `base_dir`) if they match the run, else from its records."""
    if bars is None:
        bars = _load_bars_offline(config, base_dir)
    rows = run_rows_in_bars(bars, run) if bars is not None else None
    if rows is not None:
        return prices_from_bars(bars, *rows)
    return prices_from_records(run.orders, run.equity, run.positions)


def analyse_costs(run: RunData, bars: Bars | None = None, config: ParityConfig | None = None,
                  base_dir: Path = Path(".")) -> CostAnalysis:
    """Every cost result for `run`; `bars` are the run's bars if the caller has them (else loaded, see module note)."""
    config = config or run_config(run)
    prices = market_prices(run, config, bars, base_dir)
    sim = config.simulation
    paper = config.execution.mode == "paper"
    fills = run.fills.assign(reference_price=np.nan) if paper else run.fills
    orders, fills = complete_benchmarks(run.orders, fills, prices)
    attribution = attribute_orders(orders, fills, order_end_prices(orders, fills, prices))
    attribution = add_context(attribution, prices, sim.slippage.vol_lookback)
    comparison = compare_with_simulator(orders, fills, prices, sim) if paper else None
    return CostAnalysis(
        run_id=run.run_id,
        mode=config.execution.mode,
        prices_source=prices.source,
        config=config,
        attribution=attribution,
        tables=cost_tables(attribution),
        summary=cost_summary(attribution, run.equity),
        drag=cost_drag(fills, run.equity),
        observations=slippage_observations(orders, fills, prices, sim.slippage.vol_lookback),
        calibration=calibrate(orders, fills, prices, sim, source=f"run {run.run_id}"),
        comparison=comparison,
        comparison_summary=comparison_summary(comparison) if comparison is not None else None,
    )


def analyse_run_dir(run_dir: str | Path, bars: Bars | None = None, base_dir: Path = Path(".")) -> CostAnalysis:
    return analyse_costs(load_run(run_dir), bars, base_dir=base_dir)


def newest_run_dir(output_dir: str | Path = "reports") -> Path:
    """The most recently modified run folder (one holding orders.parquet) under `output_dir`."""
    output_dir = Path(output_dir)
    runs = [p for p in output_dir.glob("*/") if (p / "orders.parquet").is_file() and not p.name.startswith(".")]
    if not runs:
        raise FileNotFoundError(f"{output_dir}: no run folder with orders.parquet; run `parity backtest` first "
                                f"or set {RUN_DIR_ENV} to a run folder")
    return max(runs, key=lambda p: (p.stat().st_mtime_ns, p.name))


def locate_run(run_dir: str | Path | None = None, start: Path | None = None) -> tuple[Path, Path]:
    """(run folder, project folder) for a notebook: `run_dir`, else $PARITY_RUN_DIR, else the newest run
    under the project's reports/. The project folder (where config/ lives: the current folder or one
    above it, as when Jupyter starts in notebooks/) is where the run's relative data paths resolve."""
    start = (start or Path.cwd()).resolve()
    project = next((p for p in (start, *start.parents[:2]) if (p / "config").is_dir()), start)
    chosen = run_dir or os.environ.get(RUN_DIR_ENV)
    if chosen:
        path = Path(chosen).expanduser()
        path = path if path.is_absolute() else project / path
        if not (path / "orders.parquet").is_file():
            raise FileNotFoundError(f"{path}: not a run folder (no orders.parquet); set {RUN_DIR_ENV} to reports/<run-id>")
        return path, project
    return newest_run_dir(project / "reports"), project


def run_rows_in_bars(bars: Bars, run: RunData) -> tuple[int, int] | None:
    """The rows [start, stop) of `bars` that are the run's rows (its equity rows are bar closes, consecutive:
    all of them for a backtest, those after the warm-up for a paper run); None if they are not, or a
    symbol the run touched is missing."""
    eq_ts = utc_ns(run.equity["ts"])
    close_ts = np.asarray(bars.close_ts, dtype=np.int64)
    if not len(eq_ts):
        return None
    start = int(np.searchsorted(close_ts, eq_ts[0]))
    stop = start + len(eq_ts)
    if stop > len(close_ts) or not np.array_equal(close_ts[start:stop], eq_ts):
        return None
    used = set(run.orders["symbol"]) | set(run.positions["symbol"])
    return (start, stop) if used <= set(bars.symbols) else None


def _load_bars_offline(config: ParityConfig, base_dir: Path) -> Bars | None:
    """The run's bars from an offline source (embedded data, a user's csv/parquet); None when the source
    is online or its files are gone (the analysis then rests on the records)."""
    if config.data.source not in ("embedded", "csv", "parquet"):
        return None
    try:
        return load_bars(config.data, base_dir)
    except (DataError, FileNotFoundError):
        return None

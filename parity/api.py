"""The Python API, for notebooks and scripts: the same calls `parity backtest` makes, in memory.

    import parity
    config = parity.load_config("config/default.yaml", set=["risk_management.stop_loss_pct=0.06"])
    result = parity.backtest(config, strategy=MyStrategy(MyStrategy.Params(fast=10)))
    result.stats["sharpe"], result.orders, result.fills, result.equity
    result.plot()                      # equity and drawdown
    result.report("my_run.html")       # the report page alone
    result.save("reports")             # the whole run folder, as `parity backtest` writes it

Nothing is written to disk unless asked (`save`, `report`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

import pandas as pd

from parity.engine.config import ParityConfig
from parity.engine.config import load_config as _load_yaml
from parity.engine.data.bars import Bars
from parity.engine.signals import SignalSet, Strategy
from parity.reports.run_data import RunData
from parity.strategy_registry import resolve_strategy, with_resolved_params

if TYPE_CHECKING:
    from matplotlib.axes import Axes

DEFAULT_CONFIG = Path(__file__).resolve().parents[1] / "config" / "default.yaml"


def load_config(path: str | Path | None = None, set: Iterable[str] = ()) -> ParityConfig:  # noqa: A002
    """The validated config at `path` (default: Parity's config/default.yaml) with `set` overrides
    ("section.key=value", as `--set`), its strategy looked up and strategy.params checked and
    completed with their defaults. Relative input paths (data.path, data.universe, a strategy's Path
    params) are taken from the config file's folder. Raises ConfigError with one line per problem."""
    source = Path(path) if path is not None else DEFAULT_CONFIG
    config = _load_yaml(source, list(set))
    return with_resolved_params(config, resolve_strategy(config, str(source), source.parent))


def load_bars(config: ParityConfig | str | Path | None = None, base_dir: str | Path = ".") -> Bars:
    """The checked bars of the config's data section (default: Parity's embedded dataset), as a
    backtest of that config sees them; relative paths are taken from `base_dir`."""
    from parity.engine.data import load_bars as load

    if not isinstance(config, ParityConfig):
        config = _load_yaml(Path(config) if config is not None else DEFAULT_CONFIG)
    return load(config.data, Path(base_dir), feed=config.alpaca.feed) if config.data.source == "alpaca" \
        else load(config.data, Path(base_dir))


@dataclass(frozen=True)
class Result:
    """One finished backtest: its tables as DataFrames, its stats, and what ran."""

    config: ParityConfig  # as run (strategy.params resolved)
    run: RunData
    bars: Bars
    signal_set: SignalSet

    @property
    def orders(self) -> pd.DataFrame:
        return self.run.orders

    @property
    def fills(self) -> pd.DataFrame:
        return self.run.fills

    @property
    def equity(self) -> pd.DataFrame:
        return self.run.equity

    @property
    def positions(self) -> pd.DataFrame:
        return self.run.positions

    @property
    def risk_events(self) -> pd.DataFrame:
        return self.run.risk_events

    @property
    def signals(self) -> pd.DataFrame:
        return self.run.signals

    @property
    def stats(self) -> dict[str, Any]:
        return self.run.stats

    @property
    def notes(self) -> tuple[str, ...]:
        """What the data checks and the strategy noticed (also in the report)."""
        return self.run.data_notes

    @property
    def strategy(self) -> dict[str, Any]:
        """What ran: import path, resolved params, source digest (the run folder's strategy.json)."""
        return self.run.strategy

    def save(self, output_dir: str | Path | None = None) -> Path:
        """Write the run folder (every file `parity backtest` writes) under `output_dir` (default:
        reporting.output_dir), atomically; returns it."""
        from parity.reports.writer import write_run

        return write_run(Path(output_dir) if output_dir is not None else self.config.reporting.output_dir, self.run,
                         html=self.config.reporting.html)

    def report(self, path: str | Path) -> Path:
        """Write the self-contained report page alone to `path`; returns it."""
        from parity.reports.html import render_report

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.partial")
        tmp.write_text(render_report(self.run), encoding="utf-8")
        tmp.replace(path)  # never a half-written page
        return path

    def plot(self, ax: Axes | None = None) -> Axes:
        """Equity (left axis) and drawdown from the running peak (right axis, shaded)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(10, 4))
        equity = self.equity.set_index("ts")["equity"]
        ax.plot(equity.index, equity.to_numpy(), color="#1f4e79", lw=1.2, label="equity")
        ax.set_ylabel("equity (USD)")
        drawdown = equity / equity.cummax() - 1.0
        ax2 = ax.twinx()
        ax2.fill_between(drawdown.index, drawdown.to_numpy() * 100, 0, color="#c0392b", alpha=0.25, lw=0)
        ax2.set_ylabel("drawdown (%)")
        ax.set_title(f"{self.run.run_id}: total return {self.stats.get('total_return', float('nan')):.2%}")
        return ax


def backtest(
    config: ParityConfig | str | Path | None = None,
    *,
    strategy: Strategy | str | None = None,
    signals: SignalSet | pd.DataFrame | str | Path | None = None,
    bars: Bars | None = None,
    set: Iterable[str] = (),  # noqa: A002
    run_id: str | None = None,
) -> Result:
    """Run one backtest in memory and return its Result.

    - `config`: a ParityConfig (from `load_config`), a YAML path, or None for Parity's default.
    - `strategy`: a strategy object (anything with name, lookback and generate(bars)), or a name /
      import path as `strategy.use` takes; default: the config's.
    - `signals`: precomputed scores instead of a strategy: a SignalSet aligned to the bars, or a
      long DataFrame / a parquet or CSV file with ts, symbol, score (checked as `use: signals` is).
    - `bars`: your own Bars instead of the config's data section.
    """
    from parity.app import ChosenStrategy, check_backtest_mode, compute_backtest
    from parity.engine.config import config_hash
    from parity.reports.writer import make_run_id

    if not isinstance(config, ParityConfig):
        config = load_config(config, set)
    elif set:
        raise ValueError("backtest: `set` overrides go with a config path; for a loaded config use "
                         "parity.load_config(path, set=[...])")
    check_backtest_mode(config, "<config>")
    if isinstance(strategy, str):
        config = config.model_copy(update={"strategy": config.strategy.model_copy(update={"use": strategy, "params": {}})})
        strategy = None
    if signals is not None:
        if strategy is not None:
            raise ValueError("backtest: give either `strategy` or `signals`, not both")
        strategy = GivenSignals(signals) if isinstance(signals, SignalSet) else _signals_strategy(signals)
    if strategy is not None:
        chosen = ChosenStrategy.from_object(config, strategy)
    else:
        chosen = ChosenStrategy.from_config(config, "<config>")
    run_id = run_id or make_run_id(datetime.now(timezone.utc), chosen.strategy.name, config_hash(chosen.config))
    run, bars, signal_set = compute_backtest(config, chosen, run_id=run_id, bars=bars)
    return Result(chosen.config, run, bars, signal_set)


class GivenSignals:
    """A SignalSet computed by the caller, as a strategy (it must match the bars' shape)."""

    name = "signals"
    lookback = 1

    def __init__(self, signals: SignalSet) -> None:
        self.signals = signals

    def generate(self, bars: Bars) -> SignalSet:
        return self.signals


def _signals_strategy(source: pd.DataFrame | str | Path) -> Strategy:
    from parity.strategies.signals_file import SignalsFileStrategy, SignalsFrame

    if isinstance(source, pd.DataFrame):
        return SignalsFrame(source)
    return SignalsFileStrategy(SignalsFileStrategy.Params(path=Path(source)))

"""Wiring for live paper trading: config -> AlpacaBroker, journal, live bars, strategy, LiveRunner.

`parity run` (commands/run.py) and the offline replay (parity/replay.py) both build their runner
here; only the venue differs (Alpaca's servers, or a local FakeAlpaca replaying bars).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from parity.brokers.alpaca.broker import AlpacaBroker
from parity.brokers.alpaca.credentials import Credentials, credentials_from_env
from parity.brokers.alpaca.live_bars import AlpacaBarFeed
from parity.brokers.alpaca.market_data import AlpacaBars
from parity.brokers.alpaca.resilience import RateLimiter
from parity.engine.clock import Clock
from parity.engine.config import ConfigError, ParityConfig, config_hash
from parity.engine.data.bars import Bars
from parity.engine.data.universe import read_universe, universe_path
from parity.engine.journal import Journal
from parity.live import LiveRunner
from parity.live_scoring import RemoteScorer, RemoteStrategy, StrategyInfo, describe_strategy
from parity.strategy_registry import add_search_dirs

log = logging.getLogger(__name__)


def live_strategy(config: ParityConfig, config_path: str | Path) -> StrategyInfo:
    """The configured strategy, resolved and checked in a scoring worker (the backtest's lookup; the
    runner itself never imports strategy code, which holds polars, XGBoost and the user's model)."""
    add_search_dirs(Path(config_path).parent if not str(config_path).startswith("<") else None)
    return describe_strategy(config, str(config_path))


def live_scorer_factory(config: ParityConfig) -> Callable[[Bars], RemoteScorer]:
    """history Bars -> the strategy's live scorer warmed up on them, in a scoring worker process."""
    return lambda history: RemoteScorer(config, history)


def live_run_key(config: ParityConfig) -> str:
    """Short and stable across restarts of the same config (it prefixes every client_order_id)."""
    return config_hash(config)[:8]


@dataclass
class LiveSetup:
    runner: LiveRunner
    broker: AlpacaBroker
    journal: Journal

    def close(self) -> None:
        self.runner.close_scorer()
        self.broker.close()
        self.journal.close()


def skip_numba_blas_probe() -> None:
    """numba probes for BLAS once a process, when it first compiles or loads a kernel, by importing
    scipy.linalg: ~50 MB resident and 0.2 s in a runner whose kernels use no linear algebra (nothing
    in engine/ or brokers/ calls np.dot or np.linalg; scoring runs in a child process). Loading
    numba's array registry while scipy.linalg is marked absent leaves the probe's answer "no BLAS"
    in this process only, so a kernel that did ask for linear algebra would fail to compile with
    numba's own "scipy 0.16+ is required" error rather than run differently. Nothing to do if
    scipy.linalg is already imported."""
    import sys

    if "scipy.linalg" in sys.modules:
        return
    from numba.core.registry import cpu_target

    sys.modules["scipy.linalg"] = None  # type: ignore[assignment]  # makes `import scipy.linalg...` fail
    try:
        cpu_target.target_context.refresh()  # imports numba.np.arraymath, which runs the probe once
    finally:
        del sys.modules["scipy.linalg"]


def use_system_memory_pool() -> None:
    """Arrow's default allocator (mimalloc) keeps freed pages for reuse. A runner builds a few small
    frames (the bar download, pandas' Arrow-backed strings) once a bar and idles in between; in the
    system allocator, which hands them back, its peak RSS is ~8 MB lower (paper benchmark). pyarrow
    is loaded already (pandas imports it); buffers made before keep their own pool."""
    import pyarrow

    pyarrow.set_memory_pool(pyarrow.system_memory_pool())


def build_live(config: ParityConfig, config_path: str | Path, base_dir: Path, clock: Clock,
               creds: Credentials | None = None, broker_cls: type[AlpacaBroker] = AlpacaBroker,
               broker_args: tuple[Any, ...] = (), run_dir: Path | None = None, use_stream: bool = True,
               limiter: RateLimiter | None = None, strategy: StrategyInfo | None = None) -> LiveSetup:
    if config.execution.mode != "paper":
        raise ConfigError(f"{config_path}: execution.mode is '{config.execution.mode}'; `parity run` trades "
                          f"through Alpaca and needs execution.mode: paper (see config/paper.yaml)")
    creds = creds or credentials_from_env()
    info = strategy or live_strategy(config, config_path)
    # strategy.params as resolved (defaults filled in), as a backtest of this config records them
    config = config.model_copy(update={"strategy": config.strategy.model_copy(update={"params": info.record["params"]})})
    use_system_memory_pool()
    skip_numba_blas_probe()
    universe = read_universe(universe_path(config.data.universe, base_dir))
    run_key = live_run_key(config)
    journal_path = config.alpaca.journal_path
    journal = Journal(journal_path if journal_path.is_absolute() else base_dir / journal_path)
    broker = broker_cls(*broker_args, config.alpaca, creds, journal=journal, run_key=run_key, clock=clock,
                        use_stream=use_stream, limiter=limiter)
    feed = AlpacaBarFeed(AlpacaBars(config.alpaca, creds), list(universe), universe, config.data.timeframe,
                         config.data.calendar)
    out = config.reporting.output_dir if config.reporting.output_dir.is_absolute() else base_dir / config.reporting.output_dir
    run_dir = run_dir or out / (config.reporting.run_id or f"paper-{info.name}-{run_key}")
    runner = LiveRunner(config, broker, feed, RemoteStrategy(config, info), journal, clock, run_key, run_dir,
                        tuple(universe), tuple(universe.values()), scorer_factory=live_scorer_factory(config))
    return LiveSetup(runner, broker, journal)

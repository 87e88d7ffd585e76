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
from parity.engine.data.universe import read_universe
from parity.engine.journal import Journal
from parity.engine.signals import Strategy
from parity.live import LiveRunner
from parity.live_scoring import RemoteScorer, RemoteStrategy

log = logging.getLogger(__name__)


def build_strategy(config: ParityConfig) -> Strategy:
    """The configured strategy (the backtest's code), run in a scoring worker process."""
    if config.strategy.name not in ("momentum", "xgboost"):
        raise ConfigError(f"strategy.name '{config.strategy.name}' is not available for live runs")
    return RemoteStrategy(config.strategy)


def live_scorer_factory(config: ParityConfig) -> Callable[[Bars], RemoteScorer]:
    """history Bars -> parity.strategies.LiveScorer warmed up on them, in a scoring worker process."""
    return lambda history: RemoteScorer(config.strategy, history)


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
               limiter: RateLimiter | None = None) -> LiveSetup:
    if config.execution.mode != "paper":
        raise ConfigError(f"{config_path}: execution.mode is '{config.execution.mode}'; `parity run` trades "
                          f"through Alpaca and needs execution.mode: paper (see config/paper.yaml)")
    creds = creds or credentials_from_env()
    use_system_memory_pool()
    skip_numba_blas_probe()
    universe_path = config.data.universe if config.data.universe.is_absolute() else base_dir / config.data.universe
    universe = read_universe(universe_path)
    run_key = live_run_key(config)
    journal_path = config.alpaca.journal_path
    journal = Journal(journal_path if journal_path.is_absolute() else base_dir / journal_path)
    broker = broker_cls(*broker_args, config.alpaca, creds, journal=journal, run_key=run_key, clock=clock,
                        use_stream=use_stream, limiter=limiter)
    feed = AlpacaBarFeed(AlpacaBars(config.alpaca, creds), list(universe), universe, config.data.timeframe,
                         config.data.calendar)
    out = config.reporting.output_dir if config.reporting.output_dir.is_absolute() else base_dir / config.reporting.output_dir
    run_dir = run_dir or out / (config.reporting.run_id or f"paper-{config.strategy.name}-{run_key}")
    runner = LiveRunner(config, broker, feed, build_strategy(config), journal, clock, run_key, run_dir,
                        tuple(universe), tuple(universe.values()), scorer_factory=live_scorer_factory(config))
    return LiveSetup(runner, broker, journal)

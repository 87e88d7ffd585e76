"""`parity paper --replay`: live paper trading end to end, offline, against a local fake Alpaca.

A FakeAlpaca on 127.0.0.1 (dummy keys) serves the embedded dataset's history through its market-data
API and replays the following sessions one by one; the real paper stack runs against it: the
AlpacaBroker with its journal, stream and resilience, live bars through the data checks, the same
strategy and the engine's stepper. Each session: the bar closes at the venue (orders decided the
evening before fill at its open, day orders left at the close expire), the runner decides on it
and sends tomorrow's orders. The run folder is the same as a backtest's.
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

import numpy as np
import pandas as pd

from parity.brokers.alpaca.credentials import Credentials
from parity.brokers.alpaca.replay import ReplayBroker, ReplayVenue
from parity.brokers.alpaca.resilience import RateLimiter
from parity.engine.config import ParityConfig
from parity.engine.data import load_bars
from parity.engine.data.bars import Bars
from parity.live import CycleReport
from parity.live_app import build_live, live_strategy

if TYPE_CHECKING:  # imported where a fake is started: a venue process keeps aiohttp out of the runner
    from parity.brokers.alpaca.fake import FakeAlpaca

log = logging.getLogger(__name__)

# Dummy keys: the fake checks them like Alpaca would; nothing real is needed or used.
REPLAY_KEY, REPLAY_SECRET = "PKREPLAYDEMO00000000", "replay-demo-secret-not-a-real-key-000000"


class VenueClock:
    """The fake venue's time: the runner sees the replayed market's clock, not the wall clock."""

    def __init__(self, fake: FakeAlpaca) -> None:
        self._fake = fake

    def now_ns(self) -> int:
        return int(self._fake.now.value)


@dataclass(frozen=True)
class ReplayResult:
    run_dir: Path
    cycles: list[CycleReport]
    reconcile_lines: list[str]
    positions: dict[str, float]
    cash: float
    posted: int  # POST /v2/orders the fake received
    seconds: float
    # peak RSS (MB) of the runner's child processes, by job: "scoring", "report"
    child_peak_rss_mb: dict[str, float] = field(default_factory=dict)


def history_bars(config: ParityConfig) -> int:
    """Bars the strategy needs before its first decision (its lookback)."""
    return live_strategy(config, "<replay>").lookback


def replay_config(config: ParityConfig, out_dir: Path | None) -> ParityConfig:
    alpaca = config.alpaca.model_copy(update={"paper": True, "allow_live_trading": False})
    update: dict = {"execution": config.execution.model_copy(update={"mode": "paper"}), "alpaca": alpaca}
    if out_dir is not None:
        update["reporting"] = config.reporting.model_copy(update={"output_dir": out_dir})
    return config.model_copy(update=update)


@contextmanager
def replay_world(config: ParityConfig, bars: Bars, warmup: int, key_id: str = REPLAY_KEY,
                 secret_key: str = REPLAY_SECRET) -> Iterator[tuple[FakeAlpaca, ReplayVenue, ParityConfig]]:
    """A local fake Alpaca holding the first `warmup` bars as history, its clock at the close of the
    last of them; the venue that replays later bars into it; and `config` pointed at it."""
    from parity.brokers.alpaca.fake import FakeAlpaca

    with FakeAlpaca(key_id, secret_key, cash=config.simulation.initial_cash,
                    now=pd.Timestamp(int(bars.open_ts[0]), tz="UTC") - pd.Timedelta(hours=1),
                    bar_timeframe=config.data.timeframe) as fake:
        for sym in bars.symbols:
            fake.set_asset(sym)
        fake.load_bars(_history_frame(bars, warmup))
        fake.set_time(pd.Timestamp(int(bars.close_ts[warmup - 1]), tz="UTC"))
        alpaca = config.alpaca.model_copy(update={"trading_url": fake.base_url, "data_url": fake.base_url,
                                                  "stream_url": fake.stream_url})
        yield fake, ReplayVenue(fake, bars), config.model_copy(update={"alpaca": alpaca})


def run_replay(config: ParityConfig, base_dir: Path, sessions: int | None = None, seconds_per_bar: float = 0.0,
               bars: Bars | None = None, on_cycle: Callable[[CycleReport], None] = lambda c: None,
               run_dir: Path | None = None, key_id: str = REPLAY_KEY, secret_key: str = REPLAY_SECRET,
               venue_process: bool = False, history: int = 0, config_path: str | Path = "<replay>") -> ReplayResult:
    """Replay `sessions` sessions of `bars` (default: the configured data) through the live runner.
    `venue_process`: run the fake Alpaca and the venue in their own process (parity/live_venue.py),
    so this process holds only the runner, as it does against the real Alpaca. `history`: bars the
    fake holds before the first decision (at least what the strategy needs; more makes the live
    feed's download as long as in production)."""
    started = time.perf_counter()
    bars = bars if bars is not None else load_bars(config.data, base_dir)
    info = live_strategy(config, config_path)
    warmup = max(info.lookback, history)  # the bars the strategy needs before its first decision
    if bars.n_bars <= warmup:
        raise ValueError(f"replay needs more than {warmup} bars of history; the data has {bars.n_bars}")
    last = bars.n_bars if sessions is None else min(bars.n_bars, warmup + sessions)
    if venue_process:
        from parity.live_venue import remote_replay_world

        world = remote_replay_world(config, bars, warmup, key_id, secret_key)
    else:
        world = replay_world(config, bars, warmup, key_id, secret_key)
    with world as (fake, venue, cfg):
        setup = build_live(cfg, config_path, base_dir, VenueClock(fake), Credentials(key_id, secret_key),
                           broker_cls=ReplayBroker, broker_args=(venue,), run_dir=run_dir,
                           # a replayed session lasts milliseconds; Alpaca's 200/min is per real minute
                           limiter=RateLimiter(1_000_000), strategy=info)
        cycles: list[CycleReport] = []
        try:
            setup.broker.start()
            fake.wait_for_listeners()
            report = setup.runner.start()
            for t in range(warmup - 1, last):
                if t >= warmup:
                    venue.play_bar(t)  # the session trades: yesterday's orders fill at its open
                    setup.broker.settle()
                cycle = setup.runner.cycle()
                cycles.append(cycle)
                on_cycle(cycle)
                if seconds_per_bar > 0:
                    time.sleep(seconds_per_bar)
            setup.broker.sync(force_poll=True)
            run_dir = setup.runner.write_outputs()
            positions, cash = fake.positions, fake.cash
            posted = len(fake.posted_client_order_ids())
        finally:
            setup.close()
    return ReplayResult(run_dir, cycles, report.lines(), positions, cash, posted, time.perf_counter() - started,
                        dict(setup.runner.child_peak_rss_mb))


def _history_frame(bars: Bars, n: int) -> pd.DataFrame:
    """Bars [0, n) in the fake's load_bars shape (symbol, t, o, h, l, c, v); missing bars left out."""
    rows = []
    for t in range(n):
        ts = pd.Timestamp(int(bars.open_ts[t]), tz="UTC")
        for i, sym in enumerate(bars.symbols):
            o, h, l, c, v = (bars.open[t, i], bars.high[t, i], bars.low[t, i], bars.close[t, i],  # noqa: E741
                             bars.volume[t, i])
            if np.isfinite([o, h, l, c]).all():
                rows.append((sym, ts, float(o), float(h), float(l), float(c), float(v) if np.isfinite(v) else 0.0))
    return pd.DataFrame(rows, columns=["symbol", "t", "o", "h", "l", "c", "v"])

"""The live runner: the engine driven bar by bar on the market clock, through the AlpacaBroker.

One cycle, run after a bar closes (daily bars: after the session close; orders then queue at the
venue and execute at the next open, as the simulated broker assumes):
  1. catch up with the venue (fills, cancels), then cancel day orders left working at the close;
  2. load the completed bars (same checks as a backtest) and compute signals with the same strategy
     (in a scoring worker process, parity/live_scoring.py, so the runner stays small);
  3. step the engine's Stepper (engine/stepper.py: the same `decide_bar` kernel as the backtest,
     fed with what the broker reports); the AlpacaBroker journals each order before sending it;
  4. journal the signals, the book snapshot and the risk events of the step;
  5. rebuild the run folder (same files as a backtest) from the journal, in a child process
     (parity/live_report.py).
A cycle for a bar already decided does nothing, so a restarted or repeated cron job is harmless.
Time comes from an injected clock; tests and the replay demo use simulated time.
"""

from __future__ import annotations

import gc
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol

import numpy as np
import pandas as pd

from parity.brokers.alpaca.reconcile import ReconcileReport, reconcile
from parity.engine.clock import Clock
from parity.engine.config import ParityConfig
from parity.engine.data.bars import Bars
from parity.engine.data.calendar import bar_times, sessions
from parity.engine.halt import HaltSwitch
from parity.engine.journal import Journal, Snapshot
from parity.engine.stepper import Stepper
from parity.engine.signals import StaleSignals, Strategy
from parity.engine.records import client_order_id
from parity.engine.types import OrderReason, OrderStatus, RiskAction, RiskRule, TimeInForce
from parity.live_child import ChildError
from parity.live_report import ReportRequest, write_in_child

log = logging.getLogger(__name__)

# In service mode the scoring worker is ended when the next decision is further away than this.
IDLE_RELEASE_S = 15 * 60


class BarFeed(Protocol):
    def completed_bars(self, now_ns: int) -> Bars:
        """Checked bars of the universe whose close is at or before `now_ns`."""
        ...


@dataclass(frozen=True)
class CycleReport:
    bar_ts: int
    decided: bool  # False: this bar was decided before (nothing sent)
    orders_sent: int = 0
    orders_rejected: int = 0
    canceled_at_close: int = 0
    equity: float = float("nan")

    def line(self) -> str:
        when = pd.Timestamp(self.bar_ts, tz="UTC").isoformat()
        if not self.decided:
            return f"bar {when}: already decided; nothing sent"
        return (f"bar {when}: equity {self.equity:,.2f}; {self.orders_sent} order(s) sent, "
                f"{self.orders_rejected} rejected; {self.canceled_at_close} day order(s) cancelled at the close")


class MarketSchedule:
    """When decisions happen: each bar's close on the exchange calendar (holidays, early closes)."""

    def __init__(self, calendar: str, timeframe: str, settle_s: float = 0.0) -> None:
        self.calendar, self.timeframe, self._settle = calendar, timeframe, int(settle_s * 1e9)

    def decision_times(self, start_ns: int, end_ns: int) -> np.ndarray:
        start, end = pd.Timestamp(start_ns, tz="UTC"), pd.Timestamp(end_ns, tz="UTC")
        table = sessions(self.calendar, start.tz_convert(None).normalize() - pd.Timedelta(days=1),
                         end.tz_convert(None).normalize() + pd.Timedelta(days=1))
        _, close_ts, _ = bar_times(table, self.timeframe)
        times = close_ts + self._settle
        return times[(times > start_ns) & (times <= end_ns)]

    def next_decision(self, now_ns: int) -> int:
        horizon = 10 * 86_400 * 10**9
        times = self.decision_times(now_ns, now_ns + horizon)
        if not len(times):
            raise RuntimeError(f"no {self.calendar} session in the 10 days after {pd.Timestamp(now_ns, tz='UTC')}")
        return int(times[0])


def _freeze_heap() -> None:
    """Collect once, then move every object alive now out of the collector's reach (gc.freeze).

    Start-up leaves hundreds of thousands of long-lived objects (modules, config, history frames);
    without this a full collection walks them all in the middle of a bar and pauses it (~100 ms).
    """
    gc.collect()
    gc.freeze()


class LiveRunner:
    """Drives one `parity.engine.stepper.Stepper` (the backtest's decision step) from live bars.

    Client order ids use `order_key` = run_key + "e" + the number of earlier runner starts in the
    journal, so a restarted process never reuses an id; journal rows (decisions, snapshots) use
    `run_key`, so one run's history spans restarts.
    """

    def __init__(self, config: ParityConfig, broker: Any, feed: BarFeed, strategy: Strategy, journal: Journal,
                 clock: Clock, run_key: str, run_dir: Path, symbols: tuple[str, ...], sectors: tuple[str, ...],
                 scorer_factory: Callable[[Bars], Any] | None = None) -> None:
        self.config, self.broker, self.feed, self.strategy = config, broker, feed, strategy
        self.journal, self.clock, self.run_key, self.run_dir = journal, clock, run_key, Path(run_dir)
        self.symbols, self.sectors = symbols, sectors
        self._last_bars: Bars | None = None
        self.stepper: Stepper | None = None
        self.order_key = ""
        self._steps = 0
        self._n_events = 0
        # Incremental scoring (parity.strategies.LiveScorer): warmed on the history before the first live
        # bar, then fed one bar at a time; without it the strategy regenerates over the window.
        self._scorer_factory = scorer_factory
        self._scorer: Any = None
        self._scored_ts: int | None = None
        self.child_peak_rss_mb: dict[str, float] = {}  # peak RSS of the child processes, by job

    # --- start-up ---------------------------------------------------------------------------------
    def start(self) -> ReconcileReport:
        """Reconcile the journal with the broker, then set up the engine's stepper.

        An intent never sent is re-sent only if its decision bar is still the newest completed bar
        (its orders have not missed their open); older ones are dropped."""
        now = self.clock.now_ns()
        newest = self._newest_completed_close(now)
        report = reconcile(self.broker, self.journal, now,
                           resend=lambda intent: newest is not None and intent.request.decision_ts >= newest)
        epoch = len(self.journal.notes("start"))
        self.journal.note(now, "start", f"runner start #{epoch}")
        self.order_key = f"{self.run_key}e{epoch}"
        snaps = self.journal.snapshots(self.run_key)
        self._steps = len(snaps)
        # The stepper's first session-start equity is its config's initial cash: resume from the
        # last journaled close, or the account's equity on a first start (not the backtest's cash).
        start_equity = snaps[-1].equity if snaps else float(self.broker.account().equity)
        cfg = self.config.model_copy(update={"simulation": self.config.simulation.model_copy(
            update={"initial_cash": start_equity})})
        self.stepper = Stepper(self.symbols, self.sectors, cfg, self.broker, self.order_key,
                               halt=HaltSwitch(cfg.risk_management.halt_file, self.clock.now_ns, self.journal))
        # orders earlier processes sent that still work (GTC protective stops above all): count and manage them
        working = {ev.client_order_id for ev in self.broker.open_orders()}
        self.stepper.adopt([i.request for i in self.journal.intents(("acked",))
                            if i.request.client_order_id in working and i.request.symbol in self.symbols])
        # fills that happened while no process ran (a cron job's orders fill at the next open)
        self.stepper.restore_entries(self.broker.position_details())
        _freeze_heap()
        return report

    def _newest_completed_close(self, now: int) -> int | None:
        try:
            bars = self.feed.completed_bars(now)
        except Exception:  # noqa: BLE001 - no data yet: nothing is current, so nothing is re-sent
            log.warning("no completed bars yet; unsent orders will be dropped", exc_info=True)
            return None
        return int(bars.close_ts[-1]) if bars.n_bars else None

    # --- one decision ---------------------------------------------------------------------------
    def cycle(self) -> CycleReport:
        if self.stepper is None:
            raise RuntimeError("LiveRunner.cycle before start(): reconcile first")
        now = self.clock.now_ns()
        bars = self.feed.completed_bars(now)
        if bars.symbols != self.symbols:
            raise ValueError(f"live bars have symbols {bars.symbols[:5]}..., the runner {self.symbols[:5]}...")
        self._last_bars = bars
        t = bars.n_bars - 1
        ts = int(bars.close_ts[t])
        if self.journal.decided(self.run_key, ts):
            return CycleReport(ts, decided=False)
        # Scored before the bar is marked: if scoring fails (say its worker process is killed),
        # nothing was sent and a retry of this cycle decides the bar.
        try:
            scores, version = self._score(bars, t)
        except StaleSignals as exc:
            # No fresh scores: no view on any symbol, so the engine holds every position as it is
            # (stops stay, nothing new is bought); never a trade on older scores.
            scores, version = np.full(len(self.symbols), np.nan), ""
            self.journal.note(now, "stale_signals", str(exc))
            log.warning("ALERT stale signals: %s", exc)
        # Marked before anything is sent: a crash from here on never decides this bar twice.
        self.journal.record_decision(self.run_key, ts, {"state": "deciding", "order_key": self.order_key})
        self.broker.sync(force_poll=True)
        canceled = self._cancel_day_orders()
        self.journal.record_signals(self.run_key, ts, bars.symbols, scores.tolist(), version)
        before = len(self.stepper.records().orders)
        self.stepper.step(self._steps, ts, int(bars.session[t]), bars.close[t], scores)
        self._steps += 1
        rec = self.stepper.records()
        new_orders = rec.orders[before:]
        self._journal_step(ts, int(bars.session[t]), rec)
        self.journal.record_decision(self.run_key, ts, {"state": "sent", "reasons": {
            client_order_id(self.order_key, int(o["order_id"])): OrderReason(int(o["reason"])).name
            for o in new_orders}})
        rejected = int(np.sum(new_orders["status"] == int(OrderStatus.REJECTED)))
        report = CycleReport(ts, True, len(new_orders) - rejected, rejected, canceled, float(rec.equity["equity"][-1]))
        self.journal.note(now, "cycle", report.line())
        log.info("%s", report.line())
        return report

    def _score(self, bars: Bars, t: int) -> tuple[np.ndarray, str]:
        """Signal row t: the incremental scorer's, or the strategy regenerated over the window."""
        if self._scorer_factory is None or t == 0:
            signals = self.strategy.generate(bars)
            self._note_child_peak("scoring", getattr(self.strategy, "peak_rss_mb", float("nan")))
            return np.ascontiguousarray(signals.scores[t], dtype=np.float64), str(signals.model_version[t])
        try:
            if self._scorer is None:
                # a new scorer (a runner start, or after close_scorer) warms up on the bars before t
                self._scorer = self._scorer_factory(bars.slice(0, t))
                _freeze_heap()  # the warm-up is start-up too
                rows = [t]
            else:
                rows = [k for k in range(bars.n_bars) if int(bars.close_ts[k]) > self._scored_ts]
            stale: StaleSignals | None = None
            for k in rows:
                try:
                    scores = self._scorer.update(bars.slice(k, k + 1))
                except StaleSignals as exc:  # the scorer took the bar; only the decided bar's matters
                    stale = exc if k == t else None
        except BaseException:
            self.close_scorer()  # its state is unknown now; the next cycle warms up a new one
            raise
        self._scored_ts = int(bars.close_ts[t])
        if stale is not None:
            raise stale
        return np.ascontiguousarray(scores, dtype=np.float64), str(self._scorer.model_version)

    def close_scorer(self) -> None:
        """End the incremental scorer (its worker process, if it has one); the next cycle starts a
        new one warmed up on the history, which scores exactly as the old one would have."""
        scorer, self._scorer, self._scored_ts = self._scorer, None, None
        if scorer is not None and hasattr(scorer, "close"):
            self._note_child_peak("scoring", scorer.close())

    def _note_child_peak(self, job: str, mb: float) -> None:
        if np.isfinite(mb):
            self.child_peak_rss_mb[job] = max(self.child_peak_rss_mb.get(job, 0.0), float(mb))

    def _cancel_day_orders(self) -> int:
        """Our day orders still working at a decision after the close will not trade again: cancel."""
        day = [e.client_order_id for e in self.broker.open_orders()
               if self.broker.time_in_force(e.client_order_id) == TimeInForce.DAY]
        if day:
            self.broker.cancel(day)
            self.broker.wait_until_done(day, timeout_s=30)
        return len(day)

    def _journal_step(self, ts: int, session: int, rec: Any) -> None:
        eq = rec.equity[-1]
        equity = float(eq["equity"])
        positions = {s: float(q) for s, q in zip(self.symbols, rec.positions[-1]) if q != 0.0}
        marks = {s: float(m) for s, m in zip(self.symbols, rec.close[-1]) if np.isfinite(m)}
        self.journal.record_snapshot(self.run_key, Snapshot(
            ts, session, float(eq["cash"]), equity, float(eq["gross_exposure"]) * equity,
            float(eq["net_exposure"]) * equity, positions, marks))
        for e in rec.risk_events[self._n_events:]:
            sym = self.symbols[int(e["symbol"])] if int(e["symbol"]) >= 0 else "*"
            self.journal.record_risk_event(self.run_key, ts, sym, RiskRule(int(e["rule"])).name.lower(),
                                           RiskAction(int(e["action"])).name.lower(), float(e["requested"]),
                                           float(e["allowed"]))
        self._n_events = len(rec.risk_events)

    # --- outputs --------------------------------------------------------------------------------
    def write_outputs(self, bars: Bars | None = None) -> Path:
        """(Re)write the run folder from the journal: orders, fills, equity, positions, risk events,
        signals, stats.json and report.html, exactly the files a backtest writes. The work runs in a
        child process (parity/live_report.py), so the runner never holds the report's modules."""
        bars = bars or self._last_bars
        if bars is None:
            raise RuntimeError("write_outputs before any cycle: there are no bars to report on")
        done = write_in_child(ReportRequest(self.config, self.journal.path, self.run_key, self.run_dir,
                                            self.symbols, self.sectors, tuple(bars.notes)))
        self._note_child_peak("report", done.peak_rss_mb)
        return self.run_dir

    # --- driving it -----------------------------------------------------------------------------
    def run_forever(self, schedule: MarketSchedule, sleep: Callable[[float], None],
                    stop: Callable[[], bool] = lambda: False, idle: Callable[[], object] | None = None) -> None:
        """Service mode: sleep until each bar's close (plus settle time), decide, write outputs.
        `idle` runs about once a minute meanwhile (the command passes broker.sync, so fills reach
        the journal as they happen, not only at the next decision)."""
        while not stop():
            wake = schedule.next_decision(self.clock.now_ns())
            while not stop() and self.clock.now_ns() < wake:
                sleep(min((wake - self.clock.now_ns()) / 1e9, 60.0))
                if idle is not None:
                    idle()
            if stop():
                return
            self.cycle()
            try:
                self.write_outputs()
            except ChildError:  # the journal holds the decision; the next cycle rewrites the folder
                log.exception("could not write the run folder; trading goes on")
            if schedule.next_decision(self.clock.now_ns()) - self.clock.now_ns() > IDLE_RELEASE_S * 10**9:
                self.close_scorer()  # a long wait (overnight): hand the scoring memory back meanwhile


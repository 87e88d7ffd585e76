"""Start-up reconciliation of the journal with the broker, and a plain-words account of it.

Rules, for every order the journal holds:
- an intent never acknowledged is looked up by its client_order_id: found -> it was sent (the
  crash came after the POST) and is adopted with its fills; not found -> it never left, and is
  re-sent if `resend(intent)` says its decision is still current (same bar), else dropped;
- orders the journal thinks are still working are polled, and any fill the journal lacks is
  recorded (brokers/alpaca/tracker.py gives each missing gap a stable execution_id);
- finally the broker's positions are compared with what the journaled fills imply, and any
  difference is reported (positions opened outside this journal are not ours to change).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable

from parity.brokers.alpaca.broker import AlpacaBroker
from parity.engine.journal import Intent, Journal

log = logging.getLogger(__name__)


@dataclass
class ReconcileReport:
    adopted: list[str] = field(default_factory=list)  # sent before the crash, found at the broker
    resent: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    fills_recovered: int = 0
    position_differences: dict[str, tuple[float, float]] = field(default_factory=dict)  # journal, broker

    def lines(self) -> list[str]:
        out = []
        if self.adopted:
            out.append(f"{len(self.adopted)} order(s) sent before a crash were found at the broker: {', '.join(self.adopted)}")
        if self.resent:
            out.append(f"{len(self.resent)} order(s) journaled but never sent were sent now: {', '.join(self.resent)}")
        if self.dropped:
            out.append(f"{len(self.dropped)} stale order(s) never sent were dropped: {', '.join(self.dropped)}")
        if self.fills_recovered:
            out.append(f"{self.fills_recovered} fill(s) missing from the journal were recorded")
        for sym, (mine, theirs) in sorted(self.position_differences.items()):
            out.append(f"position {sym}: journal fills imply {mine:g}, broker holds {theirs:g}")
        return out or ["journal and broker agree; nothing to do"]


def reconcile(broker: AlpacaBroker, journal: Journal, now_ns: int,
              resend: Callable[[Intent], bool] = lambda intent: False,
              baseline_positions: dict[str, float] | None = None) -> ReconcileReport:
    report = ReconcileReport()
    fills_before = journal.count("fills")
    for intent in journal.intents(("intent",)):
        cid = intent.request.client_order_id
        order = broker.lookup(cid)
        if order is not None:
            broker.adopt(intent.request, order)
            report.adopted.append(cid)
        elif resend(intent):
            broker.submit_one(intent.request)
            report.resent.append(cid)
        else:
            journal.mark(cid, "dropped", now_ns, reason="decision no longer current when the runner restarted")
            report.dropped.append(cid)
    broker.recover()
    report.fills_recovered = journal.count("fills") - fills_before
    implied = dict(baseline_positions or {})
    for sym, qty in journal.net_positions().items():
        implied[sym] = implied.get(sym, 0.0) + qty
    held = broker.positions()
    for sym in sorted(set(implied) | set(held)):
        mine, theirs = implied.get(sym, 0.0), held.get(sym, 0.0)
        if abs(mine - theirs) > 1e-6:
            report.position_differences[sym] = (mine, theirs)
    for line in report.lines():
        journal.note(now_ns, "reconcile", line)
        log.info("reconcile: %s", line)
    return report

"""`parity run --config config/paper.yaml [--serve]`: trade the strategy on Alpaca's paper account.

Without --serve: reconcile the journal with the account, decide once on the last completed bar,
send the orders and write the run folder (a cron job after the close). With --serve: stay up and
decide after every bar close on the exchange calendar; SIGTERM (`kill`, `systemctl stop`) stops it
at the next safe point, never inside a decision: the decision under way finishes sending its orders
(and its run folder), then the scoring worker, the broker and the journal are closed and it exits 0.
"""

from __future__ import annotations

import argparse
import logging
import signal
import time
from pathlib import Path

from parity.commands.options import add_overrides, load


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run", help="paper-trade on Alpaca (execution.mode: paper)",
        description="Run the engine live against Alpaca's paper API: reconcile, decide on the last completed "
                    "bar, send orders, write reports/<run-id>/. Keys from APCA_API_KEY_ID / APCA_API_SECRET_KEY.",
    )
    parser.add_argument("--config", required=True, metavar="FILE", help="YAML config, e.g. config/paper.yaml")
    add_overrides(parser)
    parser.add_argument("--serve", action="store_true", help="stay up and decide after every bar close")
    parser.add_argument("--settle-seconds", type=float, default=120.0, metavar="S",
                        help="wait this long after a close for the bar to be published (default 120)")
    parser.set_defaults(handler=run)


class StopRequest:
    """SIGTERM as a request, not an exception: the handler only records it; the service loop asks
    (`stop()`) before each wait and each decision, and `sleep` wakes within a fraction of a second."""

    POLL_S = 0.2

    def __init__(self) -> None:
        self.signum: int | None = None

    def __call__(self) -> bool:
        return self.signum is not None

    def handle(self, signum: int, _frame: object) -> None:
        self.signum = signum  # nothing else here: a handler can run between any two bytecodes

    def sleep(self, seconds: float) -> None:
        """time.sleep(seconds), cut short by a stop request."""
        deadline = time.monotonic() + seconds
        while not self() and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, self.POLL_S))


def run(args: argparse.Namespace) -> int:
    stop = StopRequest()
    # Installed before anything starts, so that a SIGTERM during start-up (reconciliation may resend
    # orders) also waits for it to finish; put back on the way out.
    previous = signal.signal(signal.SIGTERM, stop.handle) if args.serve else None
    try:
        return _run(args, stop)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _run(args: argparse.Namespace, stop: StopRequest) -> int:
    from parity.engine.clock import WallClock
    from parity.live import MarketSchedule
    from parity.live_app import build_live

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = load(args, strategy=False)
    setup = build_live(config, args.config, Path.cwd(), WallClock())
    try:
        setup.broker.start()
        for line in setup.runner.start().lines():
            print(f"reconcile: {line}")
        if args.serve:
            from parity.engine.halt import HaltSwitch

            # `kill -USR1 <pid>` = `parity halt`: the flag file it writes is checked at every decision
            HaltSwitch(config.risk_management.halt_file, time.time_ns).install_signal()
            schedule = MarketSchedule(config.data.calendar, config.data.timeframe, args.settle_seconds)
            setup.runner.run_forever(schedule, stop.sleep, stop=stop, idle=setup.broker.sync)
        else:
            print(setup.runner.cycle().line())
            print(f"run folder: {setup.runner.write_outputs()}")
    finally:
        setup.close()
    if stop.signum is not None:
        print(f"stopped by {signal.Signals(stop.signum).name} at a safe point: scoring worker, broker and journal closed")
    return 0

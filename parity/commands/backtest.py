"""`parity backtest --config FILE [--set KEY=VALUE ...] [--run-id ID]`: one backtest, one run folder."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

from rich.console import Console

from parity.commands.options import add_overrides, load


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "backtest", help="run a backtest and write reports/<run-id>/",
        description="Run a historical backtest and write its run folder (records, stats.json, report.html).",
    )
    parser.add_argument("--config", required=True, metavar="FILE", help="YAML config, e.g. config/default.yaml")
    add_overrides(parser)
    parser.add_argument("--run-id", metavar="ID", help="name of the run folder (default: UTC time-strategy-config hash)")
    parser.set_defaults(handler=run, on_interrupt="nothing was written")


def run(args: argparse.Namespace) -> int:
    from parity.reports.worker import ReportWorker

    # Started first, so that its imports overlap all of this process's (the report's second core); a
    # run without the HTML page (or that fails to start) only ends it again.
    with ReportWorker() as worker:
        from parity.engine.config import validate_config

        config = load(args)
        note_active_halt(config.risk_management.halt_file)
        if args.run_id is not None:  # checked by the same rule as reporting.run_id
            validate_config({"reporting": {"run_id": args.run_id}}, source="--run-id")
        from parity.app import run_backtest_job
        from parity.commands.console import StageSpinner, print_run_summary

        stderr = Console(stderr=True)
        with StageSpinner(stderr) as spinner:
            run_dir = run_backtest_job(
                config, config_path=args.config, started_at=datetime.now(timezone.utc), base_dir=Path.cwd(),
                run_id=args.run_id, progress=spinner, report_worker=worker if config.reporting.html else None,
            )
    stats = json.loads((run_dir / "stats.json").read_text())
    print_run_summary(Console(), run_dir, stats)
    return 0


def note_active_halt(halt_file: Path) -> None:
    """An emergency stop (`parity halt`) halts live trading; a backtest replays history and is not
    stopped by today's flag, but says that it saw it, rather than leave the user to wonder."""
    from parity.commands.halt import iso_time
    from parity.engine.halt import read_halt

    state = read_halt(halt_file)
    if state is not None:
        print(f"note: an emergency stop is active since {iso_time(state.set_at_ns)} ({state.reason}; {halt_file}): "
              "it halts live trading; this backtest does not honour it", file=sys.stderr)

"""Terminal output for long jobs: a rich spinner per stage (on stderr) and the closing summary table."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from parity.reports.html import format_value

STAGE_LABELS = {
    "data": "Loading and checking bars",
    "signals": "Computing signals",
    "simulation": "Simulating orders and fills",
    "report": "Writing statistics and report",
}

# (stats key, label, format) shown after a run; formats as in parity.reports.html.format_value.
SUMMARY = (
    ("total_return", "Total return", "pct"),
    ("cagr", "CAGR", "pct"),
    ("sharpe", "Sharpe", "num"),
    ("max_drawdown", "Max drawdown", "pct"),
    ("orders", "Orders", "int"),
    ("fills", "Fills", "int"),
    ("total_costs", "Costs", "usd"),
    ("total_costs_bps", "Costs (bps of traded)", "bps"),
)


class StageSpinner:
    """`parity.progress.Progress` shown as one spinner line per stage, ticked off with its time."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            SpinnerColumn(finished_text="[green]✓"),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
        )

    def __enter__(self) -> "StageSpinner":
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        task = self._progress.add_task(STAGE_LABELS.get(name, name), total=1)
        try:
            yield
        except BaseException:
            self._progress.update(task, description=f"[red]{STAGE_LABELS.get(name, name)} (failed)")
            self._progress.stop_task(task)
            raise
        self._progress.update(task, completed=1)


def summary_table(stats: dict[str, Any]) -> Table:
    table = Table(show_header=False, box=None, padding=(0, 2))
    table.add_column(style="bold")
    table.add_column(justify="right")
    for key, label, kind in SUMMARY:
        table.add_row(label, format_value(stats.get(key), kind))
    return table


def print_run_summary(console: Console, run_dir: Path, stats: dict[str, Any]) -> None:
    console.print(summary_table(stats))
    report = run_dir / "report.html"
    console.print(f"Report: {report if report.exists() else run_dir}", soft_wrap=True)

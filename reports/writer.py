"""Write a run folder `<output_dir>/<run-id>/` atomically.

Everything is built in a hidden temporary sibling folder and moved into place with one `os.replace`
at the very end; on any error the temporary folder is removed. So a run folder either exists with
every file in it, or does not exist at all: never half-written. The strategy's artifacts (its
models, handed over as bytes in the SignalSet) are written with the rest, so they share that guarantee.
A process killed outright (SIGKILL, power loss) cannot remove its staging folder; the folder's name
carries its owner (pid@host), and the next run in that output folder removes the staging folders
whose owner no longer runs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import sys
import tempfile
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import pandas as pd

from parity import interrupts

from parity.reports.html import SECTION_WEIGHTS, assemble_report, section_jobs
from parity.reports.run_data import (
    CONFIG_FILE,
    DATA_NOTES_FILE,
    DIAGNOSTICS_DIR,
    STATS_FILE,
    STRATEGY_FILE,
    TABLES,
    RunData,
)
from parity.reports.worker import ReportWorker, share_jobs

REPORT_FILE = "report.html"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class RunFolderExistsError(FileExistsError):
    """The run folder is already there; a run never overwrites another run's records."""


def make_run_id(started_at: datetime, strategy_name: str, config_digest: str) -> str:
    """Default run id: UTC start time, strategy and config hash, e.g. 20260105T143000Z-momentum-3fa2b9c1d0e4.

    `started_at` is passed in (the CLI gives the wall clock), never read here, so ids are reproducible
    in tests. A naive datetime is taken to be UTC.
    """
    if started_at.tzinfo is None:
        started_at = started_at.replace(tzinfo=timezone.utc)
    stamp = started_at.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{_UNSAFE.sub('_', strategy_name)}-{config_digest}"


# A staging folder: .<run-id>.<pid>@<host>.<random>.partial ('@' is never in a run id, nor in the
# random part, which has no dots either).
PARTIAL_SUFFIX = ".partial"


def _host() -> str:
    return _UNSAFE.sub("_", socket.gethostname()).replace(".", "_")


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: running
        pass
    return True


def stale_partials(output_dir: str | Path) -> list[Path]:
    """Staging folders in `output_dir` whose owner, a process on this host, no longer runs. Folders of
    a running process, of another host, or without an owner in their name are never listed."""
    found = []
    for path in Path(output_dir).glob(f".*{PARTIAL_SUFFIX}"):
        parts = path.name[: -len(PARTIAL_SUFFIX)].rsplit(".", 2)
        pid, at, host = parts[1].partition("@") if len(parts) == 3 else ("", "", "")
        if at and host == _host() and pid.isdigit() and int(pid) > 0 and not _running(int(pid)) and path.is_dir():
            found.append(path)
    return sorted(found)


def remove_stale_partials(output_dir: str | Path) -> list[Path]:
    """Remove `stale_partials(output_dir)` and say so in one line on stderr; returns what went."""
    removed = []
    for path in stale_partials(output_dir):
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            removed.append(path)
    if removed:
        print(f"note: removed {len(removed)} unfinished run folder(s) left in {output_dir} by processes that no "
              f"longer run: {', '.join(p.name for p in removed)}", file=sys.stderr)
    return removed


@contextmanager
def staged_run_dir(output_dir: str | Path, run_id: str) -> Iterator[Path]:
    """Yield an empty staging folder; on normal exit move it to `output_dir/run_id`, on error delete it.
    Staging folders that killed processes left in `output_dir` are removed first (one note on stderr)."""
    output_dir = Path(output_dir)
    final = output_dir / run_id
    if final.exists():
        raise RunFolderExistsError(f"{final}: a run folder with this id already exists; pick another --run-id or remove it")
    output_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_partials(output_dir)
    staging = Path(tempfile.mkdtemp(prefix=f".{run_id}.{os.getpid()}@{_host()}.", suffix=PARTIAL_SUFFIX,
                                    dir=output_dir))
    try:
        yield staging
        staging.chmod(0o755)  # mkdtemp makes it private; a run folder is an ordinary folder
        try:
            interrupts.raise_if_pending()  # a Ctrl-C or SIGTERM whose exception C code dropped
            os.replace(staging, final)  # atomic; refuses to replace a non-empty folder made meanwhile
        except OSError as exc:
            raise RunFolderExistsError(f"{final}: could not move the finished run into place: {exc.strerror}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_run_files(run_dir: str | Path, run: RunData, html: bool = True, worker: ReportWorker | None = None) -> None:
    """Write every file of a run into `run_dir` (a staging folder from `staged_run_dir`). With a
    `worker` (parity.reports.worker), the report's sections and the tables are written by two processes at
    once; the files are the same."""
    run_dir = Path(run_dir)
    (run_dir / CONFIG_FILE).write_text(run.config_yaml)
    tables = [(getattr(run, name), run_dir / f"{name}.parquet") for name in TABLES]
    if run.diagnostics:
        diag_dir = run_dir / DIAGNOSTICS_DIR
        diag_dir.mkdir(exist_ok=True)
        tables += [(table, diag_dir / f"{_UNSAFE.sub('_', name)}.parquet") for name, table in run.diagnostics.items()]
    (run_dir / DATA_NOTES_FILE).write_text("".join(f"{note}\n" for note in run.data_notes))
    (run_dir / STATS_FILE).write_text(json.dumps(run.stats, indent=2, allow_nan=False) + "\n")
    if run.strategy:
        (run_dir / STRATEGY_FILE).write_text(json.dumps(run.strategy, indent=2, sort_keys=True) + "\n")
    for relative, data in sorted(run.artifacts.items()):
        target = run_dir / relative
        if not target.resolve().is_relative_to(run_dir.resolve()):
            raise ValueError(f"strategy artifact '{relative}' would be written outside the run folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    sections = section_jobs(run) if html else []
    weights = [SECTION_WEIGHTS.get(build, 0.0) for build, _ in sections] + [0.0] * len(tables)
    done = share_jobs([*sections, *((_write_table, table) for table in tables)], worker, weights)
    if html:
        (run_dir / REPORT_FILE).write_text(assemble_report(run, done[:len(sections)]), encoding="utf-8")


def _write_table(frame: pd.DataFrame, path: Path) -> None:
    frame.to_parquet(path, index=False)


def write_run(output_dir: str | Path, run: RunData, html: bool = True) -> Path:
    """Write `run` to `output_dir/run.run_id` atomically and return that folder."""
    with staged_run_dir(output_dir, run.run_id) as staging:
        write_run_files(staging, run, html=html)
    return Path(output_dir) / run.run_id

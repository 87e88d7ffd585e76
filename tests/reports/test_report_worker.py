"""parity.reports.worker: report jobs shared with a helper process give the same files as one process.

One real helper is spawned for the module (it takes ~2 s to import pandas and matplotlib); the
sharing rules (order of results, what runs where, a helper that is not warm or has died) are
checked with small fakes.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from report_kit import tiny_bars, tiny_records, tiny_signals
from parity.reports.run_data import RunData
from parity.reports.stats import compute_stats
from parity.reports.worker import ReportWorker, share_jobs
from parity.reports.writer import write_run_files


def tiny_run() -> RunData:
    run = RunData.from_records("run-w", tiny_records(), tiny_signals(), tiny_bars())
    return run.with_stats(compute_stats(run.equity, run.fills, run.orders, 252.0))


@pytest.fixture(scope="module")
def worker():
    with ReportWorker() as helper:
        deadline = time.monotonic() + 120
        while not helper.ready():
            assert time.monotonic() < deadline, "report worker did not start"
            time.sleep(0.05)
        yield helper


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_shared_report_is_byte_identical_to_one_process(tmp_path: Path, worker: ReportWorker) -> None:
    run = tiny_run()
    alone, shared, again = tmp_path / "alone", tmp_path / "shared", tmp_path / "again"
    for folder in (alone, shared, again):
        folder.mkdir()
    write_run_files(alone, run)
    write_run_files(shared, run, worker=worker)
    write_run_files(again, run, worker=worker)
    expected = files(alone)
    assert "report.html" in expected and "fills.parquet" in expected
    assert files(shared) == expected
    assert files(again) == expected


def test_a_warm_helper_takes_the_weighted_jobs_and_results_keep_their_order(worker: ReportWorker) -> None:
    # job i returns (i, pid of the process that ran it); the light ones take 0.1 s each here, so the
    # helper has long started job 3 when the caller runs out of light jobs (and could take it back)
    jobs = [(_where, (i, 0.0 if i == 3 else 0.1)) for i in range(6)]
    results = share_jobs(jobs, worker, weights=[0, 0, 0, 9, 0, 0])
    assert [i for i, _ in results] == list(range(6))
    pids = {i: pid for i, pid in results}
    assert pids[3] != os.getpid()
    assert all(pids[i] == os.getpid() for i in (0, 1, 2, 4, 5))


def test_the_caller_draws_from_the_light_end_while_the_helper_is_busy(worker: ReportWorker) -> None:
    # The helper is handed job 0 (1 s) and nothing else until it is done; meanwhile the caller runs the
    # light job 3, then the weighted jobs from the light end: 2, then 1.
    jobs = [(_where, (0, 1.0)), *((_where, (i, 0.0)) for i in (1, 2, 3))]
    pids = dict(share_jobs(jobs, worker, weights=[9, 8, 7, 0]))
    assert pids[0] != os.getpid()
    assert pids[1] == pids[2] == pids[3] == os.getpid()


def test_a_jobs_exception_is_raised_in_the_caller(worker: ReportWorker) -> None:
    with pytest.raises(ValueError, match="invalid literal"):
        share_jobs([(int, ("not a number",)), (int, ("7",))], worker, weights=[1, 0])


class FakeWorker:
    """`ready` as given; `submit` returns a future that failed with BrokenProcessPool (the helper died)."""

    def __init__(self, ready: bool, broken_on_submit: bool = False) -> None:
        self._ready, self._broken_on_submit, self.submitted = ready, broken_on_submit, 0

    def ready(self) -> bool:
        return self._ready

    def submit(self, job) -> Future:
        if self._broken_on_submit:
            raise BrokenProcessPool("gone")
        self.submitted += 1
        future: Future = Future()
        future.set_exception(BrokenProcessPool("died mid-job"))
        return future


@pytest.mark.parametrize("fake", [FakeWorker(ready=False), FakeWorker(ready=True), FakeWorker(True, broken_on_submit=True)],
                         ids=["still warming up", "dies mid-job", "cannot start"])
def test_without_a_usable_helper_every_job_runs_here(fake: FakeWorker) -> None:
    results = share_jobs([(_where, (i,)) for i in range(4)], fake, weights=[3, 2, 1, 0])  # type: ignore[arg-type]
    assert results == [(i, os.getpid()) for i in range(4)]
    if not fake.ready():
        assert fake.submitted == 0  # nothing waits on a helper that is not warm


def _where(i: int, seconds: float = 0.0) -> tuple[int, int]:
    time.sleep(seconds)
    return i, os.getpid()

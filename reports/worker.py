"""A second process for the report, so that a warm `parity backtest` uses both cores.

Rendering the report's figures is most of a warm backtest's time, and every figure is independent of
the others. `ReportWorker` starts one helper process when the run starts; it imports the report's
modules (pandas, matplotlib, the cost analysis) and draws a throw-away figure (font cache) while the
run loads data and simulates. Once the run is done, `share_jobs` hands it the report's drawing jobs
one at a time, heaviest first, while the calling process writes the tables and the light sections,
then draws from the light end itself until the two meet; a helper not yet warm gets no job (a short
run does not wait for it).

A job is a module-level function and picklable arguments; it returns a picklable value. A job gives
the same result wherever it runs (same code, same inputs; PNGs from the Agg backend are the same
bytes), so the report does not depend on how the jobs were shared. The helper is spawned, not forked
(the caller has threads: the progress spinner); as with any spawned process, a script run as a file
that starts one must guard its entry point with `if __name__ == "__main__":` (`python -m parity`
and the `parity` command do). If it cannot start or dies, its jobs run in the caller; a job's own
exception is raised in the caller either way. The helper dies with the process that started it,
even one killed outright (`die_with_parent`): a killed backtest leaves no 300 MB orphan behind.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

Job = tuple[Callable[..., Any], tuple[Any, ...]]


class ReportWorker:
    """One helper process, started now; `close()` (or leaving the `with` block) ends it."""

    def __init__(self) -> None:
        # The helper is started by this thread's submit below: see die_with_parent for why that matters.
        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_warm_up, initargs=(os.getpid(),))
        self._start = time.perf_counter()
        self._warm_after: float | None = None
        # Starts the process (and its warm-up) now, not at the first real job; done once it can draw.
        self._started = self._pool.submit(int)
        self._started.add_done_callback(self._record_warm)
        # Then, before any real job, what the cost section (the heaviest, handed over first) needs.
        self._pool.submit(_warm_up_cost_analysis)

    def _record_warm(self, _: Future) -> None:
        self._warm_after = time.perf_counter() - self._start

    def warm_seconds(self) -> float | None:
        """Seconds from start until warm (None: not yet); for benchmarks."""
        return self._warm_after

    def ready(self) -> bool:
        """Warmed up (or failed to start: then `submit` raises BrokenProcessPool)."""
        return self._started.done()

    def submit(self, job: Job) -> Future:
        fn, args = job
        return self._pool.submit(fn, *args)

    def close(self) -> None:
        """End the helper now. Its jobs are done (or no longer wanted) when this is called, and a clean
        exit would only make this process wait at its own exit for the helper's interpreter teardown
        (~0.5 s with pandas, numba and matplotlib loaded; concurrent.futures and multiprocessing
        both join it). ProcessPoolExecutor has no public way to do this before Python 3.14."""
        processes = list((getattr(self._pool, "_processes", None) or {}).values())  # shutdown forgets them
        self._pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
            process.join()

    def __enter__(self) -> "ReportWorker":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def share_jobs(jobs: Sequence[Job], worker: ReportWorker | None, weights: Sequence[float] | None = None) -> list[Any]:
    """Every job's result, in `jobs` order.

    `weights` are rough relative costs (0: next to nothing). The worker, once warm, is handed one
    weighted job at a time, heaviest first; this process takes jobs from the other end, lightest
    first, and hands the worker its next job whenever it finishes one of its own. So the two meet
    wherever the work balances, and a worker not yet warm (or none, or a dead one) gets nothing:
    this process never waits for the worker's imports.
    """
    weights = list(weights) if weights is not None else [1.0] * len(jobs)
    todo = deque(sorted(range(len(jobs)), key=lambda i: -weights[i]))  # heaviest first
    results: list[Any] = [None] * len(jobs)
    sent: deque[tuple[int, Future]] = deque()
    helper = worker

    def collect(block: bool) -> None:
        while sent and (block or sent[0][1].done()):
            i, future = sent.popleft()
            try:
                results[i] = future.result()
            except BrokenProcessPool:  # the helper is gone: do its job here
                results[i] = _run(jobs[i])

    def hand_over() -> None:
        nonlocal helper
        collect(block=False)
        if helper is None or sent or not todo or weights[todo[0]] <= 0 or not helper.ready():
            return
        i = todo.popleft()
        try:
            sent.append((i, helper.submit(jobs[i])))
        except (BrokenProcessPool, RuntimeError):  # could not start, or already shut down
            helper = None
            todo.appendleft(i)

    hand_over()
    while todo:
        i = todo.pop()  # the lightest left
        results[i] = _run(jobs[i])
        hand_over()
    collect(block=True)
    return results


def _run(job: Job) -> Any:
    fn, args = job
    return fn(*args)


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent_pid: int) -> None:
    """Called first thing in a child: the kernel SIGKILLs this process when its parent dies.

    Linux's parent-death signal (prctl PR_SET_PDEATHSIG) is chosen over a pipe the child watches:
    it needs no watcher thread, reaches a child busy in C code (numba, XGBoost) or blocked on
    anything, and is delivered however the parent ended, SIGKILL included. SIGKILL, so that no
    handler and no half-finished write runs on (a staging folder left behind is removed by the next
    run, parity.reports.writer). Two details: the signal comes when the *thread* that started the
    child ends, so children are started from the thread that uses them (the main thread here); and a
    parent that died before this call is caught by comparing getppid() with the pid it passed. On a
    system without prctl (not Linux) this does nothing."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return
    prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent_pid:  # orphaned already, before the signal was armed
        os.kill(os.getpid(), signal.SIGKILL)


def _warm_up(parent_pid: int) -> None:
    """Helper start-up: die with the parent; Ctrl-C is the caller's to handle; import and exercise
    what every drawing job uses (pandas, matplotlib, the font cache), so that its first jobs do not
    pay first-call costs."""
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import parity.reports.html  # noqa: F401
    from parity.reports.figures import warm_up_rendering

    warm_up_rendering()


def _warm_up_cost_analysis() -> None:
    """The helper's first job, queued at start: the cost section's own first-call costs (~0.6 s, its
    first call took 1.3 s instead of 0.7 s). A job rather than part of the start-up, so the helper is
    ready (and handed the cost section) sooner; the section then finds it done."""
    import numpy as np
    import scipy.optimize  # noqa: F401  (the slippage calibration's least squares, imported where used)

    import parity.reports.costs_run  # noqa: F401  (parity.engine.data, the config schema, numba kernels)
    from parity.brokers.sim.volatility import daily_vol

    daily_vol(np.ones((3, 1)), 2, 1.0)  # loads the cached kernel and numba's CPU target
